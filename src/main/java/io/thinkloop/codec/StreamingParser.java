package io.thinkloop.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.codec.Markers.Kind;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.Repair;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Incremental parser of a streamed completion: feed chunks of any size, get {@link ParseEvent}s as soon
 * as they are decided. Strict mode fails like {@link DeepSeekV32Codec#parse}; lenient mode (live model
 * output) repairs known deviations and coerces argument values by the tools' schemas.
 * Not thread-safe: one parser per completion.
 *
 * <p>Only a suffix that could still be the start of a marker is held back (a few dozen characters at
 * most); everything before it is passed on or moved into the current element's buffer, and is never
 * scanned again, so the cost of a chunk does not depend on how much text came before it.
 */
public final class StreamingParser {

    private enum State {
        REASONING,
        CONTENT,
        AFTER_EOS,
        BETWEEN_CALLS,
        INVOKE_NAME,
        PARAM_HEADER,
        PARAM_VALUE,
        AFTER_PARAM,
        AFTER_CALLS
    }

    /** How a parameter value becomes JSON: escaped as it streams, copied as it streams, or decided at its end. */
    private enum ValueMode {
        QUOTED,
        RAW,
        BUFFERED
    }

    private static final Markers STRICT_REASONING = Markers.reasoning(false);
    private static final Markers STRICT_CONTENT = Markers.content(false);
    private static final Markers STRICT_BETWEEN = Markers.betweenCalls(false);
    private static final Markers STRICT_IN_INVOKE = Markers.inInvoke(false);
    private static final Markers STRICT_PARAM_STOP = Markers.paramStop(false);
    private static final Markers STRICT_PARAM_HEADER = Markers.strictParamHeader();
    private static final Markers LENIENT_REASONING = Markers.reasoning(true);
    private static final Markers LENIENT_CONTENT = Markers.content(true);
    private static final Markers LENIENT_BETWEEN = Markers.betweenCalls(true);
    private static final Markers LENIENT_IN_INVOKE = Markers.inInvoke(true);
    private static final Markers LENIENT_PARAM_STOP = Markers.paramStop(true);
    private static final Markers LENIENT_PARAM_HEADER = Markers.lenientParamHeader();
    private static final Markers AFTER_CALLS_MARKERS = Markers.afterCalls();

    private static final Pattern LENIENT_NAME = Pattern.compile("^\\s*name\\s*=\\s*\"([^\"]*)\"\\s*/?>\\s*$");
    private static final Pattern LENIENT_HEADER =
            Pattern.compile("^\\s*name\\s*=\\s*\"([^\"]*)\"(?:\\s+string\\s*=\\s*\"([^\"]*)\")?\\s*>$");
    private static final int MAX_LENIENT_HEADER = 4096;

    private final boolean lenient;
    private final Map<String, ToolSpec> tools;
    private final Markers reasoningMarkers;
    private final Markers contentMarkers;
    private final Markers betweenMarkers;
    private final Markers inInvokeMarkers;
    private final Markers paramStopMarkers;
    private final Markers headerMarkers;

    private State state;
    /** Unconsumed input; {@code pos} is where consumption stands, {@code base} the absolute offset of index 0. */
    private final StringBuilder pend = new StringBuilder();

    private int pos;
    private long base;
    private final Markers.Hit hit = new Markers.Hit();
    private List<ParseEvent> out;
    private boolean failed;
    private boolean ended;
    private boolean eosSeen;
    private boolean droppedTrailing;
    private final List<Repair> pendingRepairs = new ArrayList<>();

    // the element being read: a gap between tags, an invoke name, a parameter header
    private final StringBuilder acc = new StringBuilder();
    // the current tool call
    private int calls;
    private String callName;
    private final StringBuilder args = new StringBuilder();
    private final Set<String> paramNames = new HashSet<>();
    // the current parameter value
    private String paramName;
    private Boolean declaredString;
    private ValueMode valueMode;
    private final StringBuilder valueTail = new StringBuilder();
    private final StringBuilder valueBuf = new StringBuilder();
    private final StringBuilder delta = new StringBuilder();

    private StreamingParser(ThinkingMode mode, boolean lenient, List<ToolSpec> toolSpecs) {
        if (mode == null) {
            throw new CodecException("thinking mode must not be null");
        }
        this.lenient = lenient;
        this.tools = new HashMap<>();
        if (toolSpecs != null) {
            for (ToolSpec t : toolSpecs) {
                if (t != null && t.name() != null) {
                    tools.put(t.name(), t);
                }
            }
        }
        reasoningMarkers = lenient ? LENIENT_REASONING : STRICT_REASONING;
        contentMarkers = lenient ? LENIENT_CONTENT : STRICT_CONTENT;
        betweenMarkers = lenient ? LENIENT_BETWEEN : STRICT_BETWEEN;
        inInvokeMarkers = lenient ? LENIENT_IN_INVOKE : STRICT_IN_INVOKE;
        paramStopMarkers = lenient ? LENIENT_PARAM_STOP : STRICT_PARAM_STOP;
        headerMarkers = lenient ? LENIENT_PARAM_HEADER : STRICT_PARAM_HEADER;
        state = mode == ThinkingMode.THINKING ? State.REASONING : State.CONTENT;
    }

    public static StreamingParser strict(ThinkingMode mode) {
        return new StreamingParser(mode, false, List.of());
    }

    public static StreamingParser lenient(ThinkingMode mode, List<ToolSpec> tools) {
        return new StreamingParser(mode, true, tools);
    }

    /** Events decided by this chunk (possibly none). */
    public List<ParseEvent> feed(CharSequence chunk) {
        begin();
        pend.append(chunk);
        try {
            while (step()) {
                // each step consumes input or changes state
            }
        } catch (CodecException e) {
            failed = true;
            throw e;
        }
        flushDelta();
        compact();
        return out;
    }

    /** Ends the stream: flushes held-back text and emits {@link ParseEvent.End}. */
    public List<ParseEvent> finish() {
        begin();
        try {
            endOfStream();
        } catch (CodecException e) {
            failed = true;
            throw e;
        }
        ended = true;
        return out;
    }

    private void begin() {
        if (failed) {
            throw new CodecException("the parser already failed on this completion");
        }
        if (ended) {
            throw new CodecException("the completion already ended");
        }
        out = new ArrayList<>();
    }

    private void compact() {
        if (pos > 0) {
            pend.delete(0, pos);
            base += pos;
            pos = 0;
        }
    }

    private CodecException error(String what) {
        return new CodecException(what + " (at offset " + (base + pos) + ")");
    }

    // ================================================================== steps

    private boolean step() {
        if (pos >= pend.length()) {
            return false;
        }
        return switch (state) {
            case REASONING, CONTENT -> textStep();
            case AFTER_EOS -> afterEos();
            case BETWEEN_CALLS -> gapStep(betweenMarkers);
            case INVOKE_NAME -> nameStep();
            case PARAM_HEADER -> lenient ? lenientHeaderStep() : strictHeaderStep();
            case PARAM_VALUE -> valueStep();
            case AFTER_PARAM -> gapStep(inInvokeMarkers);
            case AFTER_CALLS -> afterCallsStep();
        };
    }

    private boolean textStep() {
        boolean reasoning = state == State.REASONING;
        (reasoning ? reasoningMarkers : contentMarkers).scan(pend, pos, hit);
        emitText(reasoning, pos, hit.safeEnd);
        pos = hit.safeEnd;
        if (hit.marker == null) {
            return false;
        }
        Markers.Marker m = hit.marker;
        int markerStart = pos;
        pos += m.text().length();
        pendingRepairs.addAll(m.repairs());
        switch (m.kind()) {
            case THINK_END -> state = State.CONTENT;
            case EOS -> {
                if (reasoning) {
                    pendingRepairs.add(new Repair("eos_in_reasoning", "the completion ended inside the reasoning"));
                }
                eosSeen = true;
                state = State.AFTER_EOS;
            }
            case TOOLS_START -> {
                if (reasoning && !lenient) {
                    throw error("invalid thinking format: tool calls before </think>");
                }
                if (reasoning) {
                    pendingRepairs.add(new Repair("tool_calls_in_reasoning", "tool calls began before </think>"));
                }
                state = State.BETWEEN_CALLS;
            }
            case THINK_START -> {
                // lenient only: a server that echoes the prompt's <think> at the start of the completion
                if (base + markerStart == 0) {
                    pendingRepairs.add(new Repair("leading_think", "dropped a <think> the completion began with"));
                } else {
                    emitText(true, markerStart, pos);
                }
            }
            case FORBIDDEN -> {
                pos = markerStart;
                throw error("unexpected special token " + m.text() + " in " + (reasoning ? "reasoning" : "content"));
            }
            default -> throw new IllegalStateException(m.kind().toString());
        }
        return true;
    }

    private void emitText(boolean reasoning, int from, int to) {
        if (to <= from) {
            return;
        }
        String s = pend.substring(from, to);
        out.add(reasoning ? new ParseEvent.ReasoningDelta(s) : new ParseEvent.TextDelta(s));
    }

    private boolean afterEos() {
        if (!lenient) {
            throw error("unexpected content after " + Dsv32Tokens.EOS);
        }
        if (!droppedTrailing) {
            droppedTrailing = true;
            pendingRepairs.add(new Repair("text_after_eos", "dropped text after the end of sentence"));
        }
        pos = pend.length();
        return false;
    }

    /** Between tags, where the reference wants exactly {@code ">\n"} (lenient: {@code >} and whitespace). */
    private boolean gapStep(Markers markers) {
        markers.scan(pend, pos, hit);
        acc.append(pend, pos, hit.safeEnd);
        pos = hit.safeEnd;
        checkGapSoFar();
        if (hit.marker == null) {
            return false;
        }
        Markers.Marker m = hit.marker;
        pos += m.text().length();
        if (!acc.toString().equals(">\n")) {
            if (!lenient) {
                throw error("tool call format error: expected \">\\n\" between tags, got " + PyJson.quote(acc));
            }
            pendingRepairs.add(new Repair("tag_spacing", "expected \">\\n\" between tags, got " + PyJson.quote(acc)));
        }
        acc.setLength(0);
        gapChecked = 0;
        pendingRepairs.addAll(m.repairs());
        switch (m.kind()) {
            case INVOKE_START -> state = State.INVOKE_NAME;
            case TOOLS_END -> state = State.AFTER_CALLS;
            case PARAM_START -> {
                state = State.PARAM_HEADER;
                headerPrefixChecked = 0;
            }
            case INVOKE_END -> {
                completeCall();
                state = State.BETWEEN_CALLS;
            }
            default -> throw new IllegalStateException(m.kind().toString());
        }
        return true;
    }

    private void checkGapSoFar() {
        if (lenient) {
            // only the characters added since the last check (a long run of whitespace stays linear)
            for (int i = Math.min(gapChecked, acc.length()); i < acc.length(); i++) {
                char c = acc.charAt(i);
                if (!(Character.isWhitespace(c) || (c == '>' && i == 0))) {
                    throw error("tool call format error: unexpected text " + PyJson.quote(acc) + " between tags");
                }
            }
            gapChecked = acc.length();
        } else if (acc.length() > 2 || !">\n".startsWith(acc.toString())) {
            throw error("tool call format error: expected \">\\n\" between tags, got " + PyJson.quote(acc));
        }
    }

    private boolean nameStep() {
        inInvokeMarkers.scan(pend, pos, hit);
        acc.append(pend, pos, hit.safeEnd);
        pos = hit.safeEnd;
        if (hit.marker == null) {
            return false;
        }
        Markers.Marker m = hit.marker;
        pos += m.text().length();
        startCall(invokeName(acc.toString()));
        acc.setLength(0);
        pendingRepairs.addAll(m.repairs());
        if (m.kind() == Kind.PARAM_START) {
            state = State.PARAM_HEADER;
            headerPrefixChecked = 0;
        } else {
            completeCall();
            state = State.BETWEEN_CALLS;
        }
        return true;
    }

    private String invokeName(String content) {
        String name = DsmlSyntax.invokeName(content);
        if (name != null) {
            return name;
        }
        if (lenient) {
            Matcher mm = LENIENT_NAME.matcher(content);
            if (mm.matches()) {
                pendingRepairs.add(new Repair("invoke_tag", "accepted invoke tag " + PyJson.quote(content)));
                return mm.group(1);
            }
        }
        throw error("tool name format error in invoke tag " + PyJson.quote(content));
    }

    private int headerPrefixChecked;
    private int gapChecked;

    private boolean strictHeaderStep() {
        // The reference's pattern starts with ' name="'; the name then runs to the first string attribute.
        while (headerPrefixChecked < DsmlSyntax.PARAM_OPEN.length()) {
            if (pos >= pend.length()) {
                return false;
            }
            if (pend.charAt(pos) != DsmlSyntax.PARAM_OPEN.charAt(headerPrefixChecked)) {
                throw error("parameter format error: expected ' name=\"'");
            }
            pos++;
            headerPrefixChecked++;
        }
        headerMarkers.scan(pend, pos, hit);
        acc.append(pend, pos, hit.safeEnd);
        pos = hit.safeEnd;
        if (hit.marker == null) {
            return false;
        }
        Markers.Marker m = hit.marker;
        pos += m.text().length();
        if (m.kind() == Kind.PARAM_STOP) {
            throw error("parameter format error: no string=\"true|false\" attribute");
        }
        beginValue(acc.toString(), m.kind() == Kind.STRING_TRUE);
        acc.setLength(0);
        return true;
    }

    private boolean lenientHeaderStep() {
        headerMarkers.scan(pend, pos, hit);
        acc.append(pend, pos, hit.safeEnd);
        pos = hit.safeEnd;
        if (acc.length() > MAX_LENIENT_HEADER) {
            throw error("parameter tag longer than " + MAX_LENIENT_HEADER + " characters");
        }
        if (hit.marker == null) {
            return false;
        }
        Markers.Marker m = hit.marker;
        pos += m.text().length();
        if (m.kind() == Kind.PARAM_STOP) {
            throw error("parameter format error: tag " + PyJson.quote(acc) + " is not closed by '>'");
        }
        acc.append('>');
        Matcher mm = LENIENT_HEADER.matcher(acc);
        if (!mm.matches()) {
            return true; // a '>' inside the name; read on
        }
        String name = mm.group(1);
        String attr = mm.group(2);
        Boolean declared;
        if ("true".equals(attr) || "false".equals(attr)) {
            declared = "true".equals(attr);
        } else {
            declared = null;
            pendingRepairs.add(new Repair(
                    "string_attribute",
                    attr == null
                            ? "parameter " + name + " has no string attribute"
                            : "parameter " + name + " has string=\"" + attr + "\""));
        }
        if (!acc.toString().startsWith(DsmlSyntax.PARAM_OPEN) || !acc.toString().endsWith("\">")) {
            pendingRepairs.add(new Repair("parameter_tag", "accepted parameter tag " + PyJson.quote(acc)));
        }
        beginValue(name, declared);
        acc.setLength(0);
        return true;
    }

    private void beginValue(String name, Boolean isString) {
        if (!paramNames.add(name)) {
            throw error("duplicate parameter name " + name);
        }
        paramName = name;
        declaredString = isString;
        if (paramNames.size() > 1) {
            delta.append(", ");
        }
        PyJson.quote(delta, name);
        delta.append(": ");
        if (!lenient) {
            valueMode = isString ? ValueMode.QUOTED : ValueMode.RAW;
        } else if (Boolean.TRUE.equals(isString) && ArgumentCoercion.allowsString(schemaOf(name))) {
            valueMode = ValueMode.QUOTED;
        } else {
            valueMode = ValueMode.BUFFERED;
        }
        if (valueMode == ValueMode.QUOTED) {
            delta.append('"');
        }
        valueTail.setLength(0);
        valueBuf.setLength(0);
        state = State.PARAM_VALUE;
    }

    private JsonNode schemaOf(String param) {
        ToolSpec t = tools.get(callName);
        if (t == null || t.parameters() == null) {
            return null;
        }
        JsonNode p = t.parameters().path("properties").get(param);
        return p == null || p.isNull() ? null : p;
    }

    private boolean valueStep() {
        paramStopMarkers.scan(pend, pos, hit);
        if (hit.safeEnd > pos) {
            // A value ends with '<' or "<\n" before the stop marker: hold those back until decided.
            valueTail.append(pend, pos, hit.safeEnd);
            pos = hit.safeEnd;
            int len = valueTail.length();
            int hold = terminatorLength(valueTail);
            if (len > hold) {
                emitValue(valueTail, 0, len - hold);
                valueTail.delete(0, len - hold);
            }
        }
        if (hit.marker == null) {
            return false;
        }
        Markers.Marker m = hit.marker;
        pos += m.text().length();
        pendingRepairs.addAll(m.repairs());
        if (terminatorLength(valueTail) != valueTail.length() || valueTail.isEmpty()) {
            if (!lenient) {
                throw error("parameter format error: the value of " + paramName + " does not end with '<'");
            }
            emitValue(valueTail, 0, valueTail.length());
        }
        valueTail.setLength(0);
        endValue();
        state = State.AFTER_PARAM;
        return true;
    }

    /** 1 if {@code s} ends with '<', 2 if with "<\n", else 0. */
    private static int terminatorLength(CharSequence s) {
        int len = s.length();
        if (len >= 1 && s.charAt(len - 1) == '<') {
            return 1;
        }
        if (len >= 2 && s.charAt(len - 2) == '<' && s.charAt(len - 1) == '\n') {
            return 2;
        }
        return 0;
    }

    private void emitValue(CharSequence s, int from, int to) {
        switch (valueMode) {
            case QUOTED -> PyJson.escapeInto(delta, s, from, to);
            case RAW -> delta.append(s, from, to);
            case BUFFERED -> valueBuf.append(s, from, to);
        }
    }

    private void endValue() {
        switch (valueMode) {
            case QUOTED -> delta.append('"');
            case RAW -> {}
            case BUFFERED ->
                delta.append(ArgumentCoercion.render(
                        valueBuf.toString(), declaredString, schemaOf(paramName), paramName, pendingRepairs));
        }
        flushDelta();
    }

    private boolean afterCallsStep() {
        AFTER_CALLS_MARKERS.scan(pend, pos, hit);
        if (hit.safeEnd > pos) {
            if (!lenient) {
                throw error("unexpected content after tool calls");
            }
            if (!droppedTrailing) {
                droppedTrailing = true;
                pendingRepairs.add(new Repair("text_after_tool_calls", "dropped text after the function_calls block"));
            }
            pos = hit.safeEnd;
        }
        if (hit.marker == null) {
            return false;
        }
        pos += hit.marker.text().length();
        eosSeen = true;
        state = State.AFTER_EOS;
        return true;
    }

    // ================================================================== tool calls

    private void startCall(String name) {
        callName = name;
        args.setLength(0);
        paramNames.clear();
        out.add(new ParseEvent.ToolCallStarted(calls, name, takeRepairs()));
        delta.append('{');
    }

    private void completeCall() {
        delta.append('}');
        flushDelta();
        out.add(new ParseEvent.ToolCallCompleted(calls, callName, args.toString(), takeRepairs()));
        calls++;
        callName = null;
    }

    private void flushDelta() {
        if (!delta.isEmpty()) {
            String d = delta.toString();
            args.append(d);
            out.add(new ParseEvent.ToolCallArgumentsDelta(calls, d));
            delta.setLength(0);
        }
    }

    private List<Repair> takeRepairs() {
        if (pendingRepairs.isEmpty()) {
            return List.of();
        }
        List<Repair> r = List.copyOf(pendingRepairs);
        pendingRepairs.clear();
        return r;
    }

    // ================================================================== end of stream

    private void endOfStream() {
        String rest = pend.substring(pos);
        pos = pend.length();
        switch (state) {
            case REASONING -> {
                if (!lenient) {
                    throw error("invalid thinking format: the completion ended before </think>");
                }
                emitRest(true, rest);
                pendingRepairs.add(new Repair("unterminated_reasoning", "the completion ended before </think>"));
            }
            case CONTENT -> {
                if (!lenient) {
                    throw error("invalid summary format: the completion does not end with " + Dsv32Tokens.EOS);
                }
                emitRest(false, rest);
                pendingRepairs.add(new Repair("missing_eos", "the completion ended without " + Dsv32Tokens.EOS));
            }
            case AFTER_EOS -> {}
            case BETWEEN_CALLS -> {
                acc.append(rest);
                if (!acc.isEmpty()) {
                    if (!lenient) {
                        throw error("tool call format error: the completion ended inside the function_calls block");
                    }
                    checkGapSoFar();
                }
                if (lenient) {
                    pendingRepairs.add(
                            new Repair("unterminated_tool_calls", "the function_calls block was not closed"));
                }
            }
            case INVOKE_NAME -> {
                acc.append(rest);
                startCall(invokeName(acc.toString()));
                if (lenient) {
                    pendingRepairs.add(new Repair("unterminated_tool_calls", "the invoke tag was not closed"));
                }
                completeCall();
            }
            case AFTER_PARAM -> {
                acc.append(rest);
                if (!acc.toString().equals(">\n")) {
                    if (!lenient) {
                        throw error("parameter format error: the completion ended after a parameter");
                    }
                    checkGapSoFar();
                }
                if (lenient) {
                    pendingRepairs.add(new Repair("unterminated_tool_calls", "the invoke tag was not closed"));
                }
                completeCall();
            }
            case PARAM_HEADER, PARAM_VALUE ->
                throw error("the completion ended inside parameter " + (paramName == null ? "" : paramName + " ")
                        + "of tool call " + callName);
            case AFTER_CALLS -> {
                if (!rest.isEmpty()) {
                    if (!lenient) {
                        throw error("unexpected content after tool calls");
                    }
                    pendingRepairs.add(
                            new Repair("text_after_tool_calls", "dropped text after the function_calls block"));
                }
            }
        }
        flushDelta();
        String reason = calls > 0 ? "tool_calls" : eosSeen ? "stop" : "length";
        out.add(new ParseEvent.End(reason, takeRepairs()));
    }

    private void emitRest(boolean reasoning, String rest) {
        if (!rest.isEmpty()) {
            out.add(reasoning ? new ParseEvent.ReasoningDelta(rest) : new ParseEvent.TextDelta(rest));
        }
    }
}
