package io.thinkloop.train.sft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ToolCall;
import io.thinkloop.synth.ToolInvoker;
import io.thinkloop.tools.ArgumentValidator;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one agent turn as the session history would hold it: the user's message, then per step the assistant's
 * reasoning and tool calls followed by the tools' real results (each call validated against its schema and run
 * against the environment, as the agent loop runs it), and finally the reasoning and answer without tools.
 */
final class TrajectoryRecorder {
    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final List<ChatMessage> history = new ArrayList<>();
    private int steps;
    private boolean answered;

    TrajectoryRecorder(List<Tool> tools, String userMessage) {
        tools.forEach(t -> this.tools.put(t.spec().name(), t));
        history.add(ChatMessage.user(userMessage));
    }

    /** One step: reasoning, then the calls (issued together); returns each call's result, parsed as JSON. */
    List<JsonNode> act(String reasoning, List<ToolInvoker.Call> calls) {
        if (answered) {
            throw new IllegalStateException("the turn is over");
        }
        if (calls.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one tool call");
        }
        List<ToolCall> toolCalls = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            ToolInvoker.Call c = calls.get(i);
            toolCalls.add(new ToolCall("call_" + steps + "_" + i, c.name(), json(c.arguments())));
        }
        history.add(ChatMessage.assistant("", reasoning, toolCalls));
        List<JsonNode> results = new ArrayList<>(calls.size());
        for (ToolCall call : toolCalls) {
            Tool tool = tools.get(call.name());
            if (tool == null) {
                throw new IllegalStateException("the environment has no tool " + call.name());
            }
            ToolResult r = switch (ArgumentValidator.validate(tool, call.arguments())) {
                case ArgumentValidator.Invalid bad -> ToolResult.error(bad.message());
                case ArgumentValidator.Valid ok ->
                    tool.call(ok.arguments(), ToolCallContext.detached(call.id()))
                            .await()
                            .atMost(Duration.ofSeconds(30));
            };
            history.add(ChatMessage.tool(call.id(), r.text()));
            if (r.isError()) {
                throw new IllegalStateException(call.name() + " failed: " + r.text());
            }
            try {
                results.add(Json.MAPPER.readTree(r.text()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(call.name() + " returned non-JSON text: " + r.text(), e);
            }
        }
        steps++;
        return results;
    }

    JsonNode act(String reasoning, ToolInvoker.Call call) {
        return act(reasoning, List.of(call)).getFirst();
    }

    /** The last step: reasoning and the answer, no tools. */
    void answer(String reasoning, String content) {
        history.add(ChatMessage.assistant(content, reasoning, null));
        answered = true;
    }

    /** The history so far (user message first). */
    List<ChatMessage> history() {
        return List.copyOf(history);
    }

    int steps() {
        return steps;
    }

    private static String json(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
