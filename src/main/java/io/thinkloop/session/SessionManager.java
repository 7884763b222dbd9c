package io.thinkloop.session;

import java.nio.file.StandardCopyOption;
import java.util.Locale;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.thinkloop.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * All sessions, durable under {@code thinkloop.data-dir}/sessions/ID/. Sessions load lazily on first
 * access (a restart costs nothing per stored session), so a restarted service serves every session it
 * had, with its full history and event stream.
 */
@ApplicationScoped
public class SessionManager {
    private static final Logger LOG = Logger.getLogger(SessionManager.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final String META = "session.json";

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

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private FsyncPolicy fsync;
    private ScheduledExecutorService flusher;

    void onStart(@Observes StartupEvent ev) {
        fsync = FsyncPolicy.valueOf(fsyncName.trim().toUpperCase(Locale.ROOT));
        try {
            Files.createDirectories(root());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + root(), e);
        }
        if (fsync == FsyncPolicy.BATCH) {
            flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("journal-fsync").daemon().factory());
            long ms = Math.max(1, fsyncInterval.toMillis());
            flusher.scheduleWithFixedDelay(() -> sessions.values().forEach(Session::forceJournal), ms, ms, TimeUnit.MILLISECONDS);
        }
        LOG.infof("sessions in %s (fsync %s)", root(), fsync.name().toLowerCase(Locale.ROOT));
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (flusher != null) {
            flusher.shutdownNow();
        }
        sessions.values().forEach(Session::closeJournal);
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
            return Optional.of(s);
        }
        Path dir = root().resolve(id);
        if (!Files.exists(dir.resolve(META))) {
            return Optional.empty();
        }
        return Optional.of(sessions.computeIfAbsent(id, k -> load(k, dir)));
    }

    /** Result of {@link #getOrCreate}: the session and whether this call created it. */
    public record Opened(Session session, boolean created) {
    }

    public Opened getOrCreate(String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException("invalid session id (letters, digits, '_', '-', '.'; at most 128): " + id);
        }
        Optional<Session> existing = find(id);
        if (existing.isPresent()) {
            return new Opened(existing.get(), false);
        }
        boolean[] created = {false};
        Session s = sessions.computeIfAbsent(id, k -> {
            created[0] = true;
            return create(k);
        });
        if (created[0]) {
            s.emit(null, new ServerEvent.SessionCreated());
        }
        return new Opened(s, created[0]);
    }

    public Session create() {
        return getOrCreate(UUID.randomUUID().toString()).session();
    }

    private Session create(String id) {
        Path dir = root().resolve(id);
        Instant now = Instant.now();
        try {
            Files.createDirectories(dir);
            ObjectNode meta = Json.MAPPER.createObjectNode().put("id", id).put("createdAt", now.toString());
            Path tmp = dir.resolve(META + ".tmp");
            Files.writeString(tmp, meta.toString());
            Files.move(tmp, dir.resolve(META), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create session " + id, e);
        }
        return observed(new Session(id, now, new SessionJournal(dir, fsync), List.of(), 0));
    }

    private Session load(String id, Path dir) {
        try {
            var meta = Json.MAPPER.readTree(Files.readString(dir.resolve(META)));
            SessionJournal journal = new SessionJournal(dir, fsync);
            return observed(new Session(id, Instant.parse(meta.path("createdAt").asText()), journal, journal.readMessages(),
                    journal.lastSeq()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load session " + id, e);
        }
    }

    /** Ids of all stored sessions, oldest first. */
    public List<Session> list() {
        List<Session> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root())) {
            dirs.filter(d -> Files.exists(d.resolve(META)))
                    .map(d -> d.getFileName().toString())
                    .forEach(id -> find(id).ifPresent(out::add));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(Session::createdAt).thenComparing(Session::id));
        return out;
    }

    /** Cancels its turn, drops its clients and removes its files. */
    public boolean delete(String id) {
        Optional<Session> s = find(id);
        if (s.isEmpty()) {
            return false;
        }
        sessions.remove(id);
        s.get().markDeleted();
        Path dir = root().resolve(id);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warnf(e, "could not remove all files of session %s", id);
        }
        return true;
    }

    public int loadedCount() {
        return sessions.size();
    }
}
