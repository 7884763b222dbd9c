package io.thinkloop.mcptools.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.protocol.RequestOptions;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.types.CallToolResult;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.mcptools.calculator.CalculatorServer;
import io.thinkloop.mcptools.trip.TripEnvironment;
import io.thinkloop.mcptools.trip.TripPlanningServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The mcp-tools servers behind the real MCP WebSocket server, called by the real client. */
class McpToolsEndToEndTest {
    @Test
    void calculatorProgressAndTripSubmitOverWebSocket() throws Exception {
        McpServer calc = new McpServer(
                new Implementation("calc", "1"), "calc", new ToolCatalog(new CalculatorServer().tools(Map.of())), 100);
        McpWebSocketServer ws = new McpWebSocketServer(
                        McpTestSupport.VERTX, calc, McpWebSocketServer.Options.loopback(0))
                .start()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        McpClient client = McpTestSupport.client(ws.url(), McpClient.Options.defaults());
        client.connect().await().atMost(Duration.ofSeconds(10));
        List<String> names = client.tools().stream().map(McpTool::name).toList();
        assertEquals(List.of("evaluate", "evaluate_batch", "convert_units", "list_units"), names);
        CallToolResult r = client.callTool(
                        "evaluate", Json.MAPPER.createObjectNode().put("expression", "0.1+0.2"))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertEquals("0.3", r.structuredContent().get("result").asText());
        List<Double> seen = new CopyOnWriteArrayList<>();
        RequestOptions opts = client.requestDefaults().withProgress((p, t, m) -> seen.add(p));
        JsonNode args = Json.MAPPER.readTree("{\"expressions\": [\"1\", \"2\", \"1/0\", \"4\"], \"pause_ms\": 50}");
        CallToolResult batch =
                client.callTool("evaluate_batch", args, opts).await().atMost(Duration.ofSeconds(10));
        assertFalse(batch.failed(), batch.text());
        assertEquals(List.of(0.25, 0.5, 0.75, 1.0), seen);
        CallToolResult bad = client.callTool(
                        "evaluate", Json.MAPPER.createObjectNode().put("expression", "10^10^10"))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertTrue(bad.failed() && bad.text().contains("too large"), bad.text());
        client.close();
        ws.stop();

        TripEnvironment env = TripPlanningServer.environment(Map.of("size", "small"));
        McpServer trip = new McpServer(new Implementation("trip", "1"), "trip", new ToolCatalog(env.tools()), 100);
        ws = new McpWebSocketServer(McpTestSupport.VERTX, trip, McpWebSocketServer.Options.loopback(0))
                .start()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        client = McpTestSupport.client(ws.url(), McpClient.Options.defaults());
        client.connect().await().atMost(Duration.ofSeconds(10));
        assertEquals(15, client.tools().size());
        assertTrue(client.tools().stream().allMatch(t -> t.outputSchema() != null));
        CallToolResult cities = client.callTool("get_all_cities", Json.MAPPER.createObjectNode())
                .await()
                .atMost(Duration.ofSeconds(5));
        String city = cities.structuredContent().get("cities").get(0).asText();
        CallToolResult sub = client.callTool(
                        "submit_result", Json.MAPPER.readTree("{\"days\": [{\"day\": 1, \"city\": \"" + city + "\"}]}"))
                .await()
                .atMost(Duration.ofSeconds(5));
        assertEquals("sub-1", sub.structuredContent().get("submission_id").asText());
        assertEquals(
                city,
                env.lastSubmission().orElseThrow().plan().days().getFirst().city());
        client.close();
        ws.stop();
    }
}
