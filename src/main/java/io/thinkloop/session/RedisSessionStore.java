package io.thinkloop.session;

import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jboss.logging.Logger;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Sessions in Redis: a session's events are the stream {@code tl:{ID}:events} whose entry ids are {@code SEQ-0}
 * (Redis refuses an id not above the stream's last, so appends are ordered and a repeated seq is refused), its
 * messages the list {@code tl:{ID}:messages}, its metadata the hash {@code tl:{ID}:meta}, its lease the key
 * {@code tl:{ID}:lease} (owner, with an expiry; compare-and-set in Lua), and the sorted set {@code tl:sessions}
 * lists the ids in order. The braces are cluster hash tags: a session's keys share one slot.
 *
 * <p>Live delivery: one virtual thread per replica runs {@code XREAD BLOCK} over the watched sessions' streams on
 * a connection of its own, plus this replica's wake-up stream, to which {@link #watch} adds an entry so the
 * blocked read picks up the new stream at once. Durability is the server's ({@code appendfsync}): Redis fsyncs
 * as it is configured, whatever {@code thinkloop.journal.fsync} says.
 */
final class RedisSessionStore implements SharedStore {
    private static final Logger LOG = Logger.getLogger(RedisSessionStore.class);
    private static final String FIELD = "e";
    private static final String SESSIONS = "tl:sessions";
    private static final String ACQUIRE = "local v = redis.call('GET', KEYS[1]) "
            + "if v == false or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end "
            + "return 0";
    private static final String RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0";
    private static final String RELEASE =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

    private final URI uri;
    private final JedisPooled redis;
    private final String wakeKey;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean running = true;
    private volatile Jedis watchConnection;

    private static final class Watch {
        final Sink sink;
        volatile long after;

        Watch(Sink sink, long after) {
            this.sink = sink;
            this.after = after;
        }
    }

    RedisSessionStore(URI uri, String replicaId) {
        this.uri = uri;
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(64);
        pool.setMaxIdle(64);
        // 10 s for a reply (Jedis's default is 2 s): a loaded machine or a failing-over Redis must not fail a turn
        this.redis = new JedisPooled(pool, uri, 10_000);
        this.wakeKey = "tl:wake:" + replicaId;
        redis.ping(); // fail at start, with the reason, when the store cannot be reached
        this.watcher = Thread.ofVirtual().name("redis-session-watcher").start(this::watchLoop);
    }

    static String events(String id) {
        return "tl:{" + id + "}:events";
    }

    static String messages(String id) {
        return "tl:{" + id + "}:messages";
    }

    static String meta(String id) {
        return "tl:{" + id + "}:meta";
    }

    static String lease(String id) {
        return "tl:{" + id + "}:lease";
    }

    @Override
    public String kind() {
        return "redis";
    }

    @Override
    public String location() {
        return uri.getHost() + ":" + uri.getPort();
    }

    @Override
    public boolean create(String id, Instant createdAt) {
        try {
            if (redis.hsetnx(meta(id), "createdAt", createdAt.toString()) == 0) {
                return false;
            }
            redis.hset(meta(id), Map.of("id", id, "updatedAt", createdAt.toString(), "lastSeq", "0", "messages", "0"));
            redis.zadd(SESSIONS, 0, id);
            return true;
        } catch (JedisException e) {
            throw failure("cannot create session " + id, e);
        }
    }

    @Override
    public Stored load(String id) {
        Map<String, String> m = redis.hgetAll(meta(id));
        if (m.isEmpty()) {
            return null;
        }
        Instant created = Instant.parse(m.get("createdAt"));
        Instant updated = m.containsKey("updatedAt") ? Instant.parse(m.get("updatedAt")) : created;
        List<ChatMessage> history = messagesFrom(id, 0);
        TurnTracker turns = new TurnTracker();
        long last = 0;
        EventSource all = new StreamReplay(id, 0, Long.MAX_VALUE);
        while (!all.done()) {
            for (String line : nextOf(all)) {
                turns.accept(line);
                last = JournalReplay.seqOf(line);
            }
        }
        return new Stored(created, updated, history, last, turns.openTurn(), turns.steps());
    }

    private static List<String> nextOf(EventSource source) {
        try {
            return source.next(1024, 4 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<ChatMessage> messagesFrom(String id, int from) {
        List<ChatMessage> out = new ArrayList<>();
        for (String line : redis.lrange(messages(id), from, -1)) {
            try {
                out.add(Json.MAPPER.readValue(line, ChatMessage.class));
            } catch (IOException e) {
                LOG.warnf("session %s: a stored message is not a chat message (%s); left out", id, e.getMessage());
            }
        }
        return out;
    }

    @Override
    public long lastSeq(String id) {
        List<StreamEntry> last = redis.xrevrange(events(id), "+", "-", 1);
        return last.isEmpty() ? 0 : last.getFirst().getID().getTime();
    }

    @Override
    public Journal journal(String id, FsyncPolicy fsync) {
        return new Journal() {
            @Override
            public void appendMessage(ChatMessage message) {
                try {
                    redis.rpush(messages(id), Json.MAPPER.valueToTree(message).toString());
                } catch (JedisException e) {
                    throw failure("journal append failed for session " + id, e);
                }
            }

            @Override
            public void appendEvent(long seq, String eventJson) {
                try {
                    redis.xadd(
                            events(id),
                            XAddParams.xAddParams().id(new StreamEntryID(seq, 0)),
                            Map.of(FIELD, eventJson));
                } catch (JedisDataException e) {
                    if (String.valueOf(e.getMessage()).contains("equal or smaller")) {
                        throw new SeqTakenException("session " + id + ": seq " + seq + " is taken");
                    }
                    throw failure("journal append failed for session " + id, e);
                } catch (JedisException e) {
                    throw failure("journal append failed for session " + id, e);
                }
            }

            @Override
            public EventSource replay(long after, long upTo) {
                return new StreamReplay(id, after, upTo);
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

    /** Reads {@code after < seq <= upTo} with XRANGE, a batch at a time. */
    private final class StreamReplay implements EventSource {
        private final String id;
        private final long upTo;
        private long next;
        private boolean done;

        StreamReplay(String id, long after, long upTo) {
            this.id = id;
            this.next = after + 1;
            this.upTo = upTo;
            this.done = upTo <= after;
        }

        @Override
        public boolean done() {
            return done;
        }

        @Override
        public List<String> next(int maxLines, int maxBytes) throws IOException {
            List<String> out = new ArrayList<>();
            if (done) {
                return out;
            }
            List<StreamEntry> batch;
            try {
                String end = upTo == Long.MAX_VALUE ? "+" : upTo + "-0";
                batch = redis.xrange(events(id), next + "-0", end, maxLines);
            } catch (JedisException e) {
                throw new IOException("cannot read the events of session " + id + ": " + e.getMessage(), e);
            }
            int bytes = 0;
            for (StreamEntry e : batch) {
                String line = e.getFields().get(FIELD);
                out.add(line);
                bytes += line.length();
                next = e.getID().getTime() + 1;
                if (bytes >= maxBytes) {
                    break;
                }
            }
            if ((batch.size() < maxLines && out.size() == batch.size()) || next > upTo) {
                done = true; // nothing more up to upTo
            }
            return out;
        }
    }

    @Override
    public void writeMeta(SessionManager.Meta m) {
        redis.hset(
                meta(m.id()),
                Map.of(
                        "id", m.id(),
                        "createdAt", m.createdAt().toString(),
                        "updatedAt", m.updatedAt().toString(),
                        "lastSeq", Long.toString(m.lastSeq()),
                        "messages", Integer.toString(m.messages())));
    }

    @Override
    public List<SessionManager.Meta> page(String cursor, int limit) {
        List<SessionManager.Meta> out = new ArrayList<>();
        for (String id : redis.zrangeByLex(SESSIONS, cursor == null ? "-" : "(" + cursor, "+", 0, limit)) {
            Map<String, String> m = redis.hgetAll(meta(id));
            if (m.isEmpty()) {
                continue;
            }
            Instant created = Instant.parse(m.get("createdAt"));
            out.add(new SessionManager.Meta(
                    id,
                    created,
                    m.containsKey("updatedAt") ? Instant.parse(m.get("updatedAt")) : created,
                    Long.parseLong(m.getOrDefault("lastSeq", "0")),
                    Integer.parseInt(m.getOrDefault("messages", "0"))));
        }
        return out;
    }

    @Override
    public void delete(String id) {
        redis.zrem(SESSIONS, id);
        redis.del(events(id), messages(id), meta(id), lease(id));
    }

    @Override
    public boolean acquireLease(String id, String owner, Duration ttl) {
        return lua(ACQUIRE, id, owner, ttl);
    }

    @Override
    public boolean renewLease(String id, String owner, Duration ttl) {
        return lua(RENEW, id, owner, ttl);
    }

    @Override
    public void releaseLease(String id, String owner) {
        try {
            redis.eval(RELEASE, List.of(lease(id)), List.of(owner));
        } catch (JedisException e) {
            LOG.warnf("session %s: could not release its lease (it expires by itself): %s", id, e.getMessage());
        }
    }

    private boolean lua(String script, String id, String owner, Duration ttl) {
        try {
            Object r = redis.eval(script, List.of(lease(id)), List.of(owner, Long.toString(ttl.toMillis())));
            return r instanceof Long l && l == 1L;
        } catch (JedisException e) {
            throw failure("lease of session " + id, e);
        }
    }

    @Override
    public void watch(String id, long afterSeq, Sink sink) {
        watches.put(id, new Watch(sink, afterSeq));
        wake();
    }

    @Override
    public void unwatch(String id, Sink sink) {
        watches.computeIfPresent(id, (k, w) -> w.sink == sink ? null : w);
    }

    private void wake() {
        try {
            redis.xadd(wakeKey, XAddParams.xAddParams().maxLen(1), Map.of("w", "1"));
        } catch (JedisException e) {
            LOG.debugf("could not wake the session watcher: %s", e.getMessage());
        }
    }

    /** One blocking read over every watched stream at a time, on this virtual thread only. */
    private void watchLoop() {
        StreamEntryID wakeId = new StreamEntryID();
        long backoff = 100;
        while (running) {
            try (Jedis conn = new Jedis(uri, 10_000, 0)) {
                watchConnection = conn;
                backoff = 100;
                while (running) {
                    Map<String, StreamEntryID> streams = new HashMap<>();
                    streams.put(wakeKey, wakeId);
                    Map<String, Watch> now = Map.copyOf(watches);
                    now.forEach((id, w) -> streams.put(events(id), new StreamEntryID(w.after, 0)));
                    var got = conn.xread(XReadParams.xReadParams().block(5000).count(512), streams);
                    if (got == null) {
                        continue;
                    }
                    for (var stream : got) {
                        if (stream.getKey().equals(wakeKey)) {
                            if (!stream.getValue().isEmpty()) {
                                wakeId = stream.getValue().getLast().getID();
                            }
                            continue;
                        }
                        String id = idOf(stream.getKey());
                        Watch w = watches.get(id);
                        if (w == null) {
                            continue;
                        }
                        for (StreamEntry e : stream.getValue()) {
                            long seq = e.getID().getTime();
                            if (seq > w.after) {
                                w.after = seq;
                                try {
                                    w.sink.deliver(seq, e.getFields().get(FIELD));
                                } catch (RuntimeException bad) {
                                    LOG.warnf(bad, "session %s: delivering event %d failed", id, seq);
                                }
                            }
                        }
                    }
                }
            } catch (JedisException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("session watcher: Redis at %s failed (%s); reconnecting", location(), e.getMessage());
                try {
                    Thread.sleep(backoff); // reconnect back-off on this watcher thread
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(5000, backoff * 2);
            }
        }
    }

    private static String idOf(String eventsKey) {
        return eventsKey.substring(eventsKey.indexOf('{') + 1, eventsKey.lastIndexOf('}'));
    }

    @Override
    public void ping() {
        redis.ping();
    }

    @Override
    public void close() {
        running = false;
        Jedis c = watchConnection;
        if (c != null) {
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                LOG.debugf("closing the watcher's connection: %s", e.getMessage());
            }
        }
        watcher.interrupt();
        redis.close();
    }

    private static JournalWriteException failure(String what, JedisException e) {
        return new JournalWriteException(what + ": " + e.getMessage(), new IOException(e));
    }
}
