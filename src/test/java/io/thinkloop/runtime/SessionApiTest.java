package io.thinkloop.runtime;

import static io.restassured.RestAssured.given;
import static io.thinkloop.testkit.FakeBackend.answer;
import static io.thinkloop.testkit.FakeBackend.callTools;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Multi;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.tools.ToolRegistry;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** REST, Server-Sent Events, security, and the documented protocol against real serialized events. */
@QuarkusTest
@TestProfile(RuntimeTestProfile.class)
class SessionApiTest {
    private static final String AUTH = "Bearer " + RuntimeTestProfile.KEY;

    @TestHTTPResource("/")
    URI base;

    @Inject
    ScriptedTestBackend backend;

    @Inject
    ToolRegistry tools;

    @BeforeEach
    void registerTools() {
        tools.register(TestTools.sleep());
        tools.register(TestTools.hang());
        tools.register(TestTools.dangerous());
    }

    @Test
    void restLifecycleOfASession() throws Exception {
        String id = AgentSessionTest.newId("rest");
        String msg = "rest turn " + id;
        backend.script(msg, callTools("think", "sleep", "{\"ms\":5}"), answer(null, "rest answer"));
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("id", id))
                .post("/v1/sessions")
                .then()
                .statusCode(201)
                .body("id", equalTo(id))
                .body("lastSeq", equalTo(1));
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("id", id))
                .post("/v1/sessions")
                .then()
                .statusCode(200);
        given().header("Authorization", AUTH)
                .get("/v1/sessions")
                .then()
                .statusCode(200)
                .body("sessions.id", hasItem(id));
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("content", msg))
                .post("/v1/sessions/" + id + "/messages")
                .then()
                .statusCode(202)
                .body("sessionId", equalTo(id));
        List<JsonNode> events = SseReader.read(base, id, 0, "turn.completed");
        assertEquals("session.created", events.getFirst().path("type").asText());
        assertEquals(
                "rest answer",
                AgentSessionTest.ofType(events, "text.delta")
                        .getFirst()
                        .path("text")
                        .asText());
        given().header("Authorization", AUTH)
                .get("/v1/sessions/" + id + "/transcript")
                .then()
                .statusCode(200)
                .body("messages.role", equalTo(List.of("user", "assistant", "tool", "assistant")))
                .body("messages[1].reasoning_content", equalTo("think"))
                .body("messages[3].content", equalTo("rest answer"));
        given().header("Authorization", AUTH)
                .get("/v1/sessions/" + id)
                .then()
                .statusCode(200)
                .body("messages", equalTo(4))
                .body("lastSeq", equalTo(events.getLast().path("seq").asInt()));
        given().header("Authorization", AUTH)
                .post("/v1/sessions/" + id + "/cancel")
                .then()
                .statusCode(409)
                .body("code", equalTo("no_active_turn"));
        given().header("Authorization", AUTH)
                .delete("/v1/sessions/" + id)
                .then()
                .statusCode(204);
        given().header("Authorization", AUTH)
                .get("/v1/sessions/" + id)
                .then()
                .statusCode(404)
                .body("code", equalTo("session_not_found"));
        given().header("Authorization", AUTH)
                .get("/v1/sessions/" + id + "/transcript")
                .then()
                .statusCode(404);
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("id", "bad id!"))
                .post("/v1/sessions")
                .then()
                .statusCode(400)
                .body("code", equalTo("invalid_session_id"));
    }

    @Test
    void approvalAndCancelOverRest() throws Exception {
        String id = AgentSessionTest.newId("restappr");
        String msg = "rest approval " + id;
        backend.script(msg, callTools(null, "dangerous", "{}"), answer(null, "approved and done"));
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("id", id))
                .post("/v1/sessions")
                .then()
                .statusCode(201);
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("content", msg))
                .post("/v1/sessions/" + id + "/messages")
                .then()
                .statusCode(202);
        JsonNode ask = SseReader.read(base, id, 0, "approval.requested").getLast();
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("approved", true))
                .post("/v1/sessions/" + id + "/approvals/"
                        + ask.path("toolCallId").asText())
                .then()
                .statusCode(202);
        List<JsonNode> rest = SseReader.read(base, id, ask.path("seq").asLong(), "turn.completed");
        assertEquals(
                "dangerous done",
                AgentSessionTest.ofType(rest, "tool.result")
                        .getFirst()
                        .path("content")
                        .asText());
        // a second turn waits for an approval and is cancelled over REST
        backend.script(msg, callTools(null, "dangerous", "{}"));
        long before = rest.getLast().path("seq").asLong();
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("content", "again please"))
                .post("/v1/sessions/" + id + "/messages")
                .then()
                .statusCode(202);
        SseReader.read(base, id, before, "approval.requested");
        given().header("Authorization", AUTH)
                .contentType(ContentType.JSON)
                .body(Map.of("content", "too soon"))
                .post("/v1/sessions/" + id + "/messages")
                .then()
                .statusCode(409)
                .body("code", equalTo("turn_in_progress"));
        given().header("Authorization", AUTH)
                .post("/v1/sessions/" + id + "/cancel")
                .then()
                .statusCode(202);
        assertEquals(
                "cancelled",
                SseReader.read(base, id, before, "cancelled")
                        .getLast()
                        .path("type")
                        .asText());
    }

    @Test
    void apiKeysAndOriginsAreEnforced() throws Exception {
        given().get("/v1/sessions").then().statusCode(401).body("code", equalTo("unauthorized"));
        given().header("Authorization", "Bearer wrong")
                .get("/v1/sessions")
                .then()
                .statusCode(401);
        given().queryParam("token", RuntimeTestProfile.KEY)
                .get("/v1/sessions")
                .then()
                .statusCode(200);
        given().header("Authorization", AUTH)
                .header("Origin", "http://evil.example")
                .get("/v1/sessions")
                .then()
                .statusCode(403)
                .body("code", equalTo("origin_not_allowed"));
        given().header("Authorization", AUTH)
                .header("Origin", RuntimeTestProfile.ALLOWED_ORIGIN)
                .get("/v1/sessions")
                .then()
                .statusCode(200);
        // health stays open for probes
        given().get("/q/health/live").then().statusCode(200);
        // WebSocket upgrades: refused without a key or from a foreign origin, accepted with ?token=
        String id = AgentSessionTest.newId("sec");
        assertHandshakeStatus(401, () -> WsClient.connect(base, id, null, Map.of()));
        assertHandshakeStatus(
                403,
                () -> WsClient.connect(base, id, null, Map.of("Authorization", AUTH, "Origin", "http://evil.example")));
        try (WsClient c = WsClient.connect(
                base, id, "token=" + RuntimeTestProfile.KEY, Map.of("Origin", RuntimeTestProfile.ALLOWED_ORIGIN))) {
            assertEquals(
                    "session.created",
                    c.next(Duration.ofSeconds(5)).path("type").asText());
        }
        HttpResponse<String> sse = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/v1/sessions/" + id + "/events"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(401, sse.statusCode());
    }

    private static void assertHandshakeStatus(int status, Runnable connect) {
        try {
            connect.run();
        } catch (CompletionException e) {
            assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
            assertEquals(
                    status,
                    ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
            return;
        }
        throw new AssertionError("the handshake should have been refused with " + status);
    }

    /** Runs turns that produce every event type and checks each event against its documented schema. */
    @Test
    void realEventsMatchTheDocumentedSchemas() {
        String id = AgentSessionTest.newId("schema");
        String msg = "schema " + id;
        backend.script(
                msg,
                callTools("why", "dangerous", "{}", "sleep", "{\"ms\":1}"),
                answer("so", "answer"),
                r -> Multi.createFrom()
                        .items(new ModelChunk.Text(
                                "fine</think>ok<｜end▁of▁sentence｜>", new int[] {7, 8, 9}, new float[] {-0.5f, -0.25f, 0f
                                })),
                callTools(null, "hang", "{}"));
        List<JsonNode> all = new ArrayList<>();
        try (WsClient c = WsClient.connect(base, id, null)) {
            all.add(c.next(Duration.ofSeconds(5)));
            c.send("{oops");
            all.addAll(c.until("error"));
            c.send(AgentSessionTest.userMessage(msg));
            List<JsonNode> ask = c.until("approval.requested");
            all.addAll(ask);
            c.send(Map.of(
                    "type",
                    "approve",
                    "toolCallId",
                    ask.getLast().path("toolCallId").asText()));
            all.addAll(c.untilTurnEnd());
            c.send(Map.of("type", "user_message", "content", "with tokens", "includeTokens", true));
            all.addAll(c.untilTurnEnd());
            c.send(AgentSessionTest.userMessage("then hang"));
            all.addAll(c.until("tool.executing"));
            c.send(Map.of("type", "cancel"));
            all.addAll(c.untilTurnEnd());
        }
        var schemas = ProtocolDocs.eventSchemas();
        for (JsonNode event : all) {
            String type = event.path("type").asText();
            assertTrue(schemas.containsKey(type), "no schema for " + type);
            var errors = schemas.get(type).validate(event);
            assertTrue(errors.isEmpty(), type + " does not match its schema: " + errors + " in " + event);
        }
        List<String> seen = all.stream()
                .map(e -> e.path("type").asText())
                .distinct()
                .sorted()
                .toList();
        // elicitation.requested needs an MCP server that asks; McpClientFeaturesServiceTest checks it against its
        // schema
        assertEquals(
                ProtocolDocs.eventTypesInCode().stream()
                        .filter(t -> !t.equals("elicitation.requested"))
                        .sorted()
                        .toList(),
                seen,
                "the run covers every event type");
        assertFalse(all.isEmpty());
    }
}
