package io.thinkloop.session;

import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Sessions for unit tests: no service, no manager; the journal goes into a folder the test owns. */
public final class TestSessions {
    private TestSessions() {}

    /** A new, empty session journaled (without fsync) under {@code dir}. */
    public static Session create(Path dir, String id) {
        return new Session(id, Instant.now(), new SessionJournal(dir.resolve(id), FsyncPolicy.NEVER), List.of(), 0);
    }

    /** Subscribes a client that keeps every event's JSON text, in order. */
    public static List<String> record(Session session) {
        return recordFrom(session, -1);
    }

    /** As {@link #record}, for a client that has seen every event up to {@code lastSeq} ({@code < 0}: only new ones). */
    public static List<String> recordFrom(Session session, long lastSeq) {
        List<String> events = new CopyOnWriteArrayList<>();
        session.subscribe(
                new EventSubscriber(1 << 16) {
                    @Override
                    protected Uni<Void> send(String eventJson) {
                        events.add(eventJson);
                        return Uni.createFrom().voidItem();
                    }

                    @Override
                    protected void overflow() {
                        throw new AssertionError("the recording subscriber overflowed");
                    }
                },
                lastSeq);
        return events;
    }
}
