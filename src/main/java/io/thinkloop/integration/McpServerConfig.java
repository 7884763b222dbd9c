package io.thinkloop.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One configured MCP server: either a process to launch ({@code command} + {@code args} + {@code env},
 * spoken to over stdio) or a {@code url} ({@code ws://}/{@code wss://} for WebSocket, {@code http(s)://}
 * for Streamable HTTP) with optional {@code headers} and {@code token}.
 */
public record McpServerConfig(
        String name,
        String command,
        List<String> args,
        Map<String, String> env,
        String cwd,
        String url,
        Map<String, String> headers,
        String token) {

    public boolean isStdio() {
        return command != null && !command.isBlank();
    }

    public void validate() {
        if (isStdio() == (url != null && !url.isBlank())) {
            throw new IllegalArgumentException(
                    "MCP server '" + name + "' needs exactly one of command (stdio) or url (ws/http)");
        }
        if (url != null && !url.matches("(?i)(wss?|https?)://.+")) {
            throw new IllegalArgumentException(
                    "MCP server '" + name + "': url must start with ws://, wss://, http:// or https://, got " + url);
        }
    }

    /** Reads the familiar {@code {"mcpServers": {"name": {...}}}} file (a bare map of servers also works). */
    public static List<McpServerConfig> fromJsonFile(Path file) throws IOException {
        JsonNode root = Json.MAPPER.readTree(Files.readString(file));
        JsonNode servers = root.has("mcpServers") ? root.get("mcpServers") : root;
        List<McpServerConfig> out = new ArrayList<>();
        var it = servers.fields();
        while (it.hasNext()) {
            var e = it.next();
            JsonNode s = e.getValue();
            if (s.path("disabled").asBoolean(false)) {
                continue;
            }
            List<String> args = new ArrayList<>();
            s.path("args").forEach(a -> args.add(a.asText()));
            McpServerConfig c = new McpServerConfig(
                    e.getKey(),
                    text(s, "command"),
                    args,
                    strings(s.get("env")),
                    text(s, "cwd"),
                    text(s, "url"),
                    strings(s.get("headers")),
                    text(s, "token"));
            c.validate();
            out.add(c);
        }
        return out;
    }

    /**
     * Reads {@code thinkloop.mcp.servers.NAME.(command|args|cwd|url|token)} and
     * {@code thinkloop.mcp.servers.NAME.(env|headers).KEY} from flat properties; {@code args} is comma-separated.
     */
    public static List<McpServerConfig> fromProperties(Map<String, String> props) {
        String prefix = "thinkloop.mcp.servers.";
        Map<String, Map<String, String>> byName = new TreeMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                String rest = k.substring(prefix.length());
                int dot = rest.indexOf('.');
                if (dot > 0) {
                    byName.computeIfAbsent(rest.substring(0, dot), n -> new LinkedHashMap<>())
                            .put(rest.substring(dot + 1), v);
                }
            }
        });
        List<McpServerConfig> out = new ArrayList<>();
        byName.forEach((name, p) -> {
            Map<String, String> env = new LinkedHashMap<>();
            Map<String, String> headers = new LinkedHashMap<>();
            p.forEach((k, v) -> {
                if (k.startsWith("env.")) {
                    env.put(k.substring(4), v);
                } else if (k.startsWith("headers.")) {
                    headers.put(k.substring(8), v);
                }
            });
            List<String> args = p.get("args") == null || p.get("args").isBlank()
                    ? List.of()
                    : List.of(p.get("args").split("\\s*,\\s*"));
            McpServerConfig c = new McpServerConfig(
                    name, p.get("command"), args, env, p.get("cwd"), p.get("url"), headers, p.get("token"));
            c.validate();
            out.add(c);
        });
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }
}
