package io.thinkloop.tools;

import java.util.function.BiConsumer;

/** Per-call context: the ids that tie the call to its session and turn, and a progress sink. */
public record ToolCallContext(String sessionId, String turnId, String toolCallId, BiConsumer<Double, String> progress) {
    public static ToolCallContext detached(String toolCallId) {
        return new ToolCallContext(null, null, toolCallId, (p, m) -> {});
    }
}
