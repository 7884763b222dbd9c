package io.thinkloop.tokenizer;

import java.util.Arrays;

/**
 * Turns ids into text one at a time: a token may end inside a multi-byte character, so the bytes of
 * an unfinished (but so far valid) UTF-8 sequence wait for the next token. Nothing is ever emitted
 * that later text could change, so the concatenated output of {@link #next} and {@link #flush} is
 * exactly {@link Tokenizer#decode} of all ids. Not thread-safe: one per generated sequence.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[64];
    private int pendingLength;
    private final StringBuilder out = new StringBuilder(32);

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text that {@code id} completes; empty while a character is still unfinished. */
    public String next(int id) {
        byte[] b = tokenizer.bytesOf(id);
        if (b == null || b.length == 0) {
            return "";
        }
        if (pendingLength + b.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + b.length, pending.length * 2));
        }
        System.arraycopy(b, 0, pending, pendingLength, b.length);
        pendingLength += b.length;
        int ready = pendingLength - Utf8.incompleteTail(pending, pendingLength);
        if (ready == 0) {
            return "";
        }
        out.setLength(0);
        Utf8.decodeLossy(pending, 0, ready, out);
        System.arraycopy(pending, ready, pending, 0, pendingLength - ready);
        pendingLength -= ready;
        return out.toString();
    }

    /** Ends the sequence: an unfinished character left over becomes U+FFFD, as in a full decode. */
    public String flush() {
        if (pendingLength == 0) {
            return "";
        }
        String s = Utf8.decodeLossy(pending, 0, pendingLength);
        pendingLength = 0;
        return s;
    }

    /** Whether bytes of an unfinished character are waiting. */
    public boolean hasPending() {
        return pendingLength > 0;
    }
}
