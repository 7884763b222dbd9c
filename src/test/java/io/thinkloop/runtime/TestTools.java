package io.thinkloop.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/** Local tools for the service tests; they record cancellations so tests can see them arrive. */
final class TestTools {
    /** Session id to a latch counted down when a call of that session is cancelled. */
    static final Map<String, CountDownLatch> CANCELLED = new ConcurrentHashMap<>();

    private TestTools() {}

    static CountDownLatch cancellations(String sessionId) {
        return CANCELLED.computeIfAbsent(sessionId, k -> new CountDownLatch(1));
    }

    private static JsonNode schema(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final JsonNode MS_SCHEMA = schema("""
            {"type":"object","properties":{"ms":{"type":"integer","minimum":0}},"required":["ms"],"additionalProperties":false}""");

    /** Waits {@code ms} without holding a thread, then answers. */
    static Tool sleep() {
        return new Tool() {
            public ToolSpec spec() {
                return new ToolSpec("sleep", "Waits the given milliseconds.", MS_SCHEMA);
            }

            public Uni<ToolResult> call(JsonNode args, ToolCallContext ctx) {
                int ms = args.get("ms").asInt();
                return Uni.createFrom()
                        .item(ToolResult.ok("slept " + ms))
                        .onItem()
                        .delayIt()
                        .by(Duration.ofMillis(ms))
                        .onCancellation()
                        .invoke(() -> cancellations(ctx.sessionId()).countDown());
            }
        };
    }

    /** Never answers; counts its cancellation. */
    static Tool hang() {
        return new Tool() {
            public ToolSpec spec() {
                return new ToolSpec("hang", "Never returns.", schema("{\"type\":\"object\"}"));
            }

            public Uni<ToolResult> call(JsonNode args, ToolCallContext ctx) {
                return Uni.createFrom()
                        .<ToolResult>emitter(em -> {})
                        .onCancellation()
                        .invoke(() -> cancellations(ctx.sessionId()).countDown());
            }
        };
    }

    /** Answers at once; approval comes from configuration (thinkloop.tools.approval.guarded=ask). */
    static Tool guarded() {
        return simple("guarded", Tool.Approval.AUTO);
    }

    /** Asks for approval by itself. */
    static Tool dangerous() {
        return simple("dangerous", Tool.Approval.ASK);
    }

    private static Tool simple(String name, Tool.Approval approval) {
        return new Tool() {
            public ToolSpec spec() {
                return new ToolSpec(name, "Does " + name + " things.", schema("{\"type\":\"object\"}"));
            }

            public Tool.Approval approval() {
                return approval;
            }

            public Uni<ToolResult> call(JsonNode args, ToolCallContext ctx) {
                return Uni.createFrom().item(ToolResult.ok(name + " done"));
            }
        };
    }
}
