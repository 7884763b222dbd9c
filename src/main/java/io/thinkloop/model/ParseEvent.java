package io.thinkloop.model;

import java.util.List;

/**
 * What the streaming parser emits, as early as it can decide it and never taken back. Reassembled in
 * order, the events of a completion equal {@link DeepSeekV32Codec#parse} of the whole text. Events may
 * carry the lenient-mode {@link Repair}s that produced them, so callers can log them.
 */
public sealed interface ParseEvent {

    /** Repairs applied to produce this event (lenient mode); empty in strict mode. */
    default List<Repair> repairs() {
        return List.of();
    }

    record ReasoningDelta(String text) implements ParseEvent {}

    record TextDelta(String text) implements ParseEvent {}

    /** A tool call's invoke tag was read: its position in the message and the tool's name. */
    record ToolCallStarted(int index, String name, List<Repair> repairs) implements ParseEvent {
        public ToolCallStarted(int index, String name) {
            this(index, name, List.of());
        }
    }

    /**
     * A piece of the arguments of call {@code index}: {@code delta} is a fragment of the argument JSON
     * text as it will finally read (concatenated deltas = the completed {@code argumentsJson}).
     */
    record ToolCallArgumentsDelta(int index, String delta) implements ParseEvent {}

    /** The call is complete; {@code argumentsJson} is the JSON text of its argument object. */
    record ToolCallCompleted(int index, String name, String argumentsJson, List<Repair> repairs) implements ParseEvent {
        public ToolCallCompleted(int index, String name, String argumentsJson) {
            this(index, name, argumentsJson, List.of());
        }
    }

    /** The completion ended: {@code stop} (end of sentence), {@code tool_calls}, or {@code length} (stream ended). */
    record End(String reason, List<Repair> repairs) implements ParseEvent {
        public End(String reason) {
            this(reason, List.of());
        }
    }
}
