package io.thinkloop.session;

import io.smallrye.mutiny.Uni;
import io.thinkloop.testkit.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Session managers on a temporary data directory, outside CDI, and what the session tests share. */
final class Stores {
    private Stores() {}

    static SessionManager manager(Path dataDir, String fsync, int maxLoaded, Duration idleEvictAfter) {
        SessionManager m = new SessionManager();
        m.dataDir = dataDir;
        m.fsyncName = fsync;
        m.fsyncInterval = Duration.ofMillis(50);
        m.subscriberBuffer = 256;
        m.maxLoaded = maxLoaded;
        m.idleEvictAfter = idleEvictAfter;
        m.start();
        return m;
    }

    static SessionManager manager(Path dataDir) {
        return manager(dataDir, "always", 1000, Duration.ofMinutes(10));
    }

    /** A turn that only has an id (the session tests drive emits themselves). */
    record Turn(String turnId) implements ActiveTurn {
        @Override
        public void cancel(String reason) {}

        @Override
        public boolean decide(String toolCallId, boolean approved, String reason) {
            return false;
        }
    }

    /** Collects what it is sent; sends complete at once. */
    static final class Collector extends EventSubscriber {
        final List<String> events = new CopyOnWriteArrayList<>();

        Collector(int capacity) {
            super(capacity);
        }

        @Override
        protected Uni<Void> send(String eventJson) {
            events.add(eventJson);
            return Uni.createFrom().voidItem();
        }

        @Override
        protected void overflow() {
            events.add("OVERFLOW");
        }
    }

    static void await(BooleanSupplier condition, String what) {
        Await.until(what, condition::getAsBoolean);
    }

    /** Open descriptors of this process. */
    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
