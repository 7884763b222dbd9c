package io.thinkloop.session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the events with {@code after < seq <= upTo} from a session's {@code events.jsonl} a batch at a
 * time, so a replay never holds more than one batch per client and no file descriptor between batches.
 * The start is found by a binary search over the file (lines are in seq order); reading stops at
 * {@code upTo}, before any line a concurrent append may be writing. A line whose seq cannot be read is
 * never forwarded.
 */
final class JournalReplay implements EventSource {
    private static final int CHUNK = 1 << 16;

    private final Path file;
    private final long after;
    private final long upTo;
    private long offset = -1;
    private boolean done;

    JournalReplay(Path file, long after, long upTo) {
        this.file = file;
        this.after = after;
        this.upTo = upTo;
        this.done = upTo <= after;
    }

    @Override
    public boolean done() {
        return done;
    }

    /** The next lines, at most {@code maxLines} and about {@code maxBytes}; empty once done. */
    @Override
    public List<String> next(int maxLines, int maxBytes) throws IOException {
        List<String> out = new ArrayList<>();
        if (done) {
            return out;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset < 0) {
                offset = after <= 0 ? 0 : startOffset(ch, size);
            }
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int bytes = 0;
            long pos = offset;
            while (out.size() < maxLines && bytes < maxBytes && pos < size) {
                buf.clear();
                int n = ch.read(buf, pos);
                if (n <= 0) {
                    break;
                }
                buf.flip();
                int chunkStart = 0;
                for (int i = 0; i < n; i++) {
                    if (buf.get(i) != '\n') {
                        continue;
                    }
                    line.write(buf.array(), chunkStart, i - chunkStart);
                    chunkStart = i + 1;
                    long next = pos + i + 1;
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    long seq = seqOf(text);
                    offset = next;
                    if (seq > upTo) {
                        done = true;
                        return out;
                    }
                    if (seq > after) {
                        out.add(text);
                        bytes += text.length();
                    }
                    if (seq == upTo) {
                        done = true;
                        return out;
                    }
                    if (out.size() >= maxLines || bytes >= maxBytes) {
                        return out;
                    }
                }
                line.write(buf.array(), chunkStart, n - chunkStart);
                pos += n;
            }
            if (pos >= size) {
                // the file ends before upTo (a failed append was cut back) or in a partial line: nothing more
                done = true;
            }
            return out;
        } catch (NoSuchFileException deleted) {
            done = true;
            return out;
        }
    }

    /** The offset of the first line with seq > after (or of a line before it), by binary search. */
    private long startOffset(FileChannel ch, long size) throws IOException {
        long lo = 0;
        long hi = size;
        // invariant: the first line with seq > after starts at or after lo's line and before hi
        while (hi - lo > CHUNK) {
            long mid = (lo + hi) >>> 1;
            long[] probe = lineAfter(ch, mid, size);
            if (probe == null) {
                hi = mid;
                continue;
            }
            if (probe[1] >= 0 && probe[1] <= after) {
                lo = probe[0];
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** {start offset, seq} of the first complete line starting after {@code from}; null if none. */
    private static long[] lineAfter(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long pos = from;
        long start = -1;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (pos < size) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) {
                return null;
            }
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                if (start < 0) {
                    if (b == '\n') {
                        start = pos + i + 1;
                    }
                    continue;
                }
                if (b == '\n') {
                    return new long[] {start, seqOf(line.toString(StandardCharsets.UTF_8))};
                }
                line.write(b);
                if (line.size() > 512) {
                    // "seq" is within the header: the first 512 bytes are enough
                    return new long[] {start, seqOf(line.toString(StandardCharsets.UTF_8))};
                }
            }
            pos += n;
        }
        return null;
    }

    /** The seq of an event line without a full parse; -1 when it has none. */
    static long seqOf(String line) {
        // The envelope writes "v" then "type", "sessionId", "turnId", "seq".
        int i = line.indexOf("\"seq\":");
        if (i < 0) {
            return -1;
        }
        int start = i + 6;
        int end = start;
        while (end < line.length() && Character.isDigit(line.charAt(end)) && end - start < 19) {
            end++;
        }
        if (end == start) {
            return -1;
        }
        return Long.parseLong(line, start, end, 10);
    }
}
