package io.thinkloop.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.Repair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A backend's chunks reassembled, checking the event invariants on the way (deltas add up, one End, usage last). */
record Collected(
        String reasoning,
        String text,
        Map<Integer, Call> calls,
        String endReason,
        ModelChunk.Usage usage,
        List<Repair> repairs,
        String rawText) {

    record Call(String name, String arguments, List<Repair> repairs) {}

    static Collected of(List<ModelChunk> chunks) {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder text = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        Map<Integer, String> names = new LinkedHashMap<>();
        Map<Integer, StringBuilder> deltas = new LinkedHashMap<>();
        Map<Integer, Call> calls = new LinkedHashMap<>();
        List<Repair> repairs = new ArrayList<>();
        String end = null;
        ModelChunk.Usage usage = null;
        for (ModelChunk chunk : chunks) {
            assertTrue(usage == null, "usage comes last");
            switch (chunk) {
                case ModelChunk.Usage u -> usage = u;
                case ModelChunk.Text t -> raw.append(t.text());
                case ModelChunk.Parsed p -> {
                    assertTrue(end == null, "nothing after End but usage: " + p.event());
                    repairs.addAll(p.event().repairs());
                    switch (p.event()) {
                        case ParseEvent.ReasoningDelta r -> reasoning.append(r.text());
                        case ParseEvent.TextDelta t -> text.append(t.text());
                        case ParseEvent.ToolCallStarted s -> {
                            assertTrue(!names.containsKey(s.index()), "call " + s.index() + " started twice");
                            names.put(s.index(), s.name());
                        }
                        case ParseEvent.ToolCallArgumentsDelta d -> {
                            assertTrue(names.containsKey(d.index()), "arguments before start of call " + d.index());
                            deltas.computeIfAbsent(d.index(), i -> new StringBuilder())
                                    .append(d.delta());
                        }
                        case ParseEvent.ToolCallCompleted c -> {
                            assertEquals(names.get(c.index()), c.name());
                            assertEquals(
                                    c.argumentsJson(),
                                    String.valueOf(deltas.getOrDefault(c.index(), new StringBuilder())),
                                    "argument deltas add up to the completed arguments");
                            calls.put(c.index(), new Call(c.name(), c.argumentsJson(), c.repairs()));
                        }
                        case ParseEvent.End e -> end = e.reason();
                    }
                }
            }
        }
        assertEquals(names.keySet(), calls.keySet(), "every started call completes");
        return new Collected(reasoning.toString(), text.toString(), calls, end, usage, repairs, raw.toString());
    }
}
