package io.thinkloop.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.codec.StreamingParser;
import io.thinkloop.json.Json;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a backend's {@link ModelChunk}s into OpenAI chat-completion chunks (streaming) or one message
 * (non-streaming). Raw text goes through the codec's lenient streaming parser; already-parsed events pass
 * through. Not thread-safe: one per completion, fed serially.
 */
public final class CompletionAssembler {
    private final String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final ThinkingMode mode;
    private final List<ToolSpec> tools;
    private StreamingParser parser;
    private boolean ended;
    private String finishReason;
    private ModelChunk.Usage usage;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final Map<Integer, Call> calls = new LinkedHashMap<>();

    private static final class Call {
        final String id =
                "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        final int openAiIndex;
        String name;
        final StringBuilder sentArguments = new StringBuilder();

        Call(int openAiIndex) {
            this.openAiIndex = openAiIndex;
        }
    }

    public CompletionAssembler(String model, ThinkingMode mode, List<ToolSpec> tools) {
        this.model = model;
        this.mode = mode;
        this.tools = tools;
    }

    /** The first chunk of a stream: the assistant role. */
    public ObjectNode roleChunk() {
        ObjectNode delta =
                Json.MAPPER.createObjectNode().put("role", "assistant").put("content", "");
        return chunk(delta, null);
    }

    /** Stream chunks for one backend chunk (possibly none). */
    public List<ObjectNode> accept(ModelChunk chunk) {
        return switch (chunk) {
            case ModelChunk.Text t -> {
                if (parser == null) {
                    parser = StreamingParser.lenient(mode, tools);
                }
                yield events(parser.feed(t.text()));
            }
            case ModelChunk.Parsed p -> events(List.of(p.event()));
            case ModelChunk.Usage u -> {
                usage = u;
                yield List.of();
            }
        };
    }

    /** The backend's stream completed: the closing chunks (finish reason). Usage is {@link #usageChunk()}. */
    public List<ObjectNode> finish() {
        List<ObjectNode> out = new ArrayList<>();
        if (parser != null && !ended) {
            out.addAll(events(parser.finish()));
        }
        if (!ended) {
            out.addAll(events(List.of(new ParseEvent.End(calls.isEmpty() ? "length" : "tool_calls"))));
        }
        return out;
    }

    private List<ObjectNode> events(List<ParseEvent> events) {
        List<ObjectNode> out = new ArrayList<>();
        for (ParseEvent event : events) {
            if (ended) {
                break;
            }
            ObjectNode delta = Json.MAPPER.createObjectNode();
            switch (event) {
                case ParseEvent.ReasoningDelta r -> {
                    if (r.text().isEmpty()) {
                        continue;
                    }
                    reasoning.append(r.text());
                    delta.put("reasoning_content", r.text());
                }
                case ParseEvent.TextDelta t -> {
                    if (t.text().isEmpty()) {
                        continue;
                    }
                    content.append(t.text());
                    delta.put("content", t.text());
                }
                case ParseEvent.ToolCallStarted s -> {
                    Call call = calls.computeIfAbsent(s.index(), i -> new Call(calls.size()));
                    call.name = s.name();
                    ObjectNode tc = delta.putArray("tool_calls").addObject();
                    tc.put("index", call.openAiIndex).put("id", call.id).put("type", "function");
                    tc.putObject("function").put("name", s.name()).put("arguments", "");
                }
                case ParseEvent.ToolCallArgumentsDelta d -> {
                    Call call = calls.computeIfAbsent(d.index(), i -> new Call(calls.size()));
                    if (d.delta().isEmpty()) {
                        continue;
                    }
                    call.sentArguments.append(d.delta());
                    argumentsDelta(delta, call, d.delta());
                }
                case ParseEvent.ToolCallCompleted c -> {
                    Call call = calls.computeIfAbsent(c.index(), i -> new Call(calls.size()));
                    if (call.name == null) {
                        call.name = c.name();
                    }
                    String sent = call.sentArguments.toString();
                    // Deltas add up to the final arguments; send whatever part was not streamed.
                    if (!c.argumentsJson().startsWith(sent) || c.argumentsJson().length() == sent.length()) {
                        continue;
                    }
                    String rest = c.argumentsJson().substring(sent.length());
                    call.sentArguments.append(rest);
                    argumentsDelta(delta, call, rest);
                }
                case ParseEvent.End e -> {
                    ended = true;
                    finishReason = !calls.isEmpty() ? "tool_calls" : e.reason().equals("length") ? "length" : "stop";
                    out.add(chunk(Json.MAPPER.createObjectNode(), finishReason));
                    continue;
                }
            }
            out.add(chunk(delta, null));
        }
        return out;
    }

    private static void argumentsDelta(ObjectNode delta, Call call, String text) {
        ObjectNode tc = delta.putArray("tool_calls").addObject();
        tc.put("index", call.openAiIndex);
        tc.putObject("function").put("arguments", text);
    }

    private ObjectNode chunk(ObjectNode delta, String finish) {
        ObjectNode root = header("chat.completion.chunk");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        return root;
    }

    /** The trailing usage chunk ({@code stream_options.include_usage}). */
    public ObjectNode usageChunk() {
        ObjectNode root = header("chat.completion.chunk");
        root.putArray("choices");
        root.set("usage", usageJson());
        return root;
    }

    /** The whole answer (non-streaming), after {@link #finish()}. */
    public ObjectNode completion() {
        ObjectNode root = header("chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (content.isEmpty() && !calls.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", content.toString());
        }
        if (!reasoning.isEmpty()) {
            message.put("reasoning_content", reasoning.toString());
        }
        if (!calls.isEmpty()) {
            ArrayNode array = message.putArray("tool_calls");
            for (Call call : calls.values()) {
                array.add(OpenAiChat.toolCallJson(new ToolCall(call.id, call.name, call.sentArguments.toString())));
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason == null ? "stop" : finishReason);
        root.set("usage", usageJson());
        return root;
    }

    private ObjectNode usageJson() {
        ObjectNode u = Json.MAPPER.createObjectNode();
        int prompt = usage == null ? 0 : usage.promptTokens();
        int completion = usage == null ? 0 : usage.completionTokens();
        u.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        u.putObject("completion_tokens_details").put("reasoning_tokens", usage == null ? 0 : usage.reasoningTokens());
        return u;
    }

    private ObjectNode header(String object) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("id", id).put("object", object).put("created", created).put("model", model);
        return root;
    }
}
