package io.thinkloop.tokenizer;

/**
 * UTF-8 with the exact error handling of Rust's {@code String::from_utf8_lossy} (which the Hugging
 * Face decoder uses): each maximal invalid subpart becomes one U+FFFD. Also encodes Java strings
 * without the JDK's '?' for lone surrogates (they become U+FFFD, as Rust's lossy UTF-16 conversion does).
 */
final class Utf8 {
    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {}

    /** Bytes a lead byte announces (1 to 4), or 0 when it cannot start a sequence. */
    static int width(int lead) {
        lead &= 0xFF;
        if (lead < 0x80) {
            return 1;
        }
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 0;
    }

    /** Whether {@code second} may follow {@code lead} (the narrowed ranges after E0, ED, F0 and F4). */
    static boolean validSecond(int lead, int second) {
        lead &= 0xFF;
        second &= 0xFF;
        return switch (lead) {
            case 0xE0 -> second >= 0xA0 && second <= 0xBF;
            case 0xED -> second >= 0x80 && second <= 0x9F;
            case 0xF0 -> second >= 0x90 && second <= 0xBF;
            case 0xF4 -> second >= 0x80 && second <= 0x8F;
            default -> second >= 0x80 && second <= 0xBF;
        };
    }

    static boolean isContinuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    /**
     * How many bytes at the end of {@code bytes[0, len)} form a valid but unfinished sequence (0 to 3):
     * those must wait for the next token before they can be decoded.
     */
    static int incompleteTail(byte[] bytes, int len) {
        int limit = Math.max(0, len - 3);
        for (int start = len - 1; start >= limit; start--) {
            int b = bytes[start] & 0xFF;
            if (isContinuation(b)) {
                continue;
            }
            int w = width(b);
            int have = len - start;
            if (w <= have) {
                return 0;
            }
            if (have >= 2 && !validSecond(b, bytes[start + 1])) {
                return 0;
            }
            for (int i = start + 2; i < len; i++) {
                if (!isContinuation(bytes[i])) {
                    return 0;
                }
            }
            return have;
        }
        return 0;
    }

    /** Decodes {@code bytes[from, to)} into {@code out}, one U+FFFD per maximal invalid subpart. */
    static void decodeLossy(byte[] bytes, int from, int to, StringBuilder out) {
        int i = from;
        while (i < to) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                out.append((char) b);
                i++;
                continue;
            }
            int w = width(b);
            if (w == 0) {
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            // Consume as many bytes as still form a valid prefix; stop at the first that does not.
            int j = i + 1;
            if (j < to && validSecond(b, bytes[j])) {
                j++;
                while (j < i + w && j < to && isContinuation(bytes[j])) {
                    j++;
                }
            }
            if (j - i < w) {
                out.append(REPLACEMENT);
                i = j;
                continue;
            }
            int cp = switch (w) {
                case 2 -> ((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F);
                case 3 -> ((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
                default ->
                    ((b & 0x07) << 18)
                            | ((bytes[i + 1] & 0x3F) << 12)
                            | ((bytes[i + 2] & 0x3F) << 6)
                            | (bytes[i + 3] & 0x3F);
            };
            out.appendCodePoint(cp);
            i += w;
        }
    }

    static String decodeLossy(byte[] bytes, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        decodeLossy(bytes, from, to, sb);
        return sb.toString();
    }

    /**
     * Writes the UTF-8 of {@code s[from, to)} into {@code out} (at least {@link #maxEncodedLength}
     * long) and returns the byte count. Lone surrogates become U+FFFD.
     */
    static int encode(CharSequence s, int from, int to, byte[] out) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                int cp = Character.isSurrogate(c) ? REPLACEMENT : c;
                out[n++] = (byte) (0xE0 | (cp >> 12));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        return n;
    }

    /** An upper bound on the UTF-8 length of {@code len} UTF-16 units. */
    static int maxEncodedLength(int len) {
        return len * 3;
    }
}
