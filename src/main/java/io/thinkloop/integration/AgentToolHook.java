package io.thinkloop.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;

/**
 * The hook behind the {@code agent} tool that {@code /mcp/ws} offers: implement it as a CDI bean (wired
 * to the agent loop) and MCP clients can run the agent as a tool. Without such a bean there is no
 * {@code agent} tool.
 */
public interface AgentToolHook {
    /** JSON Schema of the tool's arguments; by default {@code {"task": string}}. */
    default JsonNode parameters() {
        try {
            return Json.MAPPER.readTree("{\"type\":\"object\",\"properties\":{\"task\":{\"type\":\"string\","
                    + "\"description\":\"What the agent should do\"}},\"required\":[\"task\"]}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    default String description() {
        return "Runs the Thinkloop agent on a task and returns its final answer";
    }

    /** Whether {@code /mcp/ws} offers the tool at all (e.g. only behind a token); asked once at startup. */
    default boolean enabled() {
        return true;
    }

    /** Runs the agent; progress goes to {@code context.progress()}; cancelling the Uni stops the run. */
    Uni<ToolResult> run(JsonNode arguments, ToolCallContext context);
}
