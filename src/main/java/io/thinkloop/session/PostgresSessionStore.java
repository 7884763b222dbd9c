package io.thinkloop.session;

import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Sessions in PostgreSQL: tables {@code thinkloop_sessions} (metadata), {@code thinkloop_events} (primary key
 * {@code (session_id, seq)}: a repeated seq is refused, so appends are idempotent), {@code thinkloop_messages} and
 * {@code thinkloop_leases} (owner and expiry; taken with one conditional upsert). Created at start if missing.
 *
 * <p><b>Batched commits</b>: appends of every session go through one writer, which commits whatever is waiting as
 * one transaction (group commit) and then wakes the appenders; each append returns once its transaction committed.
 * {@code thinkloop.journal.fsync} maps to PostgreSQL's {@code synchronous_commit}: {@code always} waits for the WAL
 * flush on every commit; {@code batch} and {@code never} do not ({@code off}: PostgreSQL's WAL writer flushes every
 * {@code wal_writer_delay}, 200 ms by default, like the file store's batch interval); a crash of this replica loses
 * nothing committed under any policy. <b>Live delivery</b>: each commit sends {@code NOTIFY thinkloop_events} with
 * the session ids; one watcher thread per replica {@code LISTEN}s on its own connection and reads the new rows of
 * the sessions it watches.
 */
final class PostgresSessionStore implements SharedStore {
    private static final Logger LOG = Logger.getLogger(PostgresSessionStore.class);
    private static final String CHANNEL = "thinkloop_events";
    private static final long SCHEMA_LOCK = 0x7468696e6b6cL;
    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS thinkloop_sessions (id text COLLATE \"C\" PRIMARY KEY,"
                + " created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,"
                + " last_seq bigint NOT NULL DEFAULT 0, messages int NOT NULL DEFAULT 0)",
        "CREATE TABLE IF NOT EXISTS thinkloop_events (session_id text NOT NULL, seq bigint NOT NULL,"
                + " body text NOT NULL, PRIMARY KEY (session_id, seq))",
        "CREATE TABLE IF NOT EXISTS thinkloop_messages (session_id text NOT NULL, idx bigserial,"
                + " body text NOT NULL, PRIMARY KEY (session_id, idx))",
        "CREATE TABLE IF NOT EXISTS thinkloop_leases (session_id text PRIMARY KEY, owner text NOT NULL,"
                + " expires_at timestamptz NOT NULL)"
    };

    private final String url;
    private final Properties props = new Properties();
    private final FsyncPolicy fsync;
    private final BlockingQueue<Connection> pool = new LinkedBlockingQueue<>();
    private final BlockingQueue<Pending> writes = new LinkedBlockingQueue<>();
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final BlockingQueue<String> newWatches = new LinkedBlockingQueue<>();
    private final Thread writer;
    private final Thread watcher;
    private volatile boolean running = true;

    /** One append waiting for its commit: an event ({@code seq > 0}) or a message. */
    private record Pending(String session, long seq, String body, CompletableFuture<Boolean> done) {}

    private static final class Watch {
        final Sink sink;
        volatile long after;

        Watch(Sink sink, long after) {
            this.sink = sink;
            this.after = after;
        }
    }

    PostgresSessionStore(String url, String user, String password, FsyncPolicy fsync) {
        this.url = url;
        this.fsync = fsync;
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password);
        }
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK + ")"); // replicas starting together
            try {
                for (String ddl : SCHEMA) {
                    st.execute(ddl);
                }
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot reach the session store at " + location() + ": " + e.getMessage(), e);
        }
        this.writer = Thread.ofVirtual().name("postgres-session-writer").start(this::writeLoop);
        this.watcher = Thread.ofVirtual().name("postgres-session-watcher").start(this::watchLoop);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, props);
    }

    @Override
    public String kind() {
        return "postgres";
    }

    @Override
    public String location() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q); // no query: it may carry a password
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection (autocommit); a broken connection is dropped. */
    private <T> T with(String what, Work<T> work) {
        Connection c = pool.poll();
        try {
            if (c == null) {
                c = connect();
            }
            T result = work.run(c);
            pool.offer(c);
            c = null;
            return result;
        } catch (SQLException e) {
            throw new JournalWriteException(what + ": " + e.getMessage(), new IOException(e));
        } finally {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // dropped
                }
            }
        }
    }

    @Override
    public boolean create(String id, Instant createdAt) {
        return with("cannot create session " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO thinkloop_sessions (id, created_at, updated_at)"
                    + " VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                ps.setString(1, id);
                ps.setTimestamp(2, Timestamp.from(createdAt));
                ps.setTimestamp(3, Timestamp.from(createdAt));
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Stored load(String id) {
        Instant[] times = with("cannot load session " + id, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT created_at, updated_at FROM thinkloop_sessions WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? new Instant[] {
                                rs.getTimestamp(1).toInstant(),
                                rs.getTimestamp(2).toInstant()
                            }
                            : null;
                }
            }
        });
        if (times == null) {
            return null;
        }
        List<ChatMessage> history = messagesFrom(id, 0);
        TurnTracker turns = new TurnTracker();
        long last = 0;
        EventSource all = new TableReplay(id, 0, Long.MAX_VALUE);
        try {
            while (!all.done()) {
                for (String line : all.next(1024, 4 << 20)) {
                    turns.accept(line);
                    last = JournalReplay.seqOf(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Stored(times[0], times[1], history, last, turns.openTurn(), turns.steps());
    }

    @Override
    public List<ChatMessage> messagesFrom(String id, int from) {
        List<String> bodies = with("cannot read the messages of session " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT body FROM thinkloop_messages WHERE session_id = ? ORDER BY idx OFFSET ?")) {
                ps.setString(1, id);
                ps.setInt(2, from);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
        List<ChatMessage> out = new ArrayList<>();
        for (String body : bodies) {
            try {
                out.add(Json.MAPPER.readValue(body, ChatMessage.class));
            } catch (IOException e) {
                LOG.warnf("session %s: a stored message is not a chat message (%s); left out", id, e.getMessage());
            }
        }
        return out;
    }

    @Override
    public long lastSeq(String id) {
        return with("cannot read session " + id, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT coalesce(max(seq), 0) FROM thinkloop_events WHERE session_id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public Journal journal(String id, FsyncPolicy policy) {
        return new Journal() {
            @Override
            public void appendMessage(ChatMessage message) {
                write(new Pending(id, 0, Json.MAPPER.valueToTree(message).toString(), new CompletableFuture<>()));
            }

            @Override
            public void appendEvent(long seq, String eventJson) {
                if (!write(new Pending(id, seq, eventJson, new CompletableFuture<>()))) {
                    throw new SeqTakenException("session " + id + ": seq " + seq + " is taken");
                }
            }

            @Override
            public EventSource replay(long after, long upTo) {
                return new TableReplay(id, after, upTo);
            }

            @Override
            public void forceIfDirty() {}

            @Override
            public void release() {}

            @Override
            public int openFiles() {
                return 0;
            }

            @Override
            public void close() {}
        };
    }

    /** Queues the append for the writer and waits for its commit; false when the event's seq was taken. */
    private boolean write(Pending p) {
        writes.add(p);
        try {
            return p.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalWriteException(
                    "interrupted while appending to session " + p.session(), new IOException("interrupted"));
        } catch (ExecutionException e) {
            throw new JournalWriteException(
                    "journal append failed for session " + p.session() + ": "
                            + e.getCause().getMessage(),
                    new IOException(e.getCause()));
        }
    }

    /** Group commit: everything waiting goes into one transaction. */
    private void writeLoop() {
        Connection c = null;
        List<Pending> batch = new ArrayList<>();
        while (running) {
            try {
                batch.add(writes.take());
            } catch (InterruptedException e) {
                return;
            }
            writes.drainTo(batch, 1023);
            try {
                if (c == null) {
                    c = connect();
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        st.execute("SET synchronous_commit = " + (fsync == FsyncPolicy.ALWAYS ? "on" : "off"));
                    }
                    c.commit();
                }
                int[] events;
                Set<String> notify = new LinkedHashSet<>();
                try (PreparedStatement ev = c.prepareStatement("INSERT INTO thinkloop_events (session_id, seq, body)"
                                + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
                        PreparedStatement msg =
                                c.prepareStatement("INSERT INTO thinkloop_messages (session_id, body) VALUES (?, ?)")) {
                    boolean anyMessage = false;
                    for (Pending p : batch) {
                        if (p.seq() > 0) {
                            ev.setString(1, p.session());
                            ev.setLong(2, p.seq());
                            ev.setString(3, p.body());
                            ev.addBatch();
                            notify.add(p.session());
                        } else {
                            msg.setString(1, p.session());
                            msg.setString(2, p.body());
                            msg.addBatch();
                            anyMessage = true;
                        }
                    }
                    events = ev.executeBatch();
                    if (anyMessage) {
                        msg.executeBatch();
                    }
                }
                if (!notify.isEmpty()) {
                    try (PreparedStatement n = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
                        n.setString(1, String.join(" ", notify));
                        n.execute();
                    }
                }
                c.commit();
                int i = 0;
                for (Pending p : batch) {
                    p.done().complete(p.seq() <= 0 || events[i++] != 0);
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warnf(
                        "session store %s: a commit of %d appends failed: %s",
                        location(), batch.size(), e.getMessage());
                for (Pending p : batch) {
                    p.done().completeExceptionally(e);
                }
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException ignored) {
                        // reconnects for the next batch
                    }
                    c = null;
                }
            }
            batch.clear();
        }
    }

    /** Reads {@code after < seq <= upTo}, a batch at a time. */
    private final class TableReplay implements EventSource {
        private final String id;
        private final long upTo;
        private long after;
        private boolean done;

        TableReplay(String id, long after, long upTo) {
            this.id = id;
            this.after = after;
            this.upTo = upTo;
            this.done = upTo <= after;
        }

        @Override
        public boolean done() {
            return done;
        }

        @Override
        public List<String> next(int maxLines, int maxBytes) throws IOException {
            if (done) {
                return List.of();
            }
            try {
                List<String> out = rows(id, after, upTo, maxLines);
                if (out.size() < maxLines) {
                    done = true;
                }
                if (!out.isEmpty()) {
                    after = JournalReplay.seqOf(out.getLast());
                }
                return out;
            } catch (JournalWriteException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    private List<String> rows(String id, long after, long upTo, int limit) {
        return with("cannot read the events of session " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM thinkloop_events"
                    + " WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?")) {
                ps.setString(1, id);
                ps.setLong(2, after);
                ps.setLong(3, upTo);
                ps.setInt(4, limit);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void writeMeta(SessionManager.Meta m) {
        with("cannot write the metadata of session " + m.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE thinkloop_sessions SET updated_at = ?, last_seq = ?, messages = ? WHERE id = ?")) {
                ps.setTimestamp(1, Timestamp.from(m.updatedAt()));
                ps.setLong(2, m.lastSeq());
                ps.setInt(3, m.messages());
                ps.setString(4, m.id());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<SessionManager.Meta> page(String cursor, int limit) {
        return with("cannot list sessions", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, created_at, updated_at, last_seq, messages"
                    + " FROM thinkloop_sessions WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setString(1, cursor == null ? "" : cursor);
                ps.setInt(2, limit);
                List<SessionManager.Meta> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SessionManager.Meta(
                                rs.getString(1),
                                rs.getTimestamp(2).toInstant(),
                                rs.getTimestamp(3).toInstant(),
                                rs.getLong(4),
                                rs.getInt(5)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void delete(String id) {
        with("cannot delete session " + id, c -> {
            for (String table :
                    List.of("thinkloop_events", "thinkloop_messages", "thinkloop_leases", "thinkloop_sessions")) {
                String column = table.equals("thinkloop_sessions") ? "id" : "session_id";
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + column + " = ?")) {
                    ps.setString(1, id);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public boolean acquireLease(String id, String owner, Duration ttl) {
        return with("lease of session " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO thinkloop_leases (session_id, owner, expires_at)"
                            + " VALUES (?, ?, now() + (? * interval '1 millisecond'))"
                            + " ON CONFLICT (session_id) DO UPDATE SET owner = EXCLUDED.owner,"
                            + " expires_at = EXCLUDED.expires_at"
                            + " WHERE thinkloop_leases.expires_at < now() OR thinkloop_leases.owner = EXCLUDED.owner")) {
                ps.setString(1, id);
                ps.setString(2, owner);
                ps.setLong(3, ttl.toMillis());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean renewLease(String id, String owner, Duration ttl) {
        return with("lease of session " + id, c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE thinkloop_leases SET expires_at = now() + (? * interval '1 millisecond')"
                            + " WHERE session_id = ? AND owner = ?")) {
                ps.setLong(1, ttl.toMillis());
                ps.setString(2, id);
                ps.setString(3, owner);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseLease(String id, String owner) {
        try {
            with("lease of session " + id, c -> {
                try (PreparedStatement ps =
                        c.prepareStatement("DELETE FROM thinkloop_leases WHERE session_id = ? AND owner = ?")) {
                    ps.setString(1, id);
                    ps.setString(2, owner);
                    return ps.executeUpdate();
                }
            });
        } catch (JournalWriteException e) {
            LOG.warnf("session %s: could not release its lease (it expires by itself): %s", id, e.getMessage());
        }
    }

    @Override
    public void watch(String id, long afterSeq, Sink sink) {
        watches.put(id, new Watch(sink, afterSeq));
        newWatches.add(id);
    }

    @Override
    public void unwatch(String id, Sink sink) {
        watches.computeIfPresent(id, (k, w) -> w.sink == sink ? null : w);
    }

    /** LISTENs on its own connection; reads the new rows of each watched session a commit notified. */
    private void watchLoop() {
        long backoff = 100;
        while (running) {
            try (Connection c = connect()) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                backoff = 100;
                // after a (re)connect, catch up every watched session: notifications may have been missed
                newWatches.addAll(watches.keySet());
                while (running) {
                    Set<String> due = new LinkedHashSet<>();
                    newWatches.drainTo(due);
                    PGNotification[] got = pg.getNotifications(due.isEmpty() ? 100 : 1);
                    if (got != null) {
                        for (PGNotification n : got) {
                            for (String id : n.getParameter().split(" ")) {
                                due.add(id);
                            }
                        }
                    }
                    for (String id : due) {
                        deliver(c, id);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("session watcher: PostgreSQL at %s failed (%s); reconnecting", location(), e.getMessage());
                try {
                    Thread.sleep(backoff); // reconnect back-off on this watcher thread
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(5000, backoff * 2);
            }
        }
    }

    private void deliver(Connection c, String id) throws SQLException {
        Watch w = watches.get(id);
        if (w == null) {
            return;
        }
        while (true) {
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, body FROM thinkloop_events"
                    + " WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT 512")) {
                ps.setString(1, id);
                ps.setLong(2, w.after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        n++;
                        long seq = rs.getLong(1);
                        if (seq > w.after) {
                            w.after = seq;
                            try {
                                w.sink.deliver(seq, rs.getString(2));
                            } catch (RuntimeException bad) {
                                LOG.warnf(bad, "session %s: delivering event %d failed", id, seq);
                            }
                        }
                    }
                }
            }
            if (n < 512) {
                return;
            }
        }
    }

    @Override
    public void ping() {
        with("ping", c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT 1");
            }
            return null;
        });
    }

    @Override
    public void close() {
        running = false;
        writer.interrupt();
        watcher.interrupt();
        for (Connection c = pool.poll(); c != null; c = pool.poll()) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
