package io.thinkloop.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.ClientRequestHandler;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.transport.StreamableHttpClientConnector;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.mcp.types.ProtocolVersions;
import io.thinkloop.tools.ToolCallContext;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Our MCP client as the conformance suite's client scenarios run it ({@code conformance client --command CMD}):
 * the server URL is the last argument. It connects as the service does (asking for the stateless revision, so it
 * negotiates down), then calls every tool the server lists with arguments made from its input schema, answering
 * the server's requests as a user who accepts: elicitation forms with each field's default, sampling with a
 * fixed text. Exits 0 when every step worked.
 */
public final class ConformanceClient {
    private ConformanceClient() {}

    public static void main(String[] args) {
        String url = args[args.length - 1];
        McpClient client = new McpClient(
                        new StreamableHttpClientConnector(URI.create(url), Map.of()),
                        McpClient.Options.defaults().withProtocolVersion(ProtocolVersions.STATELESS))
                .handleRequests(new ClientRequestHandler() {
                    @Override
                    public boolean samples() {
                        return true;
                    }

                    @Override
                    public Uni<JsonNode> createMessage(JsonNode params, ToolCallContext caller) {
                        ObjectNode r = Json.MAPPER.createObjectNode().put("role", "assistant");
                        r.putObject("content").put("type", "text").put("text", "conformance answer");
                        return Uni.createFrom()
                                .item(r.put("model", "conformance").put("stopReason", "endTurn"));
                    }

                    @Override
                    public boolean elicits() {
                        return true;
                    }

                    @Override
                    public Uni<JsonNode> elicit(JsonNode params, ToolCallContext caller) {
                        ObjectNode r = Json.MAPPER.createObjectNode().put("action", "accept");
                        ObjectNode content = r.putObject("content");
                        params.path("requestedSchema")
                                .path("properties")
                                .properties()
                                .forEach(e -> {
                                    if (e.getValue().has("default")) {
                                        content.set(e.getKey(), e.getValue().get("default"));
                                    }
                                });
                        return Uni.createFrom().item(r);
                    }
                });
        int code = 0;
        try {
            client.connect().await().atMost(Duration.ofSeconds(20));
            for (McpTool tool : client.tools()) {
                client.callTool(tool.name(), arguments(tool.inputSchema()))
                        .await()
                        .atMost(Duration.ofSeconds(20));
            }
        } catch (RuntimeException e) {
            System.err.println("conformance client: " + e);
            code = 1;
        } finally {
            client.close();
        }
        System.exit(code);
    }

    /** Arguments valid for a flat object schema: each property's default, else a small value of its type. */
    static ObjectNode arguments(JsonNode schema) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (schema == null) {
            return args;
        }
        schema.path("properties").properties().forEach(e -> {
            JsonNode p = e.getValue();
            if (p.has("default")) {
                args.set(e.getKey(), p.get("default"));
                return;
            }
            switch (p.path("type").asText()) {
                case "number", "integer" -> args.put(e.getKey(), 2);
                case "boolean" -> args.put(e.getKey(), true);
                case "array" -> args.putArray(e.getKey());
                case "object" -> args.putObject(e.getKey());
                default -> args.put(e.getKey(), "x");
            }
        });
        return args;
    }
}
