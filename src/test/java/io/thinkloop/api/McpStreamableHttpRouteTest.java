package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpInspectorCliTest;
import io.thinkloop.mcp.McpJavaSdkInteropTest;
import io.thinkloop.testkit.Interop;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The service's Streamable HTTP endpoint {@code /mcp} with API authentication on: the MCP Java SDK and the
 * Inspector CLI list and call tools with the API key; the protocol's HTTP rules (sessions, DELETE, version
 * header, Origin, resumption with {@code Last-Event-ID}) hold for a raw HTTP client.
 */
@QuarkusTest
@TestProfile(McpStreamableHttpRouteTest.Secured.class)
class McpStreamableHttpRouteTest {
    static final String KEY = "mcp-http-key";

    public static class Secured implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "thinkloop.api-key",
                    KEY,
                    "thinkloop.security.auth-enabled",
                    "true",
                    "thinkloop.mcp.server.tool-servers",
                    "test-tools");
        }
    }

    @TestHTTPResource("/")
    URI root;

    final HttpClient http = HttpClient.newHttpClient();

    String endpoint() {
        return root.resolve("/mcp").toString();
    }

    HttpResponse<String> post(String sessionId, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String initialize() throws Exception {
        HttpResponse<String> r = post(
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}",
                "Authorization",
                "Bearer " + KEY);
        assertEquals(200, r.statusCode(), r.body());
        String sid = r.headers().firstValue("Mcp-Session-Id").orElse(null);
        assertNotNull(sid, "initialize creates a session");
        assertEquals(
                202,
                post(
                                sid,
                                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                                "Authorization",
                                "Bearer " + KEY)
                        .statusCode());
        return sid;
    }

    @Test
    void withoutTheApiKeyThereIsNoSession() throws Exception {
        HttpResponse<String> r = post(
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}");
        assertEquals(401, r.statusCode());
        assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals(401, post(null, "{}", "Authorization", "Bearer wrong").statusCode());
    }

    @Test
    void theJavaSdkListsAndCallsToolsWithTheApiKey() {
        try (McpSyncClient client =
                McpJavaSdkInteropTest.httpClient(root.toString().replaceAll("/$", ""), KEY)) {
            assertEquals("thinkloop", client.initialize().serverInfo().name());
            var names = client.listTools().tools().stream()
                    .map(McpSchema.Tool::name)
                    .collect(Collectors.toSet());
            assertTrue(names.containsAll(List.of("echo", "add", "slow")), names.toString());
            McpSchema.CallToolResult echo =
                    client.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "service")));
            assertEquals(
                    "Echo: service", ((McpSchema.TextContent) echo.content().getFirst()).text());
        }
    }

    @Test
    void theInspectorCliListsAndCallsToolsWithTheApiKey() throws Exception {
        Interop.requirePeer(McpInspectorCliTest.installed(), "the MCP Inspector CLI (npm, src/test/node)");
        JsonNode tools = McpInspectorCliTest.inspector(
                endpoint(),
                "--transport",
                "http",
                "--header",
                "Authorization: Bearer " + KEY,
                "--method",
                "tools/list");
        assertTrue(tools.path("tools").size() >= 3, tools.toString());
        JsonNode echo = McpInspectorCliTest.inspector(
                endpoint(),
                "--transport",
                "http",
                "--header",
                "Authorization: Bearer " + KEY,
                "--method",
                "tools/call",
                "--tool-name",
                "echo",
                "--tool-arg",
                "message=inspector");
        assertEquals(
                "Echo: inspector", echo.path("content").path(0).path("text").asText(), echo.toString());
    }

    @Test
    void aSessionEndsWithDeleteAndIsThenUnknown() throws Exception {
        String sid = initialize();
        HttpResponse<String> ping =
                post(sid, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", "Authorization", "Bearer " + KEY);
        assertEquals(200, ping.statusCode());
        assertEquals(2, Json.MAPPER.readTree(ping.body()).path("id").asInt(), ping.body());
        HttpResponse<String> deleted = http.send(
                HttpRequest.newBuilder(URI.create(endpoint()))
                        .header("Mcp-Session-Id", sid)
                        .header("Authorization", "Bearer " + KEY)
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode());
        assertEquals(
                404,
                post(sid, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}", "Authorization", "Bearer " + KEY)
                        .statusCode());
    }

    @Test
    void requestsNeedASessionAKnownVersionAndAnAllowedOrigin() throws Exception {
        assertEquals(
                400,
                post(null, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", "Authorization", "Bearer " + KEY)
                        .statusCode());
        String sid = initialize();
        assertEquals(
                400,
                post(
                                sid,
                                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}",
                                "Authorization",
                                "Bearer " + KEY,
                                "MCP-Protocol-Version",
                                "1999-01-01")
                        .statusCode());
        assertEquals(
                400, post(sid, "{not json", "Authorization", "Bearer " + KEY).statusCode());
        assertEquals(
                403,
                post(
                                sid,
                                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}",
                                "Authorization",
                                "Bearer " + KEY,
                                "Origin",
                                "https://evil.example")
                        .statusCode());
    }

    @Test
    void aCallWithProgressStreamsSseEventsAndALostStreamResumesWithLastEventId() throws Exception {
        String sid = initialize();
        HttpRequest call = HttpRequest.newBuilder(URI.create(endpoint()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .header("Mcp-Session-Id", sid)
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\","
                                + "\"arguments\":{\"steps\":4,\"stepMs\":150},\"_meta\":{\"progressToken\":\"t\"}}}"))
                .build();
        HttpResponse<InputStream> r = http.send(call, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        String lastId = null;
        // Read up to the first progress event, then drop the connection mid-call.
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("id: ")) {
                lastId = line.substring(4);
            }
            if (line.startsWith("data: ") && line.contains("notifications/progress")) {
                break;
            }
        }
        r.body().close();
        assertNotNull(lastId);
        HttpResponse<String> resumed = http.send(
                HttpRequest.newBuilder(URI.create(endpoint()))
                        .header("Accept", "text/event-stream")
                        .header("Mcp-Session-Id", sid)
                        .header("Authorization", "Bearer " + KEY)
                        .header("Last-Event-ID", lastId)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, resumed.statusCode());
        String body = resumed.body();
        assertTrue(
                body.contains("\"id\":7") && body.contains("done after 4 steps"),
                "the rest of the stream, ending with the response: " + body);
        assertFalse(body.contains("\"progress\":1.0,"), "events up to Last-Event-ID are not repeated: " + body);
    }
}
