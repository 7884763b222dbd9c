package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The standalone server's Streamable HTTP endpoint with a raw HTTP client: stateless requests, JSON answers, refusals. */
class McpStreamableHttpTest {
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> post(McpWebSocketServer server, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.httpUrl()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStatelessRequestNamingItsVersionInMetaNeedsNoSessionAndLeavesNone() throws Exception {
        McpWebSocketServer server = McpTestSupport.startServer();
        try {
            HttpResponse<String> r = post(
                    server,
                    "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                            + "\"arguments\":{\"message\":\"stateless\"},\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"}}}");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(
                    r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                    "a lone response is plain JSON");
            assertTrue(r.headers().firstValue("Mcp-Session-Id").isEmpty(), "no session is offered");
            JsonNode body = Json.MAPPER.readTree(r.body());
            assertEquals("a", body.path("id").asText());
            assertEquals(
                    "Echo: stateless",
                    body.path("result").path("content").path(0).path("text").asText());
            Await.until("the one-request session ended", () -> server.server().sessionCount() == 0);
            HttpResponse<String> unknown = post(
                    server,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":"
                            + "{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\"}}}");
            assertEquals(
                    -32022,
                    Json.MAPPER
                            .readTree(unknown.body())
                            .path("error")
                            .path("code")
                            .asInt(),
                    unknown.body());
        } finally {
            server.stop();
        }
    }

    @Test
    void badPostsAreRefusedWithTheRightStatus() throws Exception {
        McpWebSocketServer server = McpTestSupport.startServer();
        try {
            assertEquals(
                    400,
                    post(server, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")
                            .statusCode(),
                    "no session, no version");
            assertEquals(
                    400,
                    post(server, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]")
                            .statusCode(),
                    "batches are gone");
            assertEquals(
                    404,
                    post(server, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "Mcp-Session-Id", "nope")
                            .statusCode());
            HttpResponse<String> text = http.send(
                    HttpRequest.newBuilder(URI.create(server.httpUrl()))
                            .header("Content-Type", "text/plain")
                            .POST(HttpRequest.BodyPublishers.ofString("hi"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(415, text.statusCode());
            assertEquals(
                    403,
                    post(server, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", "Origin", "https://evil.example")
                            .statusCode());
            HttpResponse<String> put = http.send(
                    HttpRequest.newBuilder(URI.create(server.httpUrl()))
                            .PUT(HttpRequest.BodyPublishers.ofString(""))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, put.statusCode());
        } finally {
            server.stop();
        }
    }
}
