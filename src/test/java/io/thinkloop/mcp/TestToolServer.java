package io.thinkloop.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpToolMetadata;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.thinkloop.tools.ToolServerDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tool server the MCP tests serve ({@code ./thinkloop tool-server test-tools} in tests): echo, add
 * with structured output, a slow tool reporting progress (cancellable), a failing tool, a blocking one.
 */
public final class TestToolServer implements ToolServerDefinition {
    /** How many slow calls were cancelled before they finished (the tests read it). */
    public static final AtomicInteger CANCELLED = new AtomicInteger();

    @Override
    public String name() {
        return "test-tools";
    }

    @Override
    public String description() {
        return "Tools for the MCP tests: echo, add, slow, fail, sleep";
    }

    @Override
    public List<Tool> tools(Map<String, String> options) {
        List<Tool> tools = new ArrayList<>(List.of(new Echo(), new Add(), new Slow(), new Fail(), new Sleep()));
        int extra = Integer.parseInt(options.getOrDefault("extra", "0"));
        for (int i = 0; i < extra; i++) {
            tools.add(new Numbered(i));
        }
        return tools;
    }

    static ObjectNode schema(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static final class Echo implements Tool, McpToolMetadata {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(
                    "echo",
                    "Echoes its message back",
                    schema(
                            "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}"));
        }

        @Override
        public String title() {
            return "Echo";
        }

        @Override
        public JsonNode annotations() {
            return Json.MAPPER.createObjectNode().put("readOnlyHint", true).put("idempotentHint", true);
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return Uni.createFrom()
                    .item(ToolResult.ok("Echo: " + arguments.path("message").asText()));
        }
    }

    public static final class Add implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(
                    "add",
                    "Adds two numbers",
                    schema(
                            "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"number\"}},\"required\":[\"a\",\"b\"]}"));
        }

        @Override
        public JsonNode outputSchema() {
            return schema(
                    "{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"number\"}},\"required\":[\"sum\"]}");
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            double sum = arguments.path("a").asDouble() + arguments.path("b").asDouble();
            ObjectNode structured = Json.MAPPER.createObjectNode().put("sum", sum);
            return Uni.createFrom().item(new ToolResult(structured.toString(), structured, false));
        }
    }

    /** Reports progress every {@code stepMs} for {@code steps} steps; counts cancellations. */
    public static final class Slow implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(
                    "slow",
                    "Counts slowly, reporting progress",
                    schema(
                            "{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"integer\"},\"stepMs\":{\"type\":\"integer\"}}}"));
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            int steps = arguments.path("steps").asInt(5);
            long stepMs = arguments.path("stepMs").asLong(100);
            return Multi.createFrom()
                    .ticks()
                    .every(Duration.ofMillis(Math.max(1, stepMs)))
                    .select()
                    .first(steps)
                    .invoke(tick ->
                            context.progress().accept((double) (tick + 1), "step " + (tick + 1) + " of " + steps))
                    .collect()
                    .last()
                    .map(last -> ToolResult.ok("done after " + steps + " steps"))
                    .onCancellation()
                    .invoke(CANCELLED::incrementAndGet);
        }
    }

    public static final class Fail implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec("fail", "Always fails with a tool error", schema("{\"type\":\"object\"}"));
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return Uni.createFrom().item(ToolResult.error("this tool always fails"));
        }
    }

    /**
     * Blocks its thread (as a careless tool would): the server must stay responsive meanwhile. With
     * {@code "untilReleased": true} it blocks until {@link #releaseBlocked()}, so a test can hold calls in
     * flight for as long as it checks something, with no timing involved.
     */
    public static final class Sleep implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(
                    "sleep",
                    "Blocks for ms milliseconds",
                    schema(
                            "{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\"},\"untilReleased\":{\"type\":\"boolean\"}}}"));
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            BLOCKED.incrementAndGet();
            try {
                if (arguments.path("untilReleased").asBoolean()) {
                    release.get().await();
                } else {
                    Thread.sleep(arguments.path("ms").asLong(100)); // the tool's own work, not a test's wait
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                BLOCKED.decrementAndGet();
            }
            return Uni.createFrom().item(ToolResult.ok("slept"));
        }
    }

    /** How many sleep calls are blocking a thread right now. */
    public static final AtomicInteger BLOCKED = new AtomicInteger();

    private static final AtomicReference<CountDownLatch> release = new AtomicReference<>(new CountDownLatch(1));

    /** Lets every sleep call blocked "until released" finish; later ones block until the next release. */
    public static void releaseBlocked() {
        release.getAndSet(new CountDownLatch(1)).countDown();
    }

    public record Numbered(int n) implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec("tool_" + n, "Numbered tool " + n, schema("{\"type\":\"object\"}"));
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return Uni.createFrom().item(ToolResult.ok("tool " + n));
        }
    }
}
