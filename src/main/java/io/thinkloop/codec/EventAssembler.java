package io.thinkloop.codec;

import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ParsedMessage;
import io.thinkloop.model.Repair;
import io.thinkloop.model.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Reassembles {@link ParseEvent}s into the {@link ParsedMessage} they describe, checking on the way that the
 * stream is consistent (calls started and completed in order, argument deltas adding up to the completed
 * arguments). Collects the repairs reported along the way.
 */
public final class EventAssembler {
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    private final List<Repair> repairs = new ArrayList<>();
    private final StringBuilder argDeltas = new StringBuilder();
    private int open = -1;
    private ParseEvent.End end;

    public EventAssembler accept(List<ParseEvent> events) {
        for (ParseEvent e : events) {
            accept(e);
        }
        return this;
    }

    public EventAssembler accept(ParseEvent event) {
        if (end != null) {
            throw new IllegalStateException("event after End: " + event);
        }
        repairs.addAll(event.repairs());
        switch (event) {
            case ParseEvent.ReasoningDelta d -> reasoning.append(d.text());
            case ParseEvent.TextDelta d -> content.append(d.text());
            case ParseEvent.ToolCallStarted s -> {
                if (open >= 0 || s.index() != calls.size()) {
                    throw new IllegalStateException("tool call " + s.index() + " started out of order");
                }
                open = s.index();
                argDeltas.setLength(0);
            }
            case ParseEvent.ToolCallArgumentsDelta d -> {
                if (d.index() != open) {
                    throw new IllegalStateException("arguments for call " + d.index() + " while " + open + " is open");
                }
                argDeltas.append(d.delta());
            }
            case ParseEvent.ToolCallCompleted c -> {
                if (c.index() != open) {
                    throw new IllegalStateException("call " + c.index() + " completed while " + open + " is open");
                }
                if (!argDeltas.toString().equals(c.argumentsJson())) {
                    throw new IllegalStateException(
                            "argument deltas " + argDeltas + " != completed " + c.argumentsJson());
                }
                calls.add(new ToolCall(null, c.name(), c.argumentsJson()));
                open = -1;
            }
            case ParseEvent.End e -> {
                if (open >= 0) {
                    throw new IllegalStateException("End while tool call " + open + " is open");
                }
                end = e;
            }
        }
        return this;
    }

    public ParsedMessage message() {
        return new ParsedMessage(content.toString(), reasoning.toString(), List.copyOf(calls));
    }

    public List<Repair> repairs() {
        return List.copyOf(repairs);
    }

    /** The End event, or null before the stream ended. */
    public ParseEvent.End end() {
        return end;
    }
}
