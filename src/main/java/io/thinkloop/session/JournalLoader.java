package io.thinkloop.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Loads a session's journal files and validates every line before anything is served from them: valid
 * UTF-8, one JSON object, for events a numeric {@code seq} above the previous line's and a {@code type},
 * for messages a known role. A bad line is moved to {@code FILE.quarantine} (the journal file is
 * rewritten without it) with a WARN log naming the line and the reason; a line that is a torn write
 * merged with the next append ({@code {"v"{"v":1,...}}) keeps its complete part. A torn last line (no
 * newline: the process died mid-append) is cut. So a damaged session still loads, continues from its
 * highest valid seq, and no unparseable line is ever replayed.
 */
final class JournalLoader {
    private static final Logger LOG = Logger.getLogger(JournalLoader.class);
    static final String QUARANTINE = ".quarantine";
    private static final byte[] EVENT_START = "{\"v\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_START = "{\"role\":".getBytes(StandardCharsets.US_ASCII);

    private JournalLoader() {}

    /** What loading a session's journal found. */
    record Loaded(
            List<ChatMessage> messages,
            long lastSeq,
            Instant firstEventAt,
            String openTurnId,
            int openTurnSteps,
            List<String> problems) {}

    static Loaded load(Path dir) throws IOException {
        List<String> problems = new ArrayList<>();
        EventCheck events = new EventCheck();
        repair(dir.resolve(SessionJournal.EVENTS), events, problems);
        MessageCheck messages = new MessageCheck();
        repair(dir.resolve(SessionJournal.MESSAGES), messages, problems);
        return new Loaded(
                messages.messages, events.lastSeq, events.firstAt, events.openTurn, events.openTurnSteps, problems);
    }

    /** What to do with one line. */
    private sealed interface Verdict {}

    private record Keep() implements Verdict {}

    /** Keep {@code line} instead (salvaged from a merged torn write); quarantine the original. */
    private record Replace(byte[] line, String reason) implements Verdict {}

    /** Drop the line; quarantine it unless {@code reason} is null (a blank line). */
    private record Drop(String reason) implements Verdict {}

    private static final Verdict KEEP = new Keep();

    private interface LineCheck {
        Verdict check(byte[] line, int length);
    }

    /**
     * Streams the file once; at the first bad line it starts a repaired copy (the good prefix copied,
     * then every good line), which replaces the file at the end. Bad lines are appended to the quarantine
     * file. A torn last line is cut.
     */
    private static void repair(Path file, LineCheck check, List<String> problems) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".repair.tmp");
        Path quarantine = file.resolveSibling(file.getFileName() + QUARANTINE);
        OutputStream out = null;
        OutputStream bad = null;
        int lineNo = 0;
        long lineStart = 0;
        long size;
        boolean rewritten = false;
        byte[] line = new byte[8192];
        int len = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            long pos = 0;
            while (pos < size) {
                buf.clear();
                int n = ch.read(buf, pos);
                if (n <= 0) {
                    break;
                }
                byte[] a = buf.array();
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (a[i] != '\n') {
                        continue;
                    }
                    line = add(line, len, a, from, i - from);
                    len += i - from;
                    from = i + 1;
                    lineNo++;
                    Verdict v = check.check(line, len);
                    if (!(v instanceof Keep)) {
                        if (out == null) {
                            out = startCopy(ch, tmp, lineStart);
                        }
                        String reason = v instanceof Replace r ? r.reason() : ((Drop) v).reason();
                        if (reason != null) {
                            if (bad == null) {
                                bad = new BufferedOutputStream(Channels.newOutputStream(OwnerOnly.open(
                                        quarantine,
                                        StandardOpenOption.CREATE,
                                        StandardOpenOption.WRITE,
                                        StandardOpenOption.APPEND)));
                            }
                            bad.write(line, 0, len);
                            bad.write('\n');
                            String problem = file.getFileName() + " line " + lineNo + ": " + reason;
                            problems.add(problem);
                            LOG.warnf(
                                    "journal %s line %d: %s; the line was moved to %s",
                                    file, lineNo, reason, quarantine.getFileName());
                        }
                        if (v instanceof Replace r) {
                            out.write(r.line());
                            out.write('\n');
                        }
                    } else if (out != null) {
                        out.write(line, 0, len);
                        out.write('\n');
                    }
                    len = 0;
                    lineStart = pos + i + 1;
                }
                line = add(line, len, a, from, n - from);
                len += n - from;
                pos += n;
            }
            if (out != null) {
                out.flush();
                if (out instanceof ChannelOutput co) {
                    co.ch.force(false);
                }
                out.close();
                out = null;
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                rewritten = true;
            }
        } finally {
            if (out != null) {
                out.close();
                Files.deleteIfExists(tmp);
            }
            if (bad != null) {
                bad.close();
            }
        }
        if (len > 0) {
            // a torn last line: the process died mid-append (it was never acknowledged)
            String problem = file.getFileName() + ": cut a torn last line (" + len + " bytes)";
            LOG.warnf("journal %s: cut a torn last line (%d bytes)", file, len);
            problems.add(problem);
            if (!rewritten) { // a rewritten copy has only complete lines already
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(lineStart);
                }
            }
        }
    }

    private static byte[] add(byte[] line, int len, byte[] src, int from, int count) {
        if (len + count > line.length) {
            byte[] grown = new byte[Math.max(len + count, line.length * 2)];
            System.arraycopy(line, 0, grown, 0, len);
            line = grown;
        }
        System.arraycopy(src, from, line, len, count);
        return line;
    }

    private static OutputStream startCopy(FileChannel in, Path tmp, long upTo) throws IOException {
        FileChannel out = OwnerOnly.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        long done = 0;
        while (done < upTo) {
            done += in.transferTo(done, upTo - done, out);
        }
        out.position(upTo);
        return new ChannelOutput(out);
    }

    /** A buffered stream over a channel, so the copy can be fsynced before it replaces the file. */
    private static final class ChannelOutput extends BufferedOutputStream {
        final FileChannel ch;

        ChannelOutput(FileChannel ch) {
            super(Channels.newOutputStream(ch), 1 << 16);
            this.ch = ch;
        }
    }

    static boolean blank(byte[] line, int len) {
        for (int i = 0; i < len; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Strict UTF-8 (no overlong forms, no surrogates), with an ASCII fast path. */
    static boolean validUtf8(byte[] line, int len) {
        int i = 0;
        while (i < len && line[i] >= 0) {
            i++;
        }
        if (i == len) {
            return true;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int indexOf(byte[] line, int len, byte[] what, int from) {
        outer:
        for (int i = from; i <= len - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (line[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Validates event lines, tracking the highest seq and whether the last turn was left open. */
    private static final class EventCheck implements LineCheck {
        long lastSeq;
        Instant firstAt;
        String openTurn;
        int openTurnSteps;

        @Override
        public Verdict check(byte[] line, int len) {
            if (blank(line, len)) {
                return new Drop(null);
            }
            String why = accept(line, 0, len);
            if (why == null) {
                return KEEP;
            }
            // A torn write merged with the next append: keep the complete event that follows it.
            for (int at = indexOf(line, len, EVENT_START, 1); at > 0; at = indexOf(line, len, EVENT_START, at + 1)) {
                if (accept(line, at, len) == null) {
                    byte[] rest = new byte[len - at];
                    System.arraycopy(line, at, rest, 0, rest.length);
                    return new Replace(
                            rest, why + " (a torn write merged with the next append; its complete event was kept)");
                }
            }
            return new Drop(why);
        }

        /** Null if the line is a valid next event (and then its state is taken), else why not. */
        private String accept(byte[] line, int from, int len) {
            byte[] slice = from == 0 ? line : Arrays.copyOfRange(line, from, len);
            int n = len - from;
            if (!validUtf8(slice, n)) {
                return "invalid UTF-8";
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(slice, 0, n);
            } catch (IOException e) {
                return "not JSON (" + firstLine(e.getMessage()) + ")";
            }
            if (node == null || !node.isObject()) {
                return "not a JSON object";
            }
            JsonNode seq = node.get("seq");
            if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.asLong() <= 0) {
                return "no numeric seq";
            }
            if (!node.path("type").isTextual() || node.path("type").asText().isEmpty()) {
                return "no event type";
            }
            if (!node.path("v").isInt()) {
                return "no protocol version";
            }
            long s = seq.asLong();
            if (s <= lastSeq) {
                return "seq " + s + " does not follow " + lastSeq + " (duplicate or out of order)";
            }
            lastSeq = s;
            if (firstAt == null) {
                try {
                    firstAt = Instant.parse(node.path("timestamp").asText());
                } catch (DateTimeParseException e) {
                    // no usable timestamp: the session's creation time comes from elsewhere
                }
            }
            String type = node.path("type").asText();
            String turnId =
                    node.path("turnId").isTextual() ? node.path("turnId").asText() : null;
            switch (type) {
                case "turn.started" -> {
                    openTurn = turnId;
                    openTurnSteps = 0;
                }
                case "usage" -> {
                    if (turnId != null && turnId.equals(openTurn)) {
                        openTurnSteps++;
                    }
                }
                case "turn.completed", "cancelled" -> {
                    if (turnId != null && turnId.equals(openTurn)) {
                        openTurn = null;
                    }
                }
                default -> {}
            }
            return null;
        }
    }

    /** Validates message lines and collects the conversation. */
    private static final class MessageCheck implements LineCheck {
        final List<ChatMessage> messages = new ArrayList<>();

        @Override
        public Verdict check(byte[] line, int len) {
            if (blank(line, len)) {
                return new Drop(null);
            }
            String why = accept(line, 0, len);
            if (why == null) {
                return KEEP;
            }
            for (int at = indexOf(line, len, MESSAGE_START, 1);
                    at > 0;
                    at = indexOf(line, len, MESSAGE_START, at + 1)) {
                if (accept(line, at, len) == null) {
                    byte[] rest = new byte[len - at];
                    System.arraycopy(line, at, rest, 0, rest.length);
                    return new Replace(
                            rest, why + " (a torn write merged with the next append; its complete message was kept)");
                }
            }
            return new Drop(why);
        }

        private String accept(byte[] line, int from, int len) {
            byte[] slice = from == 0 ? line : Arrays.copyOfRange(line, from, len);
            int n = len - from;
            if (!validUtf8(slice, n)) {
                return "invalid UTF-8";
            }
            ChatMessage m;
            try {
                m = Json.MAPPER.readValue(slice, 0, n, ChatMessage.class);
            } catch (IOException e) {
                return "not a chat message (" + firstLine(e.getMessage()) + ")";
            }
            if (m == null || m.role() == null) {
                return "no role";
            }
            messages.add(m);
            return null;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String first = nl < 0 ? s : s.substring(0, nl);
        return first.length() > 160 ? first.substring(0, 160) + "…" : first;
    }
}
