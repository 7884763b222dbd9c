package io.thinkloop.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.thinkloop.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * All sessions, durable under {@code thinkloop.data-dir}/sessions/ID/. Sessions load lazily on first
 * access (a restart costs nothing per stored session), so a restarted service serves every session it
 * had, with its full history and event stream.
 *
 * <p>Bounded: at most {@code thinkloop.session.max-loaded} sessions stay in memory (the least recently
 * used idle ones are evicted beyond it) and a session unused for {@code thinkloop.session.idle-evict-after}
 * is evicted; sessions with a running turn or a connected client are never evicted. An evicted session
 * still referenced somewhere (a request that just found it) is the one the next lookup returns (a weak
 * reference keeps track of it), so there is never a second live copy of a session writing its journal.
 * Listing reads only each session's {@code session.json} (id, times, last seq, message count, written
 * at creation and at each turn end), a page at a time; a session whose metadata cannot be read is
 * skipped and reported, never a reason to fail the list.
 */
@ApplicationScoped
public class SessionManager {
    private static final Logger LOG = Logger.getLogger(SessionManager.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    static final String META = "session.json";
    /** Sessions per page of {@link #page} when the caller names no limit, and the most it may ask for. */
    public static final int DEFAULT_PAGE = 100;

    public static final int MAX_PAGE = 1000;

    @ConfigProperty(name = "thinkloop.data-dir")
    Path dataDir;

    @ConfigProperty(name = "thinkloop.journal.fsync", defaultValue = "batch")
    String fsyncName;

    @ConfigProperty(name = "thinkloop.journal.fsync-interval", defaultValue = "200ms")
    Duration fsyncInterval;

    @ConfigProperty(name = "thinkloop.session.subscriber-buffer", defaultValue = "4096")
    int subscriberBuffer;

    /** The observer of every session's events (the service's metrics), when there is one. */
    @Inject
    Instance<SessionObserver> observers;

    @ConfigProperty(name = "thinkloop.session.idle-evict-after", defaultValue = "10m")
    Duration idleEvictAfter;

    @ConfigProperty(name = "thinkloop.session.max-loaded", defaultValue = "1000")
    int maxLoaded;

    /** Where sessions live: {@code file} (this replica's data directory), {@code redis} or {@code postgres}. */
    @ConfigProperty(name = "thinkloop.sessions.store", defaultValue = "file")
    String storeName;

    @ConfigProperty(name = "thinkloop.sessions.redis.url", defaultValue = "redis://localhost:6379")
    String redisUrl;

    @ConfigProperty(
            name = "thinkloop.sessions.postgres.url",
            defaultValue = "jdbc:postgresql://localhost:5432/thinkloop")
    String postgresUrl;

    @ConfigProperty(name = "thinkloop.sessions.postgres.user")
    Optional<String> postgresUser;

    @ConfigProperty(name = "thinkloop.sessions.postgres.password")
    Optional<String> postgresPassword;

    /** How long a replica's claim on a running turn lasts without renewal (renewed every third of it). */
    @ConfigProperty(name = "thinkloop.sessions.lease-ttl", defaultValue = "10s")
    Duration leaseTtl;

    /** This replica's name in the store's leases; default: host name, pid and a random suffix. */
    @ConfigProperty(name = "thinkloop.sessions.replica-id")
    Optional<String> replicaId;

    /** The shared store, or null for the file store. */
    private SharedStore shared;

    private Session.Sharing sharing;

    /** How journal files are opened for appending; a test substitutes a failing one. */
    SessionJournal.Opener opener = SessionJournal.FILES;

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, EvictedRef> evicted = new ConcurrentHashMap<>();
    private final ReferenceQueue<Session> collected = new ReferenceQueue<>();
    private final Set<String> deleting = ConcurrentHashMap.newKeySet();
    private final Set<SessionJournal> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean trimScheduled = new AtomicBoolean();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();
    private final ArrayDeque<String> recentProblems = new ArrayDeque<>();
    private volatile String lastJournalFailure;
    private volatile Instant lastJournalFailureAt;
    private volatile Health health = new Health(true, null, Instant.EPOCH);
    private FsyncPolicy fsync;
    private ScheduledExecutorService maintenance;
    private final SessionJournal.Listener journalListener = new SessionJournal.Listener() {
        @Override
        public void dirty(SessionJournal journal) {
            dirty.add(journal);
        }

        @Override
        public void failed(Path file, IOException error) {
            lastJournalFailure = file + ": " + error;
            lastJournalFailureAt = Instant.now();
        }
    };
    private final Session.Host host = new Session.Host() {
        @Override
        public void used(Session session) {
            readmit(session);
        }

        @Override
        public void turnEnded(Session session) {
            if (!session.deleted()) {
                writeMetaQuietly(session);
            }
        }
    };

    /** A session the manager let go of, still found while something else holds it. */
    private static final class EvictedRef extends WeakReference<Session> {
        final String id;

        EvictedRef(Session s, ReferenceQueue<Session> q) {
            super(s, q);
            this.id = s.id();
        }
    }

    void onStart(@Observes StartupEvent ev) {
        start();
    }

    /** Starts the manager (CDI calls it at startup; unit tests directly). */
    void start() {
        fsync = FsyncPolicy.valueOf(fsyncName.trim().toUpperCase(Locale.ROOT));
        String kind = storeName == null ? "file" : storeName.trim().toLowerCase(Locale.ROOT);
        String owner = (replicaId == null ? Optional.<String>empty() : replicaId)
                .filter(r -> !r.isBlank())
                .orElseGet(() -> hostName() + "-" + ProcessHandle.current().pid() + "-"
                        + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL));
        shared = switch (kind) {
            case "file" -> null;
            case "redis" -> new RedisSessionStore(URI.create(redisUrl), owner);
            case "postgres" ->
                new PostgresSessionStore(
                        postgresUrl,
                        postgresUser == null ? null : postgresUser.orElse(null),
                        postgresPassword == null ? null : postgresPassword.orElse(null),
                        fsync);
            default ->
                throw new IllegalArgumentException(
                        "thinkloop.sessions.store must be file, redis or postgres, not '" + storeName + "'");
        };
        if (shared != null) {
            sharing = new Session.Sharing(shared, owner, leaseTtl);
        }
        try {
            OwnerOnly.directories(root());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + root(), e);
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("session-maintenance").daemon().factory());
        if (fsync == FsyncPolicy.BATCH) {
            long ms = Math.max(1, fsyncInterval.toMillis());
            maintenance.scheduleWithFixedDelay(this::flush, ms, ms, TimeUnit.MILLISECONDS);
        }
        long sweep = Math.clamp(idleEvictAfter.toMillis() / 4, 50, 30_000);
        maintenance.scheduleWithFixedDelay(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
        maintenance.scheduleWithFixedDelay(this::dropCollected, 1, 1, TimeUnit.SECONDS);
        probe();
        maintenance.scheduleWithFixedDelay(this::probe, 2, 2, TimeUnit.SECONDS);
        if (shared != null) {
            long every = Math.max(50, leaseTtl.toMillis() / 3);
            maintenance.scheduleWithFixedDelay(this::leases, every, every, TimeUnit.MILLISECONDS);
            LOG.infof(
                    "sessions in %s at %s (replica %s, lease %s); fsync %s",
                    shared.kind(),
                    shared.location(),
                    owner,
                    leaseTtl,
                    fsync.name().toLowerCase(Locale.ROOT));
            return;
        }
        LOG.infof(
                "sessions in %s (fsync %s; at most %d loaded, idle ones evicted after %s)",
                root(), fsync.name().toLowerCase(Locale.ROOT), maxLoaded, idleEvictAfter);
    }

    void onStop(@Observes ShutdownEvent ev) {
        stop();
    }

    void stop() {
        if (maintenance != null) {
            maintenance.shutdown(); // not shutdownNow: an interrupted fsync would close the file under it
            try {
                maintenance.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
        sessions.values().forEach(Session::closeJournal);
        if (shared != null) {
            shared.close();
        }
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "replica";
        }
    }

    /**
     * Shared store, every third of the lease: renews the leases of the turns running here, and takes over the
     * turns of a replica that died (its lease expired) in sessions with clients here, closing them as interrupted.
     */
    void leases() {
        // one virtual thread per session: N renewals cost a few round trips, not N in a row (which on a slow store
        // would outlast the lease itself)
        try (ExecutorService upkeep = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Session s : sessions.values()) {
                upkeep.execute(() -> {
                    try {
                        if (s.activeTurn() != null) {
                            s.renewLease();
                        } else if (s.subscriberCount() > 0 && s.hasForeignOpenTurn()) {
                            s.closeAbandonedTurn();
                        }
                    } catch (RuntimeException e) {
                        LOG.warnf("session %s: lease upkeep failed: %s", s.id(), e.getMessage());
                    }
                });
            }
        }
    }

    /** Whether sessions live in a shared store (Redis, PostgreSQL) rather than this replica's files. */
    public boolean sharedStore() {
        return shared != null;
    }

    private Session observed(Session s) {
        if (observers != null && observers.isResolvable()) {
            s.observe(observers.get());
        }
        return s;
    }

    /** Clients connected to the sessions in memory, for the metrics. */
    public int connectedClients() {
        return sessions.values().stream().mapToInt(Session::subscriberCount).sum();
    }

    public int subscriberBuffer() {
        return subscriberBuffer;
    }

    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    private Path root() {
        return dataDir.resolve("sessions");
    }

    /** The session, loading it from disk if needed; empty if it does not exist. */
    public Optional<Session> find(String id) {
        if (!validId(id)) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s != null) {
            s.touch();
            refresh(s);
            return Optional.of(s);
        }
        boolean[] admitted = {false};
        Session found = sessions.compute(id, (k, cur) -> {
            if (cur != null) {
                return cur;
            }
            if (deleting.contains(k)) {
                return null;
            }
            Session back = revive(k);
            if (back != null) {
                admitted[0] = true;
                return back;
            }
            if (shared != null) {
                Session stored = loadShared(k);
                admitted[0] = stored != null;
                return stored;
            }
            Path dir = root().resolve(k);
            if (!Files.exists(dir.resolve(META))) {
                return null;
            }
            admitted[0] = true;
            return load(k, dir);
        });
        if (admitted[0]) {
            trimSoon();
        }
        if (found != null) {
            found.touch();
            if (!admitted[0]) {
                refresh(found);
            }
        }
        return Optional.ofNullable(found);
    }

    /** Shared store: another replica may have added to the session since this copy was read. */
    private void refresh(Session s) {
        if (shared == null) {
            return;
        }
        try {
            s.refresh();
        } catch (RuntimeException e) {
            LOG.debugf("session %s: could not catch up with the store (%s); serving this replica's copy", s.id(), e);
        }
    }

    /** An evicted session that something still holds: the same object comes back. */
    private Session revive(String id) {
        EvictedRef ref = evicted.remove(id);
        Session s = ref == null ? null : ref.get();
        if (s != null) {
            s.evicted = false;
        }
        return s;
    }

    private void readmit(Session s) {
        boolean[] admitted = {false};
        sessions.compute(s.id(), (k, cur) -> {
            if (cur != null || s.deleted()) {
                return cur;
            }
            EvictedRef ref = evicted.get(k);
            if (ref != null && ref.get() == s) {
                evicted.remove(k);
            }
            s.evicted = false;
            admitted[0] = true;
            return s;
        });
        if (admitted[0]) {
            trimSoon();
        }
    }

    /** Result of {@link #getOrCreate}: the session and whether this call created it. */
    public record Opened(Session session, boolean created) {}

    /**
     * The session with this id, created (with its {@code session.created} event) when it does not
     * exist. A journal that cannot be written makes it throw {@link JournalWriteException} and leaves
     * no session behind.
     */
    public Opened getOrCreate(String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException(
                    "invalid session id (letters, digits, '_', '-', '.'; at most 128): " + id);
        }
        Optional<Session> existing = find(id);
        if (existing.isPresent()) {
            return new Opened(existing.get(), false);
        }
        boolean[] created = {false};
        Session s = sessions.computeIfAbsent(id, k -> {
            created[0] = true;
            return create(k, created);
        });
        if (created[0]) {
            try {
                s.emit(null, new ServerEvent.SessionCreated());
            } catch (JournalWriteException e) {
                sessions.remove(id, s);
                s.markDeleted();
                removeFiles(id);
                throw e;
            }
            writeMetaQuietly(s);
            trimSoon();
        }
        return new Opened(s, created[0]);
    }

    public Session create() {
        return getOrCreate(timeOrderedId()).session();
    }

    /** A UUID whose first 48 bits are the time in ms (version 7), so new ids list in creation order. */
    static String timeOrderedId() {
        long ms = System.currentTimeMillis();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (ms << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo).toString();
    }

    private Session create(String id, boolean[] created) {
        if (deleting.contains(id)) {
            throw new IllegalStateException("session " + id + " is being deleted");
        }
        if (shared != null) {
            Instant now = Instant.now();
            if (!shared.create(id, now)) {
                // another replica created it a moment ago
                created[0] = false;
                Session s = loadShared(id);
                if (s == null) {
                    throw new IllegalStateException("session " + id + " is being deleted");
                }
                return s;
            }
            return observed(new Session(id, now, now, shared.journal(id, fsync), List.of(), 0, host, sharing));
        }
        Path dir = root().resolve(id);
        Instant now = Instant.now();
        try {
            OwnerOnly.directories(dir);
            writeMeta(dir, new Meta(id, now, now, 0, 0));
        } catch (IOException e) {
            journalListener.failed(dir, e);
            throw new JournalWriteException("cannot create session " + id + ": " + e.getMessage(), e);
        }
        return observed(new Session(id, now, now, journal(dir), List.of(), 0, host, null));
    }

    /** A session from the shared store; a turn it shows open is left to the lease (its replica may be running it). */
    private Session loadShared(String id) {
        SharedStore.Stored st = shared.load(id);
        if (st == null) {
            return null;
        }
        Session s = observed(new Session(
                id,
                st.createdAt(),
                st.updatedAt(),
                shared.journal(id, fsync),
                st.messages(),
                st.lastSeq(),
                host,
                sharing));
        s.storedTurn(st.openTurnId(), st.openTurnSteps());
        return s;
    }

    private SessionJournal journal(Path dir) {
        return new SessionJournal(dir, fsync, opener, journalListener);
    }

    /**
     * Loads a session: validates its journal (bad lines quarantined), continues from the highest valid
     * seq (never below the one its metadata recorded), and closes a turn left open by a crash.
     */
    private Session load(String id, Path dir) {
        List<String> problems = new ArrayList<>();
        Meta meta = null;
        try {
            meta = readMeta(dir);
        } catch (IOException | RuntimeException e) {
            problems.add(META + ": " + e.getMessage());
            quarantineFile(dir.resolve(META), e);
        }
        JournalLoader.Loaded j;
        try {
            j = JournalLoader.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load session " + id + ": " + e.getMessage(), e);
        }
        problems.addAll(j.problems());
        Instant createdAt =
                meta != null ? meta.createdAt() : j.firstEventAt() != null ? j.firstEventAt() : modified(dir);
        long seq = j.lastSeq();
        if (meta != null && meta.lastSeq() > seq) {
            LOG.warnf(
                    "session %s: its journal ends at seq %d but seq %d was used; continuing after %d",
                    id, seq, meta.lastSeq(), meta.lastSeq());
            problems.add(SessionJournal.EVENTS + ": ends at seq " + seq + ", below the recorded " + meta.lastSeq());
            seq = meta.lastSeq();
        }
        Instant updatedAt = meta != null && meta.updatedAt() != null ? meta.updatedAt() : createdAt;
        Session s = observed(new Session(id, createdAt, updatedAt, journal(dir), j.messages(), seq, host, null));
        if (j.openTurnId() != null) {
            try {
                s.closeInterruptedTurn(j.openTurnId(), j.openTurnSteps());
            } catch (JournalWriteException e) {
                LOG.errorf("session %s: could not close interrupted turn %s: %s", id, j.openTurnId(), e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            report(id, problems);
        }
        if (meta == null || j.openTurnId() != null || !problems.isEmpty()) {
            writeMetaQuietly(s);
        }
        return s;
    }

    private void report(String id, List<String> problems) {
        quarantined.addAndGet(problems.size());
        synchronized (recentProblems) {
            for (String p : problems) {
                recentProblems.addLast("session " + id + ": " + p);
                while (recentProblems.size() > 10) {
                    recentProblems.removeFirst();
                }
            }
        }
    }

    private static Instant modified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    private static void quarantineFile(Path file, Exception why) {
        Path to = file.resolveSibling(file.getFileName() + JournalLoader.QUARANTINE);
        try {
            if (Files.exists(file)) {
                Files.move(file, to, StandardCopyOption.REPLACE_EXISTING);
                LOG.warnf(
                        "%s is unreadable (%s); moved to %s and rebuilt from the journal",
                        file, why.getMessage(), to.getFileName());
            }
        } catch (IOException e) {
            LOG.warnf(e, "could not move %s aside", file);
        }
    }

    // ---- metadata ----

    /** What {@code session.json} holds: enough to list a session without loading it. */
    record Meta(String id, Instant createdAt, Instant updatedAt, long lastSeq, int messages) {}

    static Meta readMeta(Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve(META));
        if (bytes.length == 0) {
            throw new IOException("empty " + META);
        }
        JsonNode n = Json.MAPPER.readTree(bytes);
        if (n == null || !n.isObject() || !n.path("createdAt").isTextual()) {
            throw new IOException(META + " has no createdAt");
        }
        try {
            Instant created = Instant.parse(n.path("createdAt").asText());
            Instant updated = n.path("updatedAt").isTextual()
                    ? Instant.parse(n.path("updatedAt").asText())
                    : created;
            return new Meta(
                    n.path("id").asText(dir.getFileName().toString()),
                    created,
                    updated,
                    n.path("lastSeq").asLong(0),
                    n.path("messages").asInt(0));
        } catch (DateTimeParseException e) {
            throw new IOException(META + " has a bad time: " + e.getMessage(), e);
        }
    }

    private static void writeMeta(Path dir, Meta m) throws IOException {
        ObjectNode meta = Json.MAPPER
                .createObjectNode()
                .put("id", m.id())
                .put("createdAt", m.createdAt().toString())
                .put("updatedAt", m.updatedAt().toString())
                .put("lastSeq", m.lastSeq())
                .put("messages", m.messages());
        Path tmp = dir.resolve(
                META + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        OwnerOnly.write(tmp, meta.toString());
        Files.move(tmp, dir.resolve(META), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void writeMetaQuietly(Session s) {
        if (shared != null) {
            try {
                shared.writeMeta(new Meta(s.id(), s.createdAt(), s.updatedAt(), s.lastSeq(), s.messageCount()));
            } catch (RuntimeException e) {
                LOG.warnf("could not write the metadata of session %s: %s", s.id(), e.getMessage());
            }
            return;
        }
        try {
            writeMeta(
                    root().resolve(s.id()),
                    new Meta(s.id(), s.createdAt(), s.updatedAt(), s.lastSeq(), s.messageCount()));
        } catch (IOException e) {
            LOG.warnf("could not write the metadata of session %s: %s", s.id(), e.getMessage());
        }
    }

    // ---- listing ----

    /** One session as the list shows it. */
    public record Summary(
            String id, Instant createdAt, Instant updatedAt, long lastSeq, int messages, String activeTurnId) {
        public static Summary of(Session s) {
            ActiveTurn t = s.activeTurn();
            return new Summary(
                    s.id(), s.createdAt(), s.updatedAt(), s.lastSeq(), s.messageCount(), t == null ? null : t.turnId());
        }
    }

    /** A session the list left out, and why. */
    public record Skipped(String id, String reason) {}

    /** One page of the list; {@code nextCursor} is null on the last page. */
    public record Page(List<Summary> sessions, String nextCursor, List<Skipped> skipped) {}

    /**
     * Sessions in id order after {@code cursor} (null: from the start), at most {@code limit}. Reads each
     * listed session's metadata only (a loaded session answers from memory); one whose metadata is
     * damaged is loaded (which repairs it) and, if that fails too, skipped with its reason.
     */
    public Page page(String cursor, int limit) {
        int max = Math.clamp(limit, 1, MAX_PAGE);
        if (shared != null) {
            List<Meta> metas = shared.page(cursor, max + 1);
            List<Summary> out = new ArrayList<>();
            for (Meta m : metas.subList(0, Math.min(max, metas.size()))) {
                Session s = sessions.get(m.id());
                out.add(
                        s != null
                                ? Summary.of(s)
                                : new Summary(m.id(), m.createdAt(), m.updatedAt(), m.lastSeq(), m.messages(), null));
            }
            return new Page(out, metas.size() > max ? out.getLast().id() : null, List.of());
        }
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root())) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (validId(id) && (cursor == null || id.compareTo(cursor) > 0)) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root(), e);
        }
        Collections.sort(ids);
        List<Summary> out = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int i = 0;
        String last = null;
        for (; i < ids.size() && out.size() < max; i++) {
            String id = ids.get(i);
            last = id;
            try {
                Summary s = summary(id);
                if (s != null) {
                    out.add(s);
                }
            } catch (RuntimeException e) {
                String reason = String.valueOf(e.getMessage());
                LOG.warnf("session %s left out of the list: %s", id, reason);
                skipped.add(new Skipped(id, reason));
            }
        }
        return new Page(out, i < ids.size() ? last : null, skipped);
    }

    /** Null when the folder is not a session (no metadata: never created, or being removed). */
    private Summary summary(String id) {
        Session s = sessions.get(id);
        if (s == null) {
            EvictedRef ref = evicted.get(id);
            s = ref == null ? null : ref.get();
        }
        if (s != null) {
            return Summary.of(s);
        }
        Path dir = root().resolve(id);
        if (!Files.exists(dir.resolve(META))) {
            return null;
        }
        try {
            Meta m = readMeta(dir);
            return new Summary(id, m.createdAt(), m.updatedAt(), m.lastSeq(), m.messages(), null);
        } catch (IOException | RuntimeException damaged) {
            Session loaded = find(id).orElseThrow(
                            () -> new IllegalStateException("unreadable " + META + ": " + damaged.getMessage()));
            return Summary.of(loaded);
        }
    }

    // ---- deletion ----

    /** Cancels its turn, drops its clients and removes its files. */
    public boolean delete(String id) {
        Optional<Session> s = find(id);
        if (s.isEmpty()) {
            return false;
        }
        deleting.add(id);
        try {
            s.get().markDeleted();
            sessions.remove(id, s.get());
            evicted.remove(id);
            removeFiles(id);
        } finally {
            deleting.remove(id);
        }
        return true;
    }

    private void removeFiles(String id) {
        if (shared != null) {
            shared.delete(id);
            return;
        }
        Path dir = root().resolve(id);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warnf(e, "could not remove all files of session %s", id);
        }
    }

    // ---- bounds ----

    public int loadedCount() {
        return sessions.size();
    }

    /** Journal files open across the loaded sessions (each is open only while a turn appends). */
    public int openJournalFiles() {
        int n = 0;
        for (Session s : sessions.values()) {
            n += s.journal().openFiles();
        }
        return n;
    }

    private void trimSoon() {
        if (sessions.size() > maxLoaded && maintenance != null && trimScheduled.compareAndSet(false, true)) {
            try {
                maintenance.execute(this::trim);
            } catch (RuntimeException stopped) {
                trimScheduled.set(false);
            }
        }
    }

    /** Evicts the least recently used idle sessions beyond the cap. */
    void trim() {
        trimScheduled.set(false);
        int over = sessions.size() - maxLoaded;
        if (over <= 0) {
            return;
        }
        List<Session> byAge = new ArrayList<>(sessions.values());
        byAge.sort(Comparator.comparingLong(Session::lastUsedNanos));
        for (Session s : byAge) {
            if (over <= 0) {
                break;
            }
            if (evict(s)) {
                over--;
            }
        }
    }

    /** Evicts sessions idle longer than the idle limit, then trims to the cap; drops collected references. */
    void sweep() {
        try {
            long limit = idleEvictAfter.toNanos();
            long now = System.nanoTime();
            for (Session s : sessions.values()) {
                if (now - s.lastUsedNanos() > limit) {
                    evict(s);
                }
            }
            trim();
            dropCollected();
        } catch (RuntimeException e) {
            LOG.warnf(e, "session sweep failed");
        }
    }

    /** Forgets evicted sessions nothing holds any more (their weak references were cleared). */
    private void dropCollected() {
        for (var r = collected.poll(); r != null; r = collected.poll()) {
            EvictedRef ref = (EvictedRef) r;
            evicted.remove(ref.id, ref);
        }
    }

    private boolean evict(Session s) {
        if (!s.idle()) {
            return false; // its metadata is current: written at creation and at every turn end
        }
        boolean[] removed = {false};
        sessions.computeIfPresent(s.id(), (k, cur) -> {
            if (cur != s) {
                return cur;
            }
            s.evicted = true;
            evicted.put(k, new EvictedRef(s, collected));
            removed[0] = true;
            return null;
        });
        if (removed[0]) {
            evictions.incrementAndGet();
        }
        return removed[0];
    }

    /** fsyncs every journal appended to since the last flush (batch policy). */
    void flush() {
        for (SessionJournal j : dirty) {
            dirty.remove(j);
            j.forceIfDirty();
        }
    }

    // ---- health ----

    /** Whether the store can take writes, and why not. */
    public record Health(boolean up, String reason, Instant checkedAt) {}

    /** Writes, fsyncs and removes a small file in the sessions folder: fails when no file can be opened or written. */
    void probe() {
        if (shared != null) {
            try {
                shared.ping();
                if (!health.up()) {
                    LOG.infof("the session store (%s at %s) answers again", shared.kind(), shared.location());
                }
                health = new Health(true, null, Instant.now());
            } catch (RuntimeException e) {
                String reason = "the session store (" + shared.kind() + " at " + shared.location()
                        + ") cannot be reached: " + e.getMessage();
                if (health.up()) {
                    LOG.errorf("session store DOWN: %s", reason);
                }
                health = new Health(false, reason, Instant.now());
            }
            return;
        }
        Path file = root().resolve(".probe-" + ProcessHandle.current().pid());
        try {
            try (FileChannel ch = OwnerOnly.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap("ok\n".getBytes()));
                ch.force(false);
            }
            Files.deleteIfExists(file);
            if (!health.up()) {
                LOG.infof("the session store in %s is writable again", root());
            }
            health = new Health(true, null, Instant.now());
        } catch (IOException | RuntimeException e) {
            String reason = "cannot open or write files in " + root() + ": " + e;
            if (health.up()) {
                LOG.errorf("session store DOWN: %s", reason);
            }
            health = new Health(false, reason, Instant.now());
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the next probe tries again
            }
        }
    }

    /** The latest probe's verdict (never blocks: the probe runs every 2 s on the maintenance thread). */
    public Health health() {
        return health;
    }

    /** Figures and recent problems for the readiness check. */
    public Map<String, Object> healthData() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sessionsLoaded", sessions.size());
        data.put("maxLoaded", maxLoaded);
        data.put("evicted", evictions.get());
        data.put("quarantined", quarantined.get());
        synchronized (recentProblems) {
            if (!recentProblems.isEmpty()) {
                data.put("lastQuarantine", recentProblems.getLast());
            }
        }
        String failure = lastJournalFailure;
        if (failure != null) {
            data.put("lastJournalFailure", failure);
            data.put("lastJournalFailureAt", String.valueOf(lastJournalFailureAt));
        }
        return data;
    }

    /** Recent problems found while loading journals (quarantined lines and files), newest last. */
    public List<String> recentProblems() {
        synchronized (recentProblems) {
            return List.copyOf(recentProblems);
        }
    }
}
