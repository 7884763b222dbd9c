package io.thinkloop.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal on a disk that fills up: cut back to the last good line, the turn ends for its clients, health says so. */
class JournalFaultTest {
    @TempDir
    Path data;

    private final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
    private final List<SessionManager> managers = new ArrayList<>();

    @AfterEach
    void stop() {
        managers.forEach(SessionManager::stop);
    }

    private SessionManager manager(boolean faulty) {
        SessionManager m = new SessionManager();
        m.dataDir = data;
        m.fsyncName = "batch";
        m.fsyncInterval = Duration.ofMillis(50);
        m.subscriberBuffer = 256;
        m.maxLoaded = 100;
        m.idleEvictAfter = Duration.ofMinutes(10);
        if (faulty) {
            m.opener = FaultyChannel.opener(budget);
        }
        m.start();
        managers.add(m);
        return m;
    }

    private static String event(long seq) {
        return new EventEnvelope("s", "t", seq, Instant.EPOCH, new ServerEvent.TextDelta("x" + seq)).toJsonText();
    }

    @Test
    void aFailedAppendIsCutBackToTheLastGoodLine() throws Exception {
        Path dir = data.resolve("j");
        SessionJournal j = new SessionJournal(dir, FsyncPolicy.ALWAYS, FaultyChannel.opener(budget), null);
        j.appendEvent(event(1));
        j.appendEvent(event(2));
        String good = event(1) + "\n" + event(2) + "\n";
        budget.set(10); // the disk fills up in the middle of the next line
        JournalWriteException e = assertThrows(JournalWriteException.class, () -> j.appendEvent(event(3)));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertEquals(good, Files.readString(dir.resolve(SessionJournal.EVENTS)), "nothing of the failed line stays");
        budget.set(Long.MAX_VALUE); // space again
        j.appendEvent(event(3));
        j.close();
        assertEquals(good + event(3) + "\n", Files.readString(dir.resolve(SessionJournal.EVENTS)));
    }

    @Test
    void aTurnWhoseJournalFailsEndsForItsClientsAndIsClosedAtTheNextLoad() throws Exception {
        SessionManager m = manager(true);
        Session s = m.getOrCreate("full").session();
        Stores.Collector c = new Stores.Collector(64);
        s.subscribe(c, 0);
        Stores.Turn turn = new Stores.Turn("turn-1");
        assertTrue(s.beginTurn(turn));
        s.emit(turn.turnId(), new ServerEvent.TurnStarted("hello"));
        Path events = data.resolve("sessions/full").resolve(SessionJournal.EVENTS);
        long before = Files.size(events);
        budget.set(7);
        assertThrows(JournalWriteException.class, () -> s.emit(turn.turnId(), new ServerEvent.TextDelta("lost")));
        s.endTurn(turn, new ServerEvent.TurnCompleted("stop", 1)); // cannot be journaled either
        Stores.await(() -> c.events.size() == 4, "the turn's end");
        JsonNode error = Json.MAPPER.readTree(c.events.get(2));
        JsonNode end = Json.MAPPER.readTree(c.events.get(3));
        assertEquals("error", error.path("type").asText());
        assertEquals(JournalWriteException.CODE.wireName(), error.path("code").asText());
        assertEquals(0, error.path("seq").asLong(), "not journaled");
        assertEquals("turn.completed", end.path("type").asText());
        assertEquals("error", end.path("finishReason").asText());
        assertEquals(before, Files.size(events), "the failed appends left nothing behind");
        assertTrue(String.valueOf(m.healthData().get("lastJournalFailure")).contains("No space left"));
        assertEquals(2, s.lastSeq());
        assertEquals(null, s.activeTurn());

        // space again, a restart: the turn is closed as interrupted, seq goes on
        budget.set(Long.MAX_VALUE);
        m.stop();
        managers.remove(m);
        Session again = manager(false).find("full").orElseThrow();
        assertEquals(3, again.lastSeq());
        Stores.Collector r = new Stores.Collector(64);
        again.subscribe(r, 0);
        Stores.await(() -> r.events.size() == 3, "the replay");
        JsonNode closed = Json.MAPPER.readTree(r.events.get(2));
        assertEquals("turn.completed", closed.path("type").asText());
        assertEquals("interrupted", closed.path("finishReason").asText());
        assertEquals("turn-1", closed.path("turnId").asText());
        for (String line : Files.readAllLines(events, StandardCharsets.UTF_8)) {
            Json.MAPPER.readTree(line);
        }
    }

    @Test
    void whenTheJournalRecoversTheTurnsEndIsJournaled() throws Exception {
        SessionManager m = manager(true);
        Session s = m.getOrCreate("recovers").session();
        Stores.Collector c = new Stores.Collector(64);
        s.subscribe(c, 0);
        Stores.Turn turn = new Stores.Turn("turn-1");
        assertTrue(s.beginTurn(turn));
        s.emit(turn.turnId(), new ServerEvent.TurnStarted("hello"));
        budget.set(3);
        assertThrows(JournalWriteException.class, () -> s.emit(turn.turnId(), new ServerEvent.TextDelta("lost")));
        budget.set(Long.MAX_VALUE);
        s.emit(turn.turnId(), new ServerEvent.Error(JournalWriteException.CODE, "disk full", true));
        s.endTurn(turn, new ServerEvent.TurnCompleted("error", 0));
        Stores.await(() -> c.events.size() == 4, "the turn's end");
        assertEquals(
                List.of(1L, 2L, 3L, 4L),
                c.events.stream().map(e -> JournalReplay.seqOf(e)).toList(),
                "journaled, no seq skipped");
        assertEquals(4, ((SessionJournal) m.find("recovers").orElseThrow().journal()).lastSeq());
    }

    @Test
    void creatingASessionOnAFullDiskFailsCleanly() {
        SessionManager m = manager(true);
        budget.set(0);
        assertThrows(JournalWriteException.class, () -> m.getOrCreate("nospace"));
        assertFalse(m.find("nospace").isPresent(), "no half-created session is left");
        budget.set(Long.MAX_VALUE);
        assertTrue(m.getOrCreate("nospace").created());
    }

    @Test
    void healthIsDownWhileFilesCannotBeWritten() throws Exception {
        SessionManager m = manager(false);
        assertTrue(m.health().up());
        // the probe's file cannot be opened for writing (a folder is in its place)
        Path blocker = data.resolve("sessions")
                .resolve(".probe-" + ProcessHandle.current().pid());
        Files.createDirectories(blocker.resolve("x"));
        m.probe();
        assertFalse(m.health().up());
        assertTrue(
                m.health().reason().contains("cannot open or write files"),
                m.health().reason());
        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);
        m.probe();
        assertTrue(m.health().up());
    }
}
