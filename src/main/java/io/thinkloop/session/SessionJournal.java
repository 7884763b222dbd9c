package io.thinkloop.session;

import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The durable record of one session: a folder with {@code messages.jsonl} (the conversation, one
 * {@link ChatMessage} a line, reasoning included) and {@code events.jsonl} (every {@link EventEnvelope}
 * a line, in seq order). Append-only. Callers serialize appends (the owning {@link Session} holds its lock).
 *
 * <p>Files are opened lazily by the first append and closed again by {@link #release()} when the turn
 * ends, so an idle session holds no file descriptor. An append that fails (disk full, I/O error) is cut
 * back to the last complete line before {@link JournalWriteException} is thrown, so a half-written line
 * can never merge with the next append. Opening a file whose last line is torn (a crash mid-append)
 * cuts that line, reading backwards from the end in blocks. Validation of what is already there is
 * {@link JournalLoader}'s job, once, when the session is loaded.
 */
final class SessionJournal implements Journal {
    private static final Logger LOG = Logger.getLogger(SessionJournal.class);
    static final String MESSAGES = "messages.jsonl";
    static final String EVENTS = "events.jsonl";

    /** Opens a journal file for appending; a test substitutes one whose writes fail like a full disk. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path file) throws IOException;
    }

    static final Opener FILES =
            file -> OwnerOnly.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

    /** What the manager hears from a journal: a file became dirty (batch policy), an append failed. */
    interface Listener {
        void dirty(SessionJournal journal);

        void failed(Path file, IOException error);
    }

    private final Path dir;
    private final FsyncPolicy fsync;
    private final Opener opener;
    /** Told when a file became dirty under the batch policy (the manager's flusher); null: fsync on release. */
    private final Listener listener;

    private final Appender messages;
    private final Appender events;

    SessionJournal(Path dir, FsyncPolicy fsync) {
        this(dir, fsync, FILES, null);
    }

    SessionJournal(Path dir, FsyncPolicy fsync, Opener opener, Listener listener) {
        this.dir = dir;
        this.fsync = fsync;
        this.opener = opener;
        this.listener = listener;
        this.messages = new Appender(dir.resolve(MESSAGES));
        this.events = new Appender(dir.resolve(EVENTS));
    }

    Path dir() {
        return dir;
    }

    Path eventsFile() {
        return events.file;
    }

    @Override
    public void appendMessage(ChatMessage message) {
        messages.append(Json.MAPPER.valueToTree(message).toString());
    }

    /** Appends the line; the seq is in it (the file's order is the seq order: the session appends under its lock). */
    @Override
    public void appendEvent(long seq, String eventJson) {
        events.append(eventJson);
    }

    /** Appends a line as it is (tests write lines of their own, seq included). */
    void appendEvent(String eventJson) {
        events.append(eventJson);
    }

    @Override
    public EventSource replay(long after, long upTo) {
        return new JournalReplay(events.file, after, upTo);
    }

    /** Open descriptors, for the tests that keep them bounded. */
    @Override
    public synchronized int openFiles() {
        return (messages.ch != null ? 1 : 0) + (events.ch != null ? 1 : 0);
    }

    /** fsyncs what was appended since the last force (batch policy), also after the files were released. */
    @Override
    public void forceIfDirty() {
        messages.sync();
        events.sync();
    }

    /**
     * Closes the files until the next append (end of a turn, eviction). Under the batch policy a dirty
     * file is fsynced later by the flusher (by path), else now.
     */
    @Override
    public void release() {
        messages.release();
        events.release();
    }

    @Override
    public void close() {
        forceIfDirty();
        release();
    }

    /** Seq of the last journaled event, 0 if none. */
    long lastSeq() {
        long last = 0;
        for (String line : readEvents(0, Long.MAX_VALUE)) {
            last = JournalReplay.seqOf(line);
        }
        return last;
    }

    /** The journaled events with {@code after < seq <= upTo}, as their JSON text, in order (small journals, tests). */
    List<String> readEvents(long after, long upTo) {
        List<String> out = new ArrayList<>();
        JournalReplay replay = new JournalReplay(events.file, after, upTo);
        try {
            while (!replay.done()) {
                out.addAll(replay.next(1024, 1 << 20));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + events.file, e);
        }
        return out;
    }

    /**
     * Cuts a torn last line (no final newline) of an open file, reading backwards from the end in blocks;
     * returns the new size.
     */
    static long cutTornTail(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size == 0) {
            return 0;
        }
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, 1 << 16));
        long end = size;
        long keep = 0;
        search:
        while (end > 0) {
            int n = (int) Math.min(buf.capacity(), end);
            long from = end - n;
            buf.clear().limit(n);
            while (buf.hasRemaining()) {
                if (ch.read(buf, from + buf.position()) < 0) {
                    break;
                }
            }
            for (int i = buf.position() - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    keep = from + i + 1;
                    break search;
                }
            }
            end = from;
        }
        if (keep < size) {
            LOG.warnf("journal %s: cut a torn last line (%d bytes)", file, size - keep);
            ch.truncate(keep);
        }
        return keep;
    }

    /** One append-only file: opened on demand, cut back to its last good offset when a write fails. */
    private final class Appender {
        final Path file;
        FileChannel ch;
        long good;
        boolean dirty;

        Appender(Path file) {
            this.file = file;
        }

        void append(String line) {
            byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (SessionJournal.this) {
                if (ch == null) {
                    open();
                }
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                try {
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    if (fsync == FsyncPolicy.ALWAYS) {
                        ch.force(false);
                    }
                    good += bytes.length;
                } catch (IOException e) {
                    rollback(e);
                    if (listener != null) {
                        listener.failed(file, e);
                    }
                    throw new JournalWriteException("journal append failed in " + dir + ": " + e.getMessage(), e);
                }
                if (fsync == FsyncPolicy.BATCH && !dirty) {
                    dirty = true;
                    if (listener != null) {
                        listener.dirty(SessionJournal.this);
                    }
                }
            }
        }

        private void open() {
            try {
                OwnerOnly.directories(file.getParent());
                FileChannel c = opener.open(file);
                try {
                    good = cutTornTail(c, file);
                    c.position(good);
                } catch (IOException e) {
                    c.close();
                    throw e;
                }
                ch = c;
            } catch (IOException e) {
                if (listener != null) {
                    listener.failed(file, e);
                }
                throw new JournalWriteException("cannot open the journal " + file + ": " + e.getMessage(), e);
            }
        }

        /** Removes whatever part of the failed line reached the file. */
        private void rollback(IOException cause) {
            try {
                ch.truncate(good);
                ch.position(good);
                LOG.errorf("journal %s: append failed (%s), cut back to %d bytes", file, cause.getMessage(), good);
            } catch (IOException e) {
                // The file is in an unknown state: drop the channel; the next open cuts a torn tail.
                LOG.errorf(
                        e, "journal %s: append failed (%s) and cutting it back failed too", file, cause.getMessage());
                closeChannel();
            }
        }

        void sync() {
            FileChannel c;
            synchronized (SessionJournal.this) {
                if (!dirty) {
                    return;
                }
                dirty = false;
                c = ch;
            }
            try {
                if (c != null) {
                    c.force(false);
                } else {
                    forceByPath();
                }
            } catch (ClosedChannelException closed) {
                forceQuietly();
            } catch (IOException e) {
                LOG.warnf(e, "journal fsync failed for %s", file);
            }
        }

        private void forceQuietly() {
            try {
                forceByPath();
            } catch (IOException e) {
                LOG.warnf(e, "journal fsync failed for %s", file);
            }
        }

        /** fsync through a fresh descriptor: it flushes the file's data whichever descriptor wrote it. */
        private void forceByPath() throws IOException {
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
                c.force(false);
            } catch (NoSuchFileException deleted) {
                // the session was deleted meanwhile
            }
        }

        void release() {
            boolean forceNow;
            synchronized (SessionJournal.this) {
                if (ch == null) {
                    return;
                }
                forceNow = dirty && listener == null;
                if (forceNow) {
                    dirty = false;
                    try {
                        ch.force(false);
                    } catch (IOException e) {
                        LOG.warnf(e, "journal fsync failed for %s", file);
                    }
                }
                closeChannel();
            }
        }

        private void closeChannel() {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debugf(e, "closing journal %s", file);
            }
            ch = null;
        }
    }
}
