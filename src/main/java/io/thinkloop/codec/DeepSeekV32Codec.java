package io.thinkloop.codec;

import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ThinkingMode;
import java.util.List;

/**
 * The DeepSeek-V3.2 chat format: conversations to prompt text, completions back to messages. Matches the
 * reference encoder published with the model byte for byte ({@code ../shared/golden/dsv32-encoding}).
 */
public final class DeepSeekV32Codec {
    private DeepSeekV32Codec() {
    }

    /** The exact prompt for {@code messages}; throws {@link CodecException} for invalid conversations. */
    public static String encode(List<ChatMessage> messages, ThinkingMode mode, boolean dropThinking, boolean addBos) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Strict parse of a whole completion, exactly as the reference; throws {@link CodecException} where it errs. */
    public static ParsedMessage parse(String text, ThinkingMode mode) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
