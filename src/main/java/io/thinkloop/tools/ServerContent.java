package io.thinkloop.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.thinkloop.json.Json;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a tool server offers besides tools, in MCP's terms but without MCP's wire format: resources (read by
 * URI), resource templates ({@code {name}} placeholders, each a whole path segment), and prompts (message
 * templates with arguments). Arguments of templates and prompts may offer completions. A tool server built
 * only on the tool-server kit describes them here; the MCP server serves them.
 */
public record ServerContent(List<Resource> resources, List<ResourceTemplate> templates, List<Prompt> prompts) {
    public static final ServerContent NONE = new ServerContent(List.of(), List.of(), List.of());

    public ServerContent {
        resources = List.copyOf(resources);
        templates = List.copyOf(templates);
        prompts = List.copyOf(prompts);
    }

    public boolean isEmpty() {
        return resources.isEmpty() && templates.isEmpty() && prompts.isEmpty();
    }

    /** A resource's body: text, or bytes (sent base64 as a blob). */
    public record Contents(String text, byte[] blob) {
        public static Contents text(String text) {
            return new Contents(text, null);
        }

        public static Contents blob(byte[] bytes) {
            return new Contents(null, bytes);
        }
    }

    public record Resource(String uri, String name, String description, String mimeType, Supplier<Contents> read) {}

    /**
     * A family of resources: {@code read} gets the template's variables (and throws IllegalArgumentException
     * for values that name nothing); {@code complete} maps a variable to its completions for a typed prefix.
     */
    public record ResourceTemplate(
            String uriTemplate,
            String name,
            String description,
            String mimeType,
            Function<Map<String, String>, Contents> read,
            Map<String, Function<String, List<String>>> complete) {}

    public record PromptArgument(String name, String description, boolean required) {}

    /**
     * A prompt: {@code messages} renders the arguments into MCP prompt messages
     * ({@code [{role, content: {type, ...}}]}, see {@link #userText}); {@code complete} as for templates.
     */
    public record Prompt(
            String name,
            String title,
            String description,
            List<PromptArgument> arguments,
            Function<Map<String, String>, ArrayNode> messages,
            Map<String, Function<String, List<String>>> complete) {}

    /** Prompt messages: one user message per text. */
    public static ArrayNode userText(String... texts) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (String t : texts) {
            a.addObject()
                    .put("role", "user")
                    .putObject("content")
                    .put("type", "text")
                    .put("text", t);
        }
        return a;
    }

    /** A prompt message with any content block (image, embedded resource). */
    public static JsonNode message(String role, JsonNode content) {
        var m = Json.MAPPER.createObjectNode().put("role", role);
        m.set("content", content);
        return m;
    }
}
