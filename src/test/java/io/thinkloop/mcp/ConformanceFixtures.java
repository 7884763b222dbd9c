package io.thinkloop.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpNativeTool;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.ServerContent;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.thinkloop.tools.ToolServerDefinition;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The fixture tools the MCP conformance suite's server scenarios call (as its scenario descriptions specify). */
public final class ConformanceFixtures implements ToolServerDefinition {
    /** A 1x1 red PNG. */
    static final String PNG =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    /** A 44-byte WAV header with no samples. */
    static final String WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

    @Override
    public String name() {
        return "conformance-fixtures";
    }

    @Override
    public String description() {
        return "Fixture tools of the MCP conformance suite";
    }

    @Override
    public List<Tool> tools(Map<String, String> options) {
        return List.of(
                fixed(
                        "test_simple_text",
                        "Returns simple text",
                        content(text("This is a simple text response for testing."))),
                fixed("test_image_content", "Returns an image", content(image())),
                fixed(
                        "test_audio_content",
                        "Returns audio",
                        content(Json.MAPPER
                                .createObjectNode()
                                .put("type", "audio")
                                .put("data", WAV)
                                .put("mimeType", "audio/wav"))),
                fixed(
                        "test_embedded_resource",
                        "Returns an embedded resource",
                        content(resource(
                                "test://embedded-resource", "text/plain", "This is an embedded resource content."))),
                fixed(
                        "test_multiple_content_types",
                        "Returns text, image and resource",
                        content(
                                text("Multiple content types test:"),
                                image(),
                                resource(
                                        "test://mixed-content-resource",
                                        "application/json",
                                        "{\"test\":\"data\",\"value\":123}"))),
                fixed("test_error_handling", "Always fails", errorResult()),
                new NativeTool("test_tool_with_logging", "Logs three messages", emptySchema(), (args, ctx) -> {
                    ctx.log("info", "conformance", Json.MAPPER.valueToTree("Tool execution started"));
                    return Uni.createFrom()
                            .voidItem()
                            .onItem()
                            .delayIt()
                            .by(Duration.ofMillis(50))
                            .invoke(() ->
                                    ctx.log("info", "conformance", Json.MAPPER.valueToTree("Tool processing data")))
                            .onItem()
                            .delayIt()
                            .by(Duration.ofMillis(50))
                            .invoke(() ->
                                    ctx.log("info", "conformance", Json.MAPPER.valueToTree("Tool execution completed")))
                            .map(v -> content(text("Tool with logging executed successfully")));
                }),
                new NativeTool(
                        "test_tool_with_progress", "Reports progress 0, 50, 100 of 100", emptySchema(), (args, ctx) -> {
                            ctx.progress(0, 100.0, null);
                            return Uni.createFrom()
                                    .voidItem()
                                    .onItem()
                                    .delayIt()
                                    .by(Duration.ofMillis(50))
                                    .invoke(() -> ctx.progress(50, 100.0, null))
                                    .onItem()
                                    .delayIt()
                                    .by(Duration.ofMillis(50))
                                    .invoke(() -> ctx.progress(100, 100.0, null))
                                    .map(v -> content(text("Tool with progress executed successfully")));
                        }),
                new NativeTool(
                        "test_sampling",
                        "Asks the client's LLM",
                        TestToolServer.schema(
                                "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},\"required\":[\"prompt\"]}"),
                        (args, ctx) -> {
                            if (!ctx.clientCapabilities().has("sampling")) {
                                return Uni.createFrom().item(errorOf("the client does not support sampling"));
                            }
                            ObjectNode p = Json.MAPPER.createObjectNode().put("maxTokens", 100);
                            p.putArray("messages")
                                    .addObject()
                                    .put("role", "user")
                                    .set("content", text(args.path("prompt").asText()));
                            return ctx.request("sampling/createMessage", p)
                                    .map(r -> content(text("LLM response: "
                                            + r.path("content").path("text").asText())));
                        }),
                new NativeTool(
                        "test_elicitation",
                        "Asks the user",
                        TestToolServer.schema(
                                "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}"),
                        (args, ctx) -> {
                            if (!ctx.clientCapabilities().has("elicitation")) {
                                return Uni.createFrom().item(errorOf("the client does not support elicitation"));
                            }
                            ObjectNode p = Json.MAPPER
                                    .createObjectNode()
                                    .put("message", args.path("message").asText());
                            p.set(
                                    "requestedSchema",
                                    TestToolServer.schema(
                                            "{\"type\":\"object\",\"properties\":{\"username\":{\"type\":\"string\","
                                                    + "\"description\":\"User's response\"},\"email\":{\"type\":\"string\",\"description\":\"User's email address\"}},"
                                                    + "\"required\":[\"username\",\"email\"]}"));
                            return ctx.request("elicitation/create", p)
                                    .map(r -> content(text("User response: action="
                                            + r.path("action").asText() + ", content=" + r.path("content"))));
                        }),
                elicit(
                        "test_elicitation_sep1034_defaults",
                        "Asks with defaults for every primitive type (SEP-1034)",
                        "Please review your profile",
                        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"default\":\"John Doe\"},"
                                + "\"age\":{\"type\":\"integer\",\"default\":30},\"score\":{\"type\":\"number\",\"default\":95.5},"
                                + "\"status\":{\"type\":\"string\",\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
                                + "\"verified\":{\"type\":\"boolean\",\"default\":true}}}"),
                elicit(
                        "test_elicitation_sep1330_enums",
                        "Asks with every enum schema form (SEP-1330)",
                        "Please pick options",
                        "{\"type\":\"object\",\"properties\":{"
                                + "\"untitledSingle\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]},"
                                + "\"titledSingle\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"value1\",\"title\":\"First\"},"
                                + "{\"const\":\"value2\",\"title\":\"Second\"}]},"
                                + "\"legacyEnum\":{\"type\":\"string\",\"enum\":[\"opt1\",\"opt2\"],\"enumNames\":[\"Option 1\",\"Option 2\"]},"
                                + "\"untitledMulti\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\"]}},"
                                + "\"titledMulti\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First\"},"
                                + "{\"const\":\"value2\",\"title\":\"Second\"}]}}}}"),
                new NativeTool(
                        "test_reconnection",
                        "Closes its SSE stream mid-call; the client resumes with Last-Event-ID (SEP-1699)",
                        emptySchema(),
                        (args, ctx) -> {
                            ctx.closeStream(200);
                            return Uni.createFrom()
                                    .voidItem()
                                    .onItem()
                                    .delayIt()
                                    .by(Duration.ofMillis(300))
                                    .map(v -> content(text("Reconnection test completed")));
                        }),
                new NativeTool(
                        "json_schema_2020_12_tool",
                        "Tool with JSON Schema 2020-12 features",
                        schema2020(),
                        (args, ctx) -> Uni.createFrom().item(content(text("ok")))));
    }

    @Override
    public ServerContent content(Map<String, String> options) {
        List<ServerContent.Resource> resources = List.of(
                new ServerContent.Resource(
                        "test://static-text",
                        "static-text",
                        "A static text resource",
                        "text/plain",
                        () -> ServerContent.Contents.text("This is the content of the static text resource.")),
                new ServerContent.Resource(
                        "test://static-binary",
                        "static-binary",
                        "A static PNG",
                        "image/png",
                        () -> ServerContent.Contents.blob(Base64.getDecoder().decode(PNG))),
                new ServerContent.Resource(
                        "test://watched-resource",
                        "watched-resource",
                        "A resource to subscribe to",
                        "text/plain",
                        () -> ServerContent.Contents.text("watched")));
        List<ServerContent.ResourceTemplate> templates = List.of(new ServerContent.ResourceTemplate(
                "test://template/{id}/data",
                "template-data",
                "Data by id",
                "application/json",
                vars -> ServerContent.Contents.text(Json.MAPPER
                        .createObjectNode()
                        .put("id", vars.get("id"))
                        .put("templateTest", true)
                        .put("data", "Data for ID: " + vars.get("id"))
                        .toString()),
                Map.of(
                        "id",
                        prefix -> List.of("123", "456").stream()
                                .filter(v -> v.startsWith(prefix))
                                .toList())));
        ArrayNode withImage = Json.MAPPER.createArrayNode();
        withImage.add(ServerContent.message("user", image()));
        withImage.addAll(ServerContent.userText("Please analyze the image above."));
        List<ServerContent.Prompt> prompts = List.of(
                new ServerContent.Prompt(
                        "test_simple_prompt",
                        null,
                        "A simple prompt without arguments",
                        List.of(),
                        args -> ServerContent.userText("This is a simple prompt for testing."),
                        Map.of()),
                new ServerContent.Prompt(
                        "test_prompt_with_arguments",
                        null,
                        "A prompt with two arguments",
                        List.of(
                                new ServerContent.PromptArgument("arg1", "First test argument", true),
                                new ServerContent.PromptArgument("arg2", "Second test argument", true)),
                        args -> ServerContent.userText("Prompt with arguments: arg1='" + args.get("arg1") + "', arg2='"
                                + args.get("arg2") + "'"),
                        Map.of(
                                "arg1",
                                prefix -> List.of("paris", "park", "party").stream()
                                        .filter(v -> v.startsWith(prefix))
                                        .toList())),
                new ServerContent.Prompt(
                        "test_prompt_with_embedded_resource",
                        null,
                        "A prompt embedding a resource",
                        List.of(new ServerContent.PromptArgument("resourceUri", "URI of the resource to embed", true)),
                        args -> {
                            ArrayNode m = Json.MAPPER.createArrayNode();
                            m.add(ServerContent.message(
                                    "user",
                                    resource(
                                            args.get("resourceUri"),
                                            "text/plain",
                                            "Embedded resource content for testing.")));
                            m.addAll(ServerContent.userText("Please process the embedded resource above."));
                            return m;
                        },
                        Map.of()),
                new ServerContent.Prompt(
                        "test_prompt_with_image",
                        null,
                        "A prompt with an image",
                        List.of(),
                        args -> withImage.deepCopy(),
                        Map.of()));
        return new ServerContent(resources, templates, prompts);
    }

    /** A tool that asks the client to fill {@code schema} and reports what came back. */
    static Tool elicit(String name, String description, String message, String schema) {
        return new NativeTool(name, description, emptySchema(), (args, ctx) -> {
            ObjectNode p = Json.MAPPER.createObjectNode().put("message", message);
            p.set("requestedSchema", TestToolServer.schema(schema));
            return ctx.request("elicitation/create", p)
                    .map(r -> content(text("Elicitation completed: action="
                            + r.path("action").asText() + ", content=" + r.path("content"))));
        });
    }

    static ObjectNode text(String t) {
        return Json.MAPPER.createObjectNode().put("type", "text").put("text", t);
    }

    static ObjectNode image() {
        return Json.MAPPER
                .createObjectNode()
                .put("type", "image")
                .put("data", PNG)
                .put("mimeType", "image/png");
    }

    static ObjectNode resource(String uri, String mime, String text) {
        ObjectNode r = Json.MAPPER.createObjectNode().put("type", "resource");
        r.putObject("resource").put("uri", uri).put("mimeType", mime).put("text", text);
        return r;
    }

    static ObjectNode content(ObjectNode... blocks) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        ArrayNode a = o.putArray("content");
        for (ObjectNode b : blocks) {
            a.add(b);
        }
        return o;
    }

    static ObjectNode errorOf(String message) {
        ObjectNode o = content(text(message));
        o.put("isError", true);
        return o;
    }

    static ObjectNode errorResult() {
        ObjectNode o = content(text("This tool intentionally returns an error for testing"));
        o.put("isError", true);
        return o;
    }

    static ObjectNode emptySchema() {
        ObjectNode s = Json.MAPPER.createObjectNode().put("type", "object");
        s.putObject("properties");
        return s;
    }

    static ObjectNode schema2020() {
        return TestToolServer.schema(
                "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                        + "\"$defs\":{\"address\":{\"type\":\"object\",\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
                        + "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"}},\"additionalProperties\":false}");
    }

    static Tool fixed(String name, String description, ObjectNode result) {
        return new NativeTool(
                name,
                description,
                emptySchema(),
                (args, ctx) -> Uni.createFrom().item(result));
    }

    record NativeTool(
            String name,
            String description,
            ObjectNode schema,
            BiFunction<JsonNode, McpCallContext, Uni<JsonNode>> body)
            implements Tool, McpNativeTool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(name, description, schema);
        }

        @Override
        public Uni<JsonNode> callMcp(JsonNode arguments, McpCallContext context) {
            return body.apply(arguments, context);
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return callMcp(arguments, new McpCallContext() {
                        @Override
                        public void progress(double progress, Double total, String message) {
                            context.progress().accept(progress, message);
                        }

                        @Override
                        public void log(String level, String logger, JsonNode data) {}
                    })
                    .map(r -> new ToolResult(
                            r.path("content").toString(),
                            null,
                            r.path("isError").asBoolean()));
        }
    }
}
