package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.testkit.Await;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The official MCP Java SDK's client against our servers: over stdio, launched from a Claude-Desktop-style
 * {@code mcpServers} entry as {@code thinkloop tool-server trip-planning --stdio}, and over Streamable HTTP
 * against a standalone server's {@code /mcp}.
 */
public class McpJavaSdkInteropTest {

    /** A Claude-Desktop-style {@code mcpServers} entry starting the trip-planning tool server over stdio (the test JVM's class path). */
    public static JsonNode claudeDesktopConfig() {
        var root = Json.MAPPER.createObjectNode();
        var entry = root.putObject("mcpServers").putObject("trip-planning").put("command", McpTestSupport.javaBin());
        entry.putArray("args")
                .add("--add-modules=jdk.incubator.vector")
                .add("-cp")
                .add(McpTestSupport.classPath())
                .add("io.thinkloop.Main")
                .add("tool-server")
                .add("trip-planning")
                .add("--stdio")
                .add("--opt")
                .add("size=small");
        entry.putObject("env");
        return root;
    }

    @Test
    void aClaudeDesktopStyleStdioEntryListsAndCallsTripPlanningTools() {
        JsonNode entry = claudeDesktopConfig().path("mcpServers").path("trip-planning");
        List<String> args = new ArrayList<>();
        entry.path("args").forEach(a -> args.add(a.asText()));
        ServerParameters params = ServerParameters.builder(entry.path("command").asText())
                .args(args)
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        List<String> stderr = new CopyOnWriteArrayList<>();
        transport.setStdErrorHandler(stderr::add);
        try (McpSyncClient client = client(transport)) {
            McpSchema.InitializeResult init = client.initialize();
            assertEquals("thinkloop-trip-planning", init.serverInfo().name());
            Set<String> names = client.listTools().tools().stream()
                    .map(McpSchema.Tool::name)
                    .collect(Collectors.toSet());
            assertEquals(15, names.size(), names.toString());
            assertTrue(names.contains("get_all_cities") && names.contains("submit_result"), names.toString());
            McpSchema.CallToolResult cities =
                    client.callTool(new McpSchema.CallToolRequest("get_all_cities", Map.of()));
            assertFalse(Boolean.TRUE.equals(cities.isError()), cities.toString());
            String text = ((McpSchema.TextContent) cities.content().getFirst()).text();
            assertTrue(text.length() > 2, text);
            McpSchema.CallToolResult bad =
                    client.callTool(new McpSchema.CallToolRequest("get_all_hotels_by_city", Map.of("city", 7)));
            assertTrue(bad.isError(), "a wrong argument type is a tool error the model can read: " + bad);
            readsTripPlanningResourcesPromptsAndCompletions(client, text);
        }
    }

    /** The trip-planning server's resources (cities), resource template (one city), prompt (the task) and completions. */
    static void readsTripPlanningResourcesPromptsAndCompletions(McpSyncClient client, String citiesToolText) {
        assertEquals(
                List.of("trip://cities"),
                client.listResources().resources().stream()
                        .map(McpSchema.Resource::uri)
                        .toList());
        String cities = ((McpSchema.TextResourceContents)
                        client.readResource(new McpSchema.ReadResourceRequest("trip://cities"))
                                .contents()
                                .getFirst())
                .text();
        JsonNode list = readJson(cities);
        String first = list.path(0).path("name").asText();
        assertTrue(
                !first.isEmpty() && citiesToolText.contains(first),
                "the resource and the tool show the same cities: " + first);
        assertEquals(
                List.of("trip://cities/{city}"),
                client.listResourceTemplates().resourceTemplates().stream()
                        .map(McpSchema.ResourceTemplate::uriTemplate)
                        .toList());
        JsonNode city = readJson(((McpSchema.TextResourceContents) client.readResource(
                                new McpSchema.ReadResourceRequest("trip://cities/" + first.replace(" ", "%20")))
                        .contents()
                        .getFirst())
                .text());
        assertEquals(first, city.path("name").asText());
        assertTrue(city.path("hotels").size() > 0, city.toString());
        McpSchema.CompleteResult completed = client.completeCompletion(new McpSchema.CompleteRequest(
                new McpSchema.ResourceReference("trip://cities/{city}"),
                new McpSchema.CompleteRequest.CompleteArgument("city", first.substring(0, 2))));
        assertTrue(completed.completion().values().contains(first), completed.toString());
        assertEquals(
                List.of("plan_trip"),
                client.listPrompts().prompts().stream()
                        .map(McpSchema.Prompt::name)
                        .toList());
        McpSchema.GetPromptResult prompt = client.getPrompt(new McpSchema.GetPromptRequest(
                "plan_trip",
                Map.of("origin", first, "destination", list.path(1).path("name").asText(), "days", "4")));
        String message = ((McpSchema.TextContent) prompt.messages().getFirst().content()).text();
        assertTrue(
                message.contains("4-day trip") && message.contains(first) && message.contains("submit_result"),
                message);
    }

    static JsonNode readJson(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Test
    void theSdkOverStreamableHttpListsPagesCallsWithProgressAndSeesErrors() throws Exception {
        McpWebSocketServer server = McpTestSupport.startServer();
        try {
            List<Double> progress = new CopyOnWriteArrayList<>();
            HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                            server.httpUrl().replace("/mcp", ""))
                    .endpoint("/mcp")
                    .build();
            try (McpSyncClient client = McpClient.sync(transport)
                    .requestTimeout(Duration.ofSeconds(30))
                    .jsonSchemaValidator(new NetworkntValidator())
                    .progressConsumer(p -> progress.add(p.progress()))
                    .build()) {
                client.initialize();
                List<String> names = new ArrayList<>();
                String cursor = null;
                int pages = 0;
                do {
                    McpSchema.ListToolsResult page = client.listTools(cursor);
                    page.tools().forEach(t -> names.add(t.name()));
                    cursor = page.nextCursor();
                    pages++;
                } while (cursor != null);
                assertEquals(List.of("echo", "add", "slow", "fail", "sleep"), names);
                assertEquals(2, pages, "page size 3");
                McpSchema.CallToolResult echo =
                        client.callTool(new McpSchema.CallToolRequest("echo", Map.of("message", "über http")));
                assertEquals(
                        "Echo: über http",
                        ((McpSchema.TextContent) echo.content().getFirst()).text());
                McpSchema.CallToolResult slow = client.callTool(McpSchema.CallToolRequest.builder()
                        .name("slow")
                        .arguments(Map.of("steps", 3, "stepMs", 10))
                        .progressToken("p1")
                        .build());
                assertEquals(
                        "done after 3 steps",
                        ((McpSchema.TextContent) slow.content().getFirst()).text());
                // The SDK hands notifications to the consumer asynchronously: the last may land just after the result.
                Await.until("three progress notifications", () -> progress.size() >= 3);
                assertEquals(List.of(1.0, 2.0, 3.0), progress, "progress arrives on the call's SSE stream, in order");
                McpSchema.CallToolResult fail = client.callTool(new McpSchema.CallToolRequest("fail", Map.of()));
                assertTrue(fail.isError());
                client.ping();
            }
        } finally {
            server.stop();
        }
    }

    public static McpSyncClient client(McpClientTransport transport) {
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60))
                .jsonSchemaValidator(new NetworkntValidator())
                .build();
    }

    /** Streamable HTTP with {@code Authorization: Bearer KEY}. */
    public static McpSyncClient httpClient(String baseUrl, String apiKey) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(baseUrl)
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + apiKey))
                .build();
        return client(transport);
    }

    /**
     * The SDK checks structured results against output schemas with a validator of its own, built on a newer
     * json-schema-validator than ours; this one does the same check with the version on our class path.
     */
    static final class NetworkntValidator implements JsonSchemaValidator {
        private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

        @Override
        public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
            JsonNode content = Json.MAPPER.valueToTree(structuredContent);
            Set<ValidationMessage> problems =
                    factory.getSchema(Json.MAPPER.valueToTree(schema)).validate(content);
            return problems.isEmpty()
                    ? ValidationResponse.asValid(content.toString())
                    : ValidationResponse.asInvalid(
                            problems.stream().map(ValidationMessage::getMessage).collect(Collectors.joining("; ")));
        }
    }
}
