package io.thinkloop.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.session.EventSubscriber;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.Interop;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolRegistry;
import io.thinkloop.tools.ToolResult;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service's client of its configured MCP servers, with server-everything (stdio) as the real peer: the agent's
 * {@code everything__read_resource} tool, the resources and prompts under {@code /v1/mcp/servers/{name}}, sampling
 * that waits for the session user's approval ({@code approval.requested}, approved over REST) and then runs through
 * the model backend, elicitation that asks the session's client ({@code elicitation.requested}, answered over REST),
 * and roots from configuration.
 */
@QuarkusTest
@TestProfile(McpClientFeaturesProfile.class)
class McpClientFeaturesServiceTest {
    @TestHTTPResource("/")
    URI base;

    @Inject
    McpServerManager manager;

    @Inject
    ToolRegistry registry;

    @Inject
    SessionManager sessions;

    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void everythingIsConnectedWithItsGatedTools() {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled(), "the npm MCP peers (src/test/node/node_modules)");
        Await.until(
                "server-everything's capability-gated tools and its read_resource tool are registered",
                Duration.ofSeconds(60),
                () -> registry.find("trigger-sampling-request").isPresent()
                        && registry.find("trigger-elicitation-request").isPresent()
                        && registry.find("get-roots-list").isPresent()
                        && registry.find("everything__read_resource").isPresent());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void resourcesAndPromptsAreListedForTheUserAndReadableByTheAgent() throws Exception {
        HttpResponse<String> listed = get("v1/mcp/servers/everything/resources");
        assertEquals(200, listed.statusCode(), listed.body());
        JsonNode resources = Json.MAPPER.readTree(listed.body());
        assertFalse(resources.path("resources").isEmpty(), listed.body());
        assertFalse(resources.path("resourceTemplates").isEmpty(), listed.body());
        String uri = resources.path("resources").path(0).path("uri").asText();

        HttpResponse<String> read =
                get("v1/mcp/servers/everything/resource?uri=" + URLEncoder.encode(uri, StandardCharsets.UTF_8));
        assertEquals(200, read.statusCode(), read.body());
        JsonNode contents = Json.MAPPER.readTree(read.body()).path("contents");
        assertEquals(uri, contents.path(0).path("uri").asText());

        Tool tool = registry.find("everything__read_resource").orElseThrow();
        assertTrue(tool.spec().description().contains(uri), tool.spec().description());
        assertEquals(
                "everything", registry.sourceOf("everything__read_resource").orElseThrow());
        ToolResult viaTool = tool.call(Json.MAPPER.createObjectNode().put("uri", uri), ToolCallContext.detached("c1"))
                .await()
                .atMost(Duration.ofSeconds(30));
        assertFalse(viaTool.isError(), viaTool.text());
        String text = contents.path(0).path("text").asText();
        assertTrue(!text.isEmpty() && viaTool.text().contains(text), viaTool.text());
        ToolResult unknown = tool.call(
                        Json.MAPPER.createObjectNode().put("uri", "demo://no/such/thing"),
                        ToolCallContext.detached("c2"))
                .await()
                .atMost(Duration.ofSeconds(30));
        assertTrue(unknown.isError(), "an unknown resource is an error the model can read: " + unknown.text());

        HttpResponse<String> prompts = get("v1/mcp/servers/everything/prompts");
        assertEquals(200, prompts.statusCode(), prompts.body());
        assertTrue(prompts.body().contains("\"args-prompt\""), prompts.body());
        HttpResponse<String> prompt =
                post("v1/mcp/servers/everything/prompts/args-prompt", "{\"arguments\":{\"city\":\"Lisbon\"}}");
        assertEquals(200, prompt.statusCode(), prompt.body());
        assertTrue(
                Json.MAPPER.readTree(prompt.body()).path("messages").toString().contains("Lisbon"), prompt.body());

        assertEquals(404, get("v1/mcp/servers/nope/resources").statusCode());
        HttpResponse<String> noResources = get("v1/mcp/servers/local/resources");
        assertEquals(404, noResources.statusCode(), "the test tools offer no resources: " + noResources.body());
        HttpResponse<String> badPrompt = post("v1/mcp/servers/everything/prompts/no-such-prompt", "{}");
        assertEquals(400, badPrompt.statusCode(), badPrompt.body());
        assertEquals(
                "invalid_request",
                Json.MAPPER.readTree(badPrompt.body()).path("code").asText());
    }

    @Inject
    McpClientRequests requests;

    @Test
    void theServerSeesTheConfiguredRoots() {
        assertEquals(2, requests.configuredRoots().size(), "an https URI is no MCP root and is skipped");
        ToolResult roots = registry.find("get-roots-list")
                .orElseThrow()
                .call(Json.MAPPER.createObjectNode(), ToolCallContext.detached("r1"))
                .await()
                .atMost(Duration.ofSeconds(30));
        assertTrue(roots.text().contains("file:///srv/project"), roots.text());
        assertTrue(roots.text().contains("file:///srv/data"), roots.text());
    }

    /** Every event of the session, as JSON. */
    static List<JsonNode> record(Session session) {
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        session.subscribe(
                new EventSubscriber(1 << 12) {
                    @Override
                    protected Uni<Void> send(String eventJson) {
                        try {
                            events.add(Json.MAPPER.readTree(eventJson));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        return Uni.createFrom().voidItem();
                    }

                    @Override
                    protected void overflow() {
                        throw new AssertionError("overflow");
                    }
                },
                0);
        return events;
    }

    static JsonNode awaitEvent(List<JsonNode> events, String type, int nth) {
        Await.until(
                type + " #" + nth,
                () -> events.stream()
                                .filter(e -> e.path("type").asText().equals(type))
                                .count()
                        > nth);
        return events.stream()
                .filter(e -> e.path("type").asText().equals(type))
                .skip(nth)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void samplingWaitsForTheUsersApprovalThenRunsThroughTheModelBackend() throws Exception {
        Session session = sessions.create();
        List<JsonNode> events = record(session);
        Tool sampling = registry.find("trigger-sampling-request").orElseThrow();
        ToolCallContext call = new ToolCallContext(session.id(), "turn_s1", "call_s1", (p, m) -> {});

        CompletableFuture<ToolResult> approved = sampling.call(
                        Json.MAPPER.createObjectNode().put("prompt", "say hi").put("maxTokens", 16), call)
                .subscribeAsCompletionStage();
        JsonNode ask = awaitEvent(events, "approval.requested", 0);
        assertEquals("everything:sampling/createMessage", ask.path("name").asText());
        assertEquals("turn_s1", ask.path("turnId").asText());
        assertTrue(ask.path("toolCallId").asText().startsWith("sampling_"), ask.toString());
        assertTrue(ask.path("arguments").asText().contains("say hi"), ask.toString());
        assertFalse(approved.isDone(), "nothing runs before the user decides");
        HttpResponse<String> ok = post(
                "v1/sessions/" + session.id() + "/approvals/"
                        + ask.path("toolCallId").asText(),
                "{\"approved\":true}");
        assertEquals(202, ok.statusCode(), ok.body());
        ToolResult result = approved.get(30, TimeUnit.SECONDS);
        assertTrue(result.text().contains("tok0 tok1 tok2 tok3"), "the synthetic model's text: " + result.text());
        assertTrue(result.text().contains("synthetic"), "the model that answered: " + result.text());

        CompletableFuture<ToolResult> denied = sampling.call(
                        Json.MAPPER.createObjectNode().put("prompt", "again"), call)
                .subscribeAsCompletionStage();
        JsonNode second = awaitEvent(events, "approval.requested", 1);
        post(
                "v1/sessions/" + session.id() + "/approvals/"
                        + second.path("toolCallId").asText(),
                "{\"approved\":false,\"reason\":\"not now\"}");
        ToolResult refused = denied.get(30, TimeUnit.SECONDS);
        assertTrue(refused.text().contains("denied by user: not now"), refused.text());
        HttpResponse<String> late = post(
                "v1/sessions/" + session.id() + "/approvals/"
                        + second.path("toolCallId").asText(),
                "{\"approved\":true}");
        assertEquals(404, late.statusCode(), "an answered question takes no second answer");
    }

    @Test
    void elicitationAsksTheSessionsClientAndReturnsItsAnswer() throws Exception {
        Session session = sessions.create();
        List<JsonNode> events = record(session);
        Tool elicit = registry.find("trigger-elicitation-request").orElseThrow();
        ToolCallContext call = new ToolCallContext(session.id(), "turn_e1", "call_e1", (p, m) -> {});

        CompletableFuture<ToolResult> answered =
                elicit.call(Json.MAPPER.createObjectNode(), call).subscribeAsCompletionStage();
        JsonNode asked = awaitEvent(events, "elicitation.requested", 0);
        assertEquals("everything", asked.path("server").asText());
        assertEquals("call_e1", asked.path("toolCallId").asText());
        assertEquals("form", asked.path("mode").asText());
        assertTrue(asked.path("requestedSchema").path("properties").has("name"), asked.toString());
        String id = asked.path("elicitationId").asText();
        HttpResponse<String> bad =
                post("v1/sessions/" + session.id() + "/elicitations/" + id, "{\"action\":\"maybe\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        HttpResponse<String> ok = post(
                "v1/sessions/" + session.id() + "/elicitations/" + id,
                "{\"action\":\"accept\",\"content\":{\"name\":\"Grace Hopper\",\"check\":true}}");
        assertEquals(202, ok.statusCode(), ok.body());
        ToolResult result = answered.get(30, TimeUnit.SECONDS);
        assertTrue(result.text().contains("Grace Hopper"), result.text());
        HttpResponse<String> again =
                post("v1/sessions/" + session.id() + "/elicitations/" + id, "{\"action\":\"decline\"}");
        assertEquals(404, again.statusCode(), again.body());
        assertEquals(
                "unknown_elicitation",
                Json.MAPPER.readTree(again.body()).path("code").asText());

        CompletableFuture<ToolResult> declined =
                elicit.call(Json.MAPPER.createObjectNode(), call).subscribeAsCompletionStage();
        JsonNode second = awaitEvent(events, "elicitation.requested", 1);
        post(
                "v1/sessions/" + session.id() + "/elicitations/"
                        + second.path("elicitationId").asText(),
                "{\"action\":\"decline\"}");
        assertTrue(declined.get(30, TimeUnit.SECONDS).text().contains("declined"));
        assertEquals(
                McpClient.State.READY,
                manager.client("everything").orElseThrow().state());
    }
}
