package io.thinkloop.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import io.thinkloop.model.ChatMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-session resources stay bounded: evicted sessions, journal files open only during turns, replays in batches. */
class SessionBoundsTest {
    @TempDir
    Path data;

    private final List<SessionManager> managers = new ArrayList<>();

    @AfterEach
    void stop() {
        managers.forEach(SessionManager::stop);
    }

    private SessionManager manager(int maxLoaded, Duration idle) {
        SessionManager m = Stores.manager(data, "batch", maxLoaded, idle);
        managers.add(m);
        return m;
    }

    private static void turn(Session s, int deltas) {
        Stores.Turn t = new Stores.Turn("t-" + s.lastSeq());
        assertTrue(s.beginTurn(t));
        s.append(ChatMessage.user("q"));
        s.emit(t.turnId(), new ServerEvent.TurnStarted("q"));
        for (int i = 0; i < deltas; i++) {
            s.emit(t.turnId(), new ServerEvent.TextDelta("token " + i + " "));
        }
        s.append(ChatMessage.assistant("answer", null, null));
        s.endTurn(t, new ServerEvent.TurnCompleted("stop", 1));
    }

    @Test
    void abandonedSessionsAreEvictedAndHoldNoFiles() throws Exception {
        SessionManager m = manager(20, Duration.ofMinutes(10));
        long fds0 = Stores.openFds();
        for (int i = 0; i < 2000; i++) {
            Session s = m.getOrCreate("abandoned-" + i).session();
            if (i % 10 == 0) {
                turn(s, 3);
            }
        }
        Stores.await(() -> m.loadedCount() <= 20, "eviction down to the cap");
        long fds = Stores.openFds();
        System.out.printf(
                "2000 sessions created and abandoned: %d loaded, %d journal files open, process descriptors %d -> %d%n",
                m.loadedCount(), m.openJournalFiles(), fds0, fds);
        assertEquals(0, m.openJournalFiles(), "no journal file stays open outside a turn");
        assertTrue(fds - fds0 < 16, "descriptors stay bounded: " + fds0 + " -> " + fds);
        assertTrue(m.getOrCreate("one-more").created(), "new sessions are still served");
        // evicted sessions load again with their history
        Session back = m.find("abandoned-0").orElseThrow();
        assertEquals(2, back.history().size());
        assertEquals(6, back.lastSeq());
    }

    @Test
    void idleSessionsAreEvictedAfterTheIdleTime() throws Exception {
        SessionManager m = manager(1000, Duration.ofMillis(100));
        for (int i = 0; i < 5; i++) {
            m.getOrCreate("idle-" + i);
        }
        Stores.await(() -> m.loadedCount() == 0, "idle eviction");
        assertEquals(5, m.page(null, 10).sessions().size(), "evicted sessions still list");
    }

    @Test
    void aSessionWithAClientIsNeverEvicted() throws Exception {
        SessionManager m = manager(1000, Duration.ofMillis(50));
        Session s = m.getOrCreate("watched").session();
        Stores.Collector c = new Stores.Collector(16);
        s.subscribe(c, 0);
        m.getOrCreate("unwatched");
        Stores.await(() -> m.loadedCount() == 1, "the unwatched one evicted");
        assertSame(s, m.find("watched").orElseThrow());
        s.unsubscribe(c);
        Stores.await(() -> m.loadedCount() == 0, "evicted once its client left");
    }

    @Test
    void anEvictedSessionStillHeldIsTheOneFoundAgain() throws Exception {
        SessionManager m = manager(1, Duration.ofMinutes(10));
        Session held = m.getOrCreate("held").session();
        m.getOrCreate("other-1");
        m.getOrCreate("other-2");
        Stores.await(() -> held.evicted, "eviction of the held session");
        Session found = m.find("held").orElseThrow();
        assertSame(held, found, "never a second live copy of a session");
        turn(found, 1);
        assertEquals(4, found.lastSeq());
        assertSame(found, m.find("held").orElseThrow());
    }

    @Test
    void aReplayHoldsOneBatchPerClientNotTheHistory() throws Exception {
        SessionManager m = manager(100, Duration.ofMinutes(10));
        Session s = m.getOrCreate("long").session();
        turn(s, 3000);
        long last = s.lastSeq();
        // a client that takes one event and then stops reading
        AtomicInteger sent = new AtomicInteger();
        EventSubscriber stuck = new EventSubscriber(256) {
            @Override
            protected Uni<Void> send(String eventJson) {
                sent.incrementAndGet();
                return Uni.createFrom().emitter(e -> {}); // never completes
            }

            @Override
            protected void overflow() {}
        };
        s.subscribe(stuck, 0);
        Stores.await(() -> sent.get() == 1, "the first replayed event");
        System.out.printf(
                "a stuck lastSeq=0 client of a %d-event session holds %d replayed events%n",
                last, stuck.replayBuffered());
        assertTrue(stuck.replayBuffered() <= EventSubscriber.REPLAY_BATCH, "buffered " + stuck.replayBuffered());
        // a client that reads gets every event, in order, then live ones
        Stores.Collector c = new Stores.Collector(256);
        s.subscribe(c, 0);
        Stores.await(() -> c.events.size() == last, "the whole replay");
        for (int i = 0; i < last; i++) {
            assertEquals(i + 1, JournalReplay.seqOf(c.events.get(i)));
        }
        turn(s, 1);
        Stores.await(() -> c.events.size() == last + 3, "live events after the replay");
        assertEquals(last + 3, JournalReplay.seqOf(c.events.getLast()));
    }

    @Test
    void aReplayFromTheMiddleStartsThere() throws Exception {
        SessionManager m = manager(100, Duration.ofMinutes(10));
        Session s = m.getOrCreate("middle").session();
        turn(s, 5000);
        Stores.Collector c = new Stores.Collector(256);
        s.subscribe(c, 4321);
        long expected = s.lastSeq() - 4321;
        Stores.await(() -> c.events.size() == expected, "the replay after 4321");
        assertEquals(4322, JournalReplay.seqOf(c.events.getFirst()));
    }
}
