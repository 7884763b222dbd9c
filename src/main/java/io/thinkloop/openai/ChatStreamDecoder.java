package io.thinkloop.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.codec.ArgumentCoercion;
import io.thinkloop.codec.StreamingParser;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.Repair;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a streamed chat completion of an OpenAI-compatible server (the data of its SSE events, one at a time) into
 * {@link ModelChunk.Parsed} events, across the servers' dialects; the remote chat backend feeds it. One per
 * response, fed serially. A chunk that is no JSON, or an {@code error} in the stream, throws
 * {@link BackendException}. The dialects:
 * <ul>
 * <li>reasoning in {@code delta.reasoning_content} (DeepSeek API, SGLang, older vLLM) or
 * {@code delta.reasoning} (newer vLLM);</li>
 * <li>tool calls whose arguments arrive in pieces or in one piece, reassembled by {@code index}; their
 * arguments are emitted once complete (after schema coercion of quoted scalars), so that the streamed
 * argument deltas always add up to the completed arguments;</li>
 * <li>DSML tool markup that a server failed to parse and left in {@code content}: from the first
 * {@code <｜DSML｜} on, content goes through the codec's lenient streaming parser.</li>
 * </ul>
 * Usage is emitted last, after the {@link ParseEvent.End}.
 */
public final class ChatStreamDecoder {
    static final String DSML_MARK = "<｜DSML｜";

    private final Map<String, ToolSpec> tools = new LinkedHashMap<>();
    private final List<ToolSpec> toolList;
    private final Map<Integer, NativeCall> nativeCalls = new LinkedHashMap<>();
    private final Map<Integer, Integer> parserIndex = new LinkedHashMap<>();
    private final StringBuilder held = new StringBuilder();
    private StreamingParser dsml;
    private int nextIndex;
    private boolean done;
    private String finishReason;
    private ModelChunk.Usage usage;
    private final List<Repair> endRepairs = new ArrayList<>();

    public ChatStreamDecoder(List<ToolSpec> tools) {
        this.toolList = tools == null ? List.of() : tools;
        this.toolList.forEach(t -> this.tools.put(t.name(), t));
    }

    private static final class NativeCall {
        final int index;
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
        boolean started;
        boolean completed;

        NativeCall(int index) {
            this.index = index;
        }
    }

    /** Chunks for one event's data ({@code [DONE]} included). */
    public List<ModelChunk> onData(String data) {
        List<ModelChunk> out = new ArrayList<>();
        if (data.strip().equals("[DONE]")) {
            done = true;
            return out;
        }
        JsonNode chunk = readChunk(data);
        JsonNode u = chunk.get("usage");
        if (u != null && u.isObject()) {
            usage = new ModelChunk.Usage(
                    u.path("prompt_tokens").asInt(),
                    u.path("completion_tokens").asInt(),
                    u.path("completion_tokens_details").path("reasoning_tokens").asInt(0));
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return out;
        }
        JsonNode delta = choice.path("delta");
        String reasoning = text(delta, "reasoning_content");
        if (reasoning == null) {
            reasoning = text(delta, "reasoning");
        }
        if (reasoning != null && !reasoning.isEmpty()) {
            out.add(new ModelChunk.Parsed(new ParseEvent.ReasoningDelta(reasoning)));
        }
        String content = text(delta, "content");
        if (content != null && !content.isEmpty()) {
            content(content, out);
        }
        JsonNode calls = delta.path("tool_calls");
        if (calls.isArray()) {
            for (int i = 0; i < calls.size(); i++) {
                JsonNode call = calls.get(i);
                int key = call.path("index").asInt(i);
                NativeCall nc = nativeCalls.computeIfAbsent(key, k -> new NativeCall(nextIndex++));
                if (call.hasNonNull("id") && nc.id == null) {
                    nc.id = call.get("id").asText();
                }
                JsonNode fn = call.path("function");
                String name = text(fn, "name");
                if (name != null && !name.isEmpty() && nc.name == null) {
                    nc.name = name;
                }
                String args = text(fn, "arguments");
                if (args != null) {
                    nc.arguments.append(args);
                }
                if (!nc.started && nc.name != null) {
                    nc.started = true;
                    out.add(new ModelChunk.Parsed(new ParseEvent.ToolCallStarted(nc.index, nc.name)));
                }
            }
        }
        String reason = text(choice, "finish_reason");
        if ("insufficient_system_resource".equals(reason)) {
            // DeepSeek API: generation cut short by server load; the output so far is not a completion.
            throw new BackendException(
                    ErrorCode.INSUFFICIENT_SYSTEM_RESOURCE,
                    0,
                    true,
                    null,
                    "the server stopped generating for lack of resources",
                    null);
        }
        if (reason != null && !reason.isEmpty()) {
            finishReason = reason;
            completeNativeCalls(out);
        }
        return out;
    }

    /** Whether the stream said it is complete ({@code [DONE]} or a finish reason). */
    public boolean complete() {
        return done || finishReason != null;
    }

    /** Chunks owed at the end of a complete stream (closing tool calls, the end event, usage). */
    public List<ModelChunk> onEnd() {
        List<ModelChunk> out = new ArrayList<>();
        flushContent(out);
        completeNativeCalls(out);
        String reason;
        if (nextIndex > 0) {
            reason = "tool_calls";
        } else if ("length".equals(finishReason)) {
            reason = "length";
        } else {
            reason = "stop";
        }
        out.add(new ModelChunk.Parsed(new ParseEvent.End(reason, List.copyOf(endRepairs))));
        if (usage != null) {
            out.add(usage);
        }
        return out;
    }

    /** Content passes through as text until DSML markup shows up; from there the codec parses it. */
    private void content(String content, List<ModelChunk> out) {
        if (dsml != null) {
            parse(dsml.feed(content), out);
            return;
        }
        held.append(content);
        int mark = held.indexOf(DSML_MARK);
        if (mark >= 0) {
            String before = held.substring(0, mark);
            String rest = held.substring(mark);
            held.setLength(0);
            // The model separates text from its tool block with blank lines, which belong to neither.
            String text = before.stripTrailing();
            if (!text.isEmpty()) {
                out.add(new ModelChunk.Parsed(new ParseEvent.TextDelta(text)));
            }
            dsml = StreamingParser.lenient(ThinkingMode.CHAT, toolList);
            endRepairs.add(new Repair("dsml_in_content", "the server left DSML tool markup in content; parsed it"));
            parse(dsml.feed(rest), out);
            return;
        }
        // Hold back trailing whitespace and anything that may be the start of the DSML mark.
        int keepFrom = held.length();
        for (int k = Math.min(DSML_MARK.length() - 1, held.length()); k > 0; k--) {
            if (DSML_MARK.startsWith(held.substring(held.length() - k))) {
                keepFrom = held.length() - k;
                break;
            }
        }
        while (keepFrom > 0 && Character.isWhitespace(held.charAt(keepFrom - 1))) {
            keepFrom--;
        }
        if (keepFrom > 0) {
            out.add(new ModelChunk.Parsed(new ParseEvent.TextDelta(held.substring(0, keepFrom))));
            held.delete(0, keepFrom);
        }
    }

    private void flushContent(List<ModelChunk> out) {
        if (dsml != null) {
            parse(dsml.finish(), out);
            dsml = null;
        } else if (!held.isEmpty()) {
            out.add(new ModelChunk.Parsed(new ParseEvent.TextDelta(held.toString())));
            held.setLength(0);
        }
    }

    private void parse(List<ParseEvent> events, List<ModelChunk> out) {
        for (ParseEvent event : events) {
            ParseEvent mapped = switch (event) {
                case ParseEvent.ToolCallStarted s ->
                    new ParseEvent.ToolCallStarted(remap(s.index()), s.name(), s.repairs());
                case ParseEvent.ToolCallArgumentsDelta d ->
                    new ParseEvent.ToolCallArgumentsDelta(remap(d.index()), d.delta());
                case ParseEvent.ToolCallCompleted c ->
                    new ParseEvent.ToolCallCompleted(remap(c.index()), c.name(), c.argumentsJson(), c.repairs());
                case ParseEvent.End e -> {
                    endRepairs.addAll(e.repairs());
                    yield null;
                }
                default -> event;
            };
            if (mapped != null) {
                out.add(new ModelChunk.Parsed(mapped));
            }
        }
    }

    private int remap(int index) {
        return parserIndex.computeIfAbsent(index, i -> nextIndex++);
    }

    private void completeNativeCalls(List<ModelChunk> out) {
        for (NativeCall nc : nativeCalls.values()) {
            if (nc.completed) {
                continue;
            }
            nc.completed = true;
            if (!nc.started) {
                nc.started = true;
                nc.name = nc.name == null ? "" : nc.name;
                out.add(new ModelChunk.Parsed(new ParseEvent.ToolCallStarted(
                        nc.index,
                        nc.name,
                        List.of(new Repair("missing_tool_name", "the server sent a tool call without a name")))));
            }
            ToolSpec tool = tools.get(nc.name);
            ArgumentCoercion.Coerced args =
                    ArgumentCoercion.coerceArguments(nc.arguments.toString(), tool == null ? null : tool.parameters());
            out.add(new ModelChunk.Parsed(new ParseEvent.ToolCallArgumentsDelta(nc.index, args.json())));
            out.add(new ModelChunk.Parsed(
                    new ParseEvent.ToolCallCompleted(nc.index, nc.name, args.json(), args.repairs())));
        }
    }

    /** One SSE data payload as JSON; a payload that is not JSON, or carries an {@code error}, fails the stream. */
    public static JsonNode readChunk(String data) {
        JsonNode chunk;
        try {
            chunk = Json.MAPPER.readTree(data);
        } catch (Exception e) {
            throw new BackendException(
                    ErrorCode.BAD_RESPONSE, 0, false, null, "not JSON in the event stream: " + abbreviate(data), e);
        }
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            throw streamError(error);
        }
        return chunk;
    }

    static BackendException streamError(JsonNode error) {
        String message = error.isObject() ? error.path("message").asText(error.toString()) : error.asText();
        String type = error.path("type").asText(error.path("code").asText("error"));
        boolean retryable = type.contains("overload")
                || type.contains("rate")
                || type.contains("server")
                || type.contains("timeout");
        return new BackendException(
                ErrorCode.STREAM_ERROR, 0, retryable, null, "error in stream (" + type + "): " + message, null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
