package io.thinkloop.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.openai.GoldenCases;
import io.thinkloop.openai.OpenAiChat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every golden case: encode gives the exact prompt, parse the exact message, errors are rejected. */
class CodecGoldenTest {

    @Test
    void allGoldenCasesPass() {
        List<JsonNode> cases = GoldenData.cases();
        assertEquals(571, cases.size(), "golden file size");
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String reason = GoldenCases.checkCase(c);
            if (reason != null) {
                failures.add(c.path("id").asText() + ": " + reason);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failing cases:\n" + String.join("\n", failures));
    }

    @Test
    void encodeMatchesEveryExpectedPromptDirectly() {
        int checked = 0;
        for (JsonNode c : GoldenData.cases()) {
            if (!c.path("kind").asText().equals("encode")) {
                continue;
            }
            JsonNode in = c.path("input");
            ThinkingMode mode = GoldenCases.mode(in.path("thinking_mode").asText());
            var messages = OpenAiChat.messages(in.path("messages"));
            boolean drop = in.path("drop_thinking").asBoolean();
            boolean bos = in.path("add_default_bos_token").asBoolean();
            if (c.has("error")) {
                assertThrows(
                        CodecException.class,
                        () -> DeepSeekV32Codec.encode(messages, mode, drop, bos),
                        c.path("id").asText());
            } else {
                assertEquals(
                        c.path("expected").asText(),
                        DeepSeekV32Codec.encode(messages, mode, drop, bos),
                        c.path("id").asText());
            }
            checked++;
        }
        assertEquals(320, checked);
    }

    @Test
    void parseMatchesEveryExpectedMessageDirectly() {
        int checked = 0;
        for (JsonNode c : GoldenData.cases()) {
            if (!c.path("kind").asText().equals("parse")) {
                continue;
            }
            String text = c.path("input").path("text").asText();
            ThinkingMode mode =
                    GoldenCases.mode(c.path("input").path("thinking_mode").asText());
            if (c.has("error")) {
                assertThrows(
                        CodecException.class,
                        () -> DeepSeekV32Codec.parse(text, mode),
                        c.path("id").asText());
            } else {
                assertEquals(
                        c.path("expected"),
                        OpenAiChat.toJson(DeepSeekV32Codec.parse(text, mode)),
                        c.path("id").asText());
            }
            checked++;
        }
        assertEquals(251, checked);
    }
}
