package io.thinkloop.session;

import java.util.function.Predicate;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The durable record of one session: a folder with {@code messages.jsonl} (the conversation, one
 * {@link ChatMessage} a line, reasoning included) and {@code events.jsonl} (every {@link EventEnvelope}
 * a line, in seq order). Append-only; a line torn by a crash (no final newline) is cut off when the
 * journal is opened again. Callers serialize appends (the owning {@link Session} holds its lock).
 */
final class SessionJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SessionJournal.class);
    static final String MESSAGES = "messages.jsonl";
    static final String EVENTS = "events.jsonl";

    private final Path dir;
    private final FsyncPolicy fsync;
    private FileChannel messages;
    private FileChannel events;
    private volatile boolean dirty;

    SessionJournal(Path dir, FsyncPolicy fsync) {
        this.dir = dir;
        this.fsync = fsync;
        try {
            Files.createDirectories(dir);
            messages = open(dir.resolve(MESSAGES));
            events = open(dir.resolve(EVENTS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal in " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }

    private static FileChannel open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = ch.size();
        long keep = size;
        // Cut a torn last line (the process died mid-append): scan back to the last newline.
        if (size > 0) {
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                ch.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                LOG.warnf("journal %s: cut a torn last line (%d bytes)", file, size - keep);
                ch.truncate(keep);
            }
        }
        ch.position(keep);
        return ch;
    }

    void appendMessage(ChatMessage message) {
        append(messages, Json.MAPPER.valueToTree(message).toString());
    }

    void appendEvent(String eventJson) {
        append(events, eventJson);
    }

    private void append(FileChannel ch, String line) {
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (fsync == FsyncPolicy.ALWAYS) {
                ch.force(false);
            } else {
                dirty = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("journal append failed in " + dir, e);
        }
    }

    /** fsyncs if anything was appended since the last force (BATCH policy). */
    void forceIfDirty() {
        if (!dirty || fsync == FsyncPolicy.NEVER) {
            return;
        }
        dirty = false;
        try {
            messages.force(false);
            events.force(false);
        } catch (IOException e) {
            LOG.warnf(e, "journal fsync failed in %s", dir);
        }
    }

    List<ChatMessage> readMessages() {
        List<ChatMessage> out = new ArrayList<>();
        readLines(dir.resolve(MESSAGES), line -> {
            try {
                out.add(Json.MAPPER.readValue(line, ChatMessage.class));
            } catch (IOException e) {
                throw new UncheckedIOException("bad journal line in " + dir, e);
            }
            return true;
        });
        return out;
    }

    /** Seq of the last journaled event, 0 if none. */
    long lastSeq() {
        long[] last = {0};
        readLines(dir.resolve(EVENTS), line -> {
            last[0] = seqOf(line);
            return true;
        });
        return last[0];
    }

    /** The journaled events with {@code after < seq <= upTo}, as their JSON text, in order. */
    List<String> readEvents(long after, long upTo) {
        List<String> out = new ArrayList<>();
        if (upTo <= after) {
            return out;
        }
        // Lines are in seq order and every line up to upTo is complete; stop there, before the line a
        // concurrent append may be writing (a torn line could otherwise be misread).
        readLines(dir.resolve(EVENTS), line -> {
            long seq = seqOf(line);
            if (seq > after && seq <= upTo) {
                out.add(line);
            }
            return seq < upTo;
        });
        return out;
    }

    private static long seqOf(String line) {
        // The envelope writes "v" then "type", "sessionId", "turnId", "seq": read the number without a full parse.
        int i = line.indexOf("\"seq\":");
        if (i < 0) {
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                return n.path("seq").asLong();
            } catch (IOException e) {
                return -1;
            }
        }
        int start = i + 6;
        int end = start;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        return Long.parseLong(line, start, end, 10);
    }

    /** Feeds lines to {@code sink} until it returns false. */
    private static void readLines(Path file, Predicate<String> sink) {
        if (!Files.exists(file)) {
            return;
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank() && !sink.test(line)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void close() {
        forceIfDirty();
        try {
            messages.close();
            events.close();
        } catch (IOException e) {
            LOG.debugf(e, "closing journal %s", dir);
        }
    }
}
