package io.thinkloop.mcp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.tools.ServerContent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves a {@link ServerContent} over MCP, the same for every session and transport: {@code resources/list},
 * {@code resources/templates/list}, {@code resources/read} (direct resources first, then templates),
 * {@code prompts/list}, {@code prompts/get} and {@code completion/complete}. Lists are paged with the
 * session's cursors.
 */
final class ServerContentDispatch {
    /** Error code for a resource that does not exist (MCP's resource-not-found). */
    static final int RESOURCE_NOT_FOUND = -32002;

    private static final int MAX_COMPLETIONS = 100;

    private ServerContentDispatch() {}

    static ObjectNode listResources(ServerContent c, JsonNode params, int pageSize) {
        List<JsonNode> all = new ArrayList<>();
        for (ServerContent.Resource r : c.resources()) {
            ObjectNode o = Json.MAPPER.createObjectNode().put("uri", r.uri()).put("name", r.name());
            putIf(o, "description", r.description());
            putIf(o, "mimeType", r.mimeType());
            all.add(o);
        }
        return McpServerSession.page(all, "resources", params, pageSize);
    }

    static ObjectNode listTemplates(ServerContent c, JsonNode params, int pageSize) {
        List<JsonNode> all = new ArrayList<>();
        for (ServerContent.ResourceTemplate t : c.templates()) {
            ObjectNode o = Json.MAPPER
                    .createObjectNode()
                    .put("uriTemplate", t.uriTemplate())
                    .put("name", t.name());
            putIf(o, "description", t.description());
            putIf(o, "mimeType", t.mimeType());
            all.add(o);
        }
        return McpServerSession.page(all, "resourceTemplates", params, pageSize);
    }

    static ObjectNode read(ServerContent c, JsonNode params) {
        String uri = requiredText(params, "uri");
        for (ServerContent.Resource r : c.resources()) {
            if (r.uri().equals(uri)) {
                return contents(uri, r.mimeType(), r.read().get());
            }
        }
        for (ServerContent.ResourceTemplate t : c.templates()) {
            Map<String, String> vars = match(t.uriTemplate(), uri);
            if (vars != null) {
                try {
                    return contents(uri, t.mimeType(), t.read().apply(vars));
                } catch (IllegalArgumentException e) {
                    throw notFound(uri, e.getMessage());
                }
            }
        }
        throw notFound(uri, null);
    }

    private static McpException notFound(String uri, String why) {
        return new McpException(new JsonRpcError(
                RESOURCE_NOT_FOUND,
                "Resource not found: " + uri + (why == null ? "" : " (" + why + ")"),
                Json.MAPPER.createObjectNode().put("uri", uri)));
    }

    private static ObjectNode contents(String uri, String mimeType, ServerContent.Contents body) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        ObjectNode o = result.putArray("contents").addObject().put("uri", uri);
        putIf(o, "mimeType", mimeType);
        if (body.blob() != null) {
            o.put("blob", Base64.getEncoder().encodeToString(body.blob()));
        } else {
            o.put("text", body.text() == null ? "" : body.text());
        }
        return result;
    }

    static ObjectNode listPrompts(ServerContent c, JsonNode params, int pageSize) {
        List<JsonNode> all = new ArrayList<>();
        for (ServerContent.Prompt p : c.prompts()) {
            ObjectNode o = Json.MAPPER.createObjectNode().put("name", p.name());
            putIf(o, "title", p.title());
            putIf(o, "description", p.description());
            ArrayNode args = o.putArray("arguments");
            for (ServerContent.PromptArgument a : p.arguments()) {
                ObjectNode ao = args.addObject().put("name", a.name()).put("required", a.required());
                putIf(ao, "description", a.description());
            }
            all.add(o);
        }
        return McpServerSession.page(all, "prompts", params, pageSize);
    }

    static ObjectNode getPrompt(ServerContent c, JsonNode params) {
        String name = requiredText(params, "name");
        ServerContent.Prompt prompt = c.prompts().stream()
                .filter(p -> p.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () -> new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: unknown prompt " + name));
        Map<String, String> args = new LinkedHashMap<>();
        JsonNode given = params.get("arguments");
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                throw new McpException(
                        JsonRpcError.INVALID_PARAMS, "Invalid params: arguments must be an object of strings");
            }
            given.properties().forEach(e -> args.put(e.getKey(), e.getValue().asText()));
        }
        for (ServerContent.PromptArgument a : prompt.arguments()) {
            if (a.required()
                    && (args.get(a.name()) == null || args.get(a.name()).isEmpty())) {
                throw new McpException(
                        JsonRpcError.INVALID_PARAMS, "Invalid params: prompt " + name + " needs argument " + a.name());
            }
        }
        ObjectNode result = Json.MAPPER.createObjectNode();
        putIf(result, "description", prompt.description());
        try {
            result.set("messages", prompt.messages().apply(args));
        } catch (IllegalArgumentException e) {
            throw new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: " + e.getMessage());
        }
        return result;
    }

    static ObjectNode complete(ServerContent c, JsonNode params) {
        JsonNode ref = params == null ? null : params.get("ref");
        JsonNode argument = params == null ? null : params.get("argument");
        if (ref == null || !ref.isObject() || argument == null || !argument.isObject()) {
            throw new McpException(
                    JsonRpcError.INVALID_PARAMS, "Invalid params: completion/complete needs ref and argument");
        }
        String argName = argument.path("name").asText("");
        String prefix = argument.path("value").asText("");
        Map<String, Function<String, List<String>>> completers = switch (ref.path("type")
                .asText()) {
            case "ref/prompt" ->
                c.prompts().stream()
                        .filter(p -> p.name().equals(ref.path("name").asText()))
                        .findFirst()
                        .map(ServerContent.Prompt::complete)
                        .orElseThrow(() -> new McpException(
                                JsonRpcError.INVALID_PARAMS,
                                "Invalid params: unknown prompt "
                                        + ref.path("name").asText()));
            case "ref/resource" ->
                c.templates().stream()
                        .filter(t -> t.uriTemplate().equals(ref.path("uri").asText()))
                        .findFirst()
                        .map(ServerContent.ResourceTemplate::complete)
                        .orElseThrow(() -> new McpException(
                                JsonRpcError.INVALID_PARAMS,
                                "Invalid params: unknown resource template "
                                        + ref.path("uri").asText()));
            default ->
                throw new McpException(
                        JsonRpcError.INVALID_PARAMS, "Invalid params: ref.type must be ref/prompt or ref/resource");
        };
        Function<String, List<String>> completer = completers == null ? null : completers.get(argName);
        List<String> values = completer == null ? List.of() : completer.apply(prefix);
        ObjectNode result = Json.MAPPER.createObjectNode();
        ObjectNode completion = result.putObject("completion");
        ArrayNode v = completion.putArray("values");
        values.stream().limit(MAX_COMPLETIONS).forEach(v::add);
        completion.put("total", values.size());
        completion.put("hasMore", values.size() > MAX_COMPLETIONS);
        return result;
    }

    /** Level-1 URI templates: each {@code {name}} matches one path segment (percent-decoded). */
    static Map<String, String> match(String template, String uri) {
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/?#]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        Matcher u = Pattern.compile(regex.toString()).matcher(uri);
        if (!u.matches()) {
            return null;
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            vars.put(names.get(i), URLDecoder.decode(u.group(i + 1), StandardCharsets.UTF_8));
        }
        return vars;
    }

    private static String requiredText(JsonNode params, String field) {
        JsonNode v = params == null ? null : params.get(field);
        if (v == null || !v.isTextual()) {
            throw new McpException(JsonRpcError.INVALID_PARAMS, "Invalid params: " + field + " (a string) is required");
        }
        return v.textValue();
    }

    private static void putIf(ObjectNode o, String field, String value) {
        if (value != null) {
            o.put(field, value);
        }
    }
}
