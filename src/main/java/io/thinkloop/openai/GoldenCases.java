package io.thinkloop.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.codec.CodecException;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.codec.EventAssembler;
import io.thinkloop.codec.PyJson;
import io.thinkloop.codec.StreamingParser;
import io.thinkloop.json.Json;
import io.thinkloop.model.ParsedMessage;
import io.thinkloop.model.ThinkingMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Runs the codec over golden cases ({@code dsv32-encoding/cases.jsonl} format): encode cases must give the
 * exact prompt, parse cases the exact message (batch, and streamed whole and one character at a time), and
 * cases with {@code error} must be rejected.
 */
public final class GoldenCases {
    private GoldenCases() {}

    public record Failure(String id, String reason) {}

    public record Report(int passed, List<Failure> failures) {}

    public static Report check(Path file) throws IOException {
        int passed = 0;
        List<Failure> failures = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode c;
                try {
                    c = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    failures.add(new Failure("line " + lineNo, "not JSON: " + e.getMessage()));
                    continue;
                }
                String id = c.path("id").asText("line " + lineNo);
                String reason;
                try {
                    reason = checkCase(c);
                } catch (RuntimeException e) {
                    reason = "unexpected " + e;
                }
                if (reason == null) {
                    passed++;
                } else {
                    failures.add(new Failure(id, reason));
                }
            }
        }
        return new Report(passed, failures);
    }

    /** Null when the case passes, else a short reason. */
    public static String checkCase(JsonNode c) {
        JsonNode input = c.path("input");
        ThinkingMode mode = mode(input.path("thinking_mode").asText());
        boolean wantsError = c.has("error");
        return switch (c.path("kind").asText()) {
            case "encode" -> checkEncode(c, input, mode, wantsError);
            case "parse" -> checkParse(c, input, mode, wantsError);
            default -> "unknown kind " + c.path("kind");
        };
    }

    public static ThinkingMode mode(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "thinking" -> ThinkingMode.THINKING;
            case "chat" -> ThinkingMode.CHAT;
            default -> throw new CodecException("unknown thinking_mode " + name);
        };
    }

    private static String checkEncode(JsonNode c, JsonNode input, ThinkingMode mode, boolean wantsError) {
        String prompt;
        try {
            prompt = DeepSeekV32Codec.encode(
                    OpenAiChat.messages(input.path("messages")),
                    mode,
                    input.path("drop_thinking").asBoolean(true),
                    input.path("add_default_bos_token").asBoolean(true));
        } catch (CodecException e) {
            return wantsError ? null : "encode rejected a valid conversation: " + e.getMessage();
        } catch (OpenAiError e) {
            return "the case's messages are not valid OpenAI chat JSON: " + e.getMessage();
        }
        if (wantsError) {
            return "encode accepted a conversation the reference rejects";
        }
        String expected = c.path("expected").asText();
        if (!prompt.equals(expected)) {
            return "prompt differs from offset " + firstDifference(prompt, expected) + ": expected "
                    + snippet(expected, firstDifference(prompt, expected)) + ", got "
                    + snippet(prompt, firstDifference(prompt, expected));
        }
        return null;
    }

    private static String checkParse(JsonNode c, JsonNode input, ThinkingMode mode, boolean wantsError) {
        String text = input.path("text").asText();
        JsonNode expected = c.path("expected");
        String batch = outcome(() -> OpenAiChat.toJson(DeepSeekV32Codec.parse(text, mode)), expected, wantsError);
        if (batch != null) {
            return "batch parse: " + batch;
        }
        String whole = outcome(() -> OpenAiChat.toJson(stream(text, mode, text.length())), expected, wantsError);
        if (whole != null) {
            return "streaming parse (one chunk): " + whole;
        }
        String chars = outcome(() -> OpenAiChat.toJson(stream(text, mode, 1)), expected, wantsError);
        if (chars != null) {
            return "streaming parse (1-char chunks): " + chars;
        }
        return null;
    }

    /** Strict streaming parse of {@code text} in chunks of {@code chunk} characters, reassembled. */
    public static ParsedMessage stream(String text, ThinkingMode mode, int chunk) {
        StreamingParser p = StreamingParser.strict(mode);
        EventAssembler a = new EventAssembler();
        int step = Math.max(1, chunk);
        for (int i = 0; i < text.length(); i += step) {
            a.accept(p.feed(text.substring(i, Math.min(text.length(), i + step))));
        }
        a.accept(p.finish());
        return a.message();
    }

    private static String outcome(Supplier<JsonNode> run, JsonNode expected, boolean wantsError) {
        JsonNode got;
        try {
            got = run.get();
        } catch (CodecException e) {
            return wantsError ? null : "rejected: " + e.getMessage();
        }
        if (wantsError) {
            return "accepted a completion the reference rejects";
        }
        return got.equals(expected) ? null : "expected " + expected + ", got " + got;
    }

    private static int firstDifference(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return i;
            }
        }
        return n;
    }

    private static String snippet(String s, int at) {
        int from = Math.max(0, at - 20);
        return PyJson.quote(s.substring(from, Math.min(s.length(), at + 40)));
    }
}
