package io.thinkloop.codec;

/** The conversation or completion does not follow the DeepSeek-V3.2 format; the message says what is wrong. */
public class CodecException extends RuntimeException {
    public CodecException(String message) {
        super(message);
    }
}
