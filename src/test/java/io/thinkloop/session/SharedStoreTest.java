package io.thinkloop.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.cli.perf.StorePeers;
import io.thinkloop.json.Json;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two session managers in this JVM stand for two replicas sharing one store: a real redis-server and a real
 * PostgreSQL, each started by the test on a free port. What the scale-out rests on, store by store: appends ordered
 * and idempotent by seq, live events reaching a client of the other replica once and in order, one turn at a time
 * across replicas (the lease), and a turn whose replica died closed as interrupted by the other.
 */
class SharedStoreTest {
    private static StorePeers peers;
    private static String redisUrl;
    private static String postgresUrl;
    private final List<SessionManager> managers = new ArrayList<>();

    @BeforeAll
    static void startStores() throws Exception {
        Interop.requirePeer(
                StorePeers.binary("redis-server").isPresent()
                        && StorePeers.postgresBin().isPresent(),
                "redis-server and PostgreSQL (Debian: apt-get install redis-server postgresql)");
        peers = new StorePeers();
        redisUrl = peers.redis(TestTemp.dir("shared-store-redis"));
        postgresUrl = peers.postgres(Files.createTempDirectory("shared-store-pg"));
    }

    @AfterAll
    static void stopStores() {
        if (peers != null) {
            peers.close();
        }
    }

    @AfterEach
    void stopManagers() {
        managers.forEach(SessionManager::stop);
    }

    private SessionManager replica(String store, String name) throws IOException {
        SessionManager m = new SessionManager();
        m.dataDir = TestTemp.dir("shared-" + name);
        m.fsyncName = "batch";
        m.fsyncInterval = Duration.ofMillis(50);
        m.subscriberBuffer = 1024;
        m.maxLoaded = 100;
        m.idleEvictAfter = Duration.ofMinutes(10);
        m.storeName = store;
        m.redisUrl = redisUrl;
        m.postgresUrl = postgresUrl;
        m.postgresUser = Optional.of("thinkloop");
        m.postgresPassword = Optional.empty();
        m.leaseTtl = Duration.ofMillis(600);
        m.replicaId = Optional.of(name);
        m.start();
        managers.add(m);
        return m;
    }

    private static String unique(String id) {
        return id + "-" + Long.toHexString(System.nanoTime());
    }

    /** An active turn that does nothing by itself (the test emits its events). */
    private record Turn(String turnId) implements ActiveTurn {
        @Override
        public void cancel(String reason) {}

        @Override
        public boolean decide(String toolCallId, boolean approved, String reason) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "postgres"})
    void appendsAreOrderedByTheirSeqAndARepeatedSeqIsRefused(String store) throws Exception {
        SessionManager a = replica(store, "a");
        Session s = a.getOrCreate(unique("ordered")).session();
        Journal journal = s.journal();
        String second =
                new EventEnvelope(s.id(), null, 2, Instant.EPOCH, new ServerEvent.SessionCreated()).toJsonText();
        journal.appendEvent(2, second);
        assertThrows(SeqTakenException.class, () -> journal.appendEvent(2, second));
        assertThrows(SeqTakenException.class, () -> journal.appendEvent(1, second));
        EventSource all = journal.replay(0, Long.MAX_VALUE);
        List<String> lines = new ArrayList<>();
        while (!all.done()) {
            lines.addAll(all.next(1, 1 << 20));
        }
        assertEquals(List.of(1L, 2L), lines.stream().map(JournalReplay::seqOf).toList());
        // an append on a stale copy (seq 1 known, 2 taken) continues after the store's last seq
        EventEnvelope next = s.emit(null, new ServerEvent.TextDelta("after the taken one"));
        assertEquals(3, next.seq());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "postgres"})
    void aClientOfTheOtherReplicaGetsEveryEventOnceInOrder(String store) throws Exception {
        SessionManager a = replica(store, "a");
        SessionManager b = replica(store, "b");
        String id = unique("live");
        Session onA = a.getOrCreate(id).session();
        Session onB = b.find(id).orElseThrow();
        List<String> seen = TestSessions.recordFrom(onB, 0);
        assertTrue(onA.beginTurn(new Turn("t1")));
        for (int i = 0; i < 200; i++) {
            onA.emit("t1", new ServerEvent.TextDelta("d" + i));
        }
        onA.endTurn(new Turn("t1"), null);
        Await.until("201 events on replica b", Duration.ofSeconds(20), () -> seen.size() >= 201);
        List<Long> seqs = seen.stream().map(JournalReplay::seqOf).toList();
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i), "no gap, no duplicate");
        }
        assertEquals(201, seen.size());
        // a second client of b that saw up to 150 elsewhere resumes after it
        List<String> resumed = TestSessions.recordFrom(onB, 150);
        Await.until("the rest of the stream", Duration.ofSeconds(20), () -> resumed.size() >= 51);
        assertEquals(151, JournalReplay.seqOf(resumed.getFirst()));
        assertEquals(51, resumed.size());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "postgres"})
    void oneReplicaAtATimeRunsATurnOfASession(String store) throws Exception {
        SessionManager a = replica(store, "a");
        SessionManager b = replica(store, "b");
        String id = unique("lease");
        Session onA = a.getOrCreate(id).session();
        Session onB = b.find(id).orElseThrow();
        Turn first = new Turn("first");
        assertTrue(onA.beginTurn(first));
        assertFalse(onB.beginTurn(new Turn("refused")), "a's lease holds");
        onA.emit("first", new ServerEvent.TurnStarted("hello"));
        onA.endTurn(first, new ServerEvent.TurnCompleted("stop", 1));
        Turn second = new Turn("second");
        assertTrue(onB.beginTurn(second), "free again once a's turn ended");
        EventEnvelope e = onB.emit("second", new ServerEvent.TurnStarted("again"));
        assertEquals(4, e.seq(), "b caught up with what a appended (created, started, completed): this is 4");
        onB.endTurn(second, new ServerEvent.TurnCompleted("stop", 1));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis", "postgres"})
    void aTurnWhoseReplicaDiedIsClosedAsInterruptedByTheOther(String store) throws Exception {
        SessionManager a = replica(store, "a");
        SessionManager b = replica(store, "b");
        String id = unique("dies");
        Session onA = a.getOrCreate(id).session();
        assertTrue(onA.beginTurn(new Turn("doomed")));
        onA.emit("doomed", new ServerEvent.TurnStarted("hello"));
        onA.emit("doomed", new ServerEvent.TextDelta("half an ans"));
        Session onB = b.find(id).orElseThrow();
        List<String> seen = TestSessions.recordFrom(onB, 3);
        a.stop(); // a dies: it neither ends the turn nor releases nor renews the lease
        managers.remove(a);
        b.leases(); // at once: a's lease has not expired, so the turn is left alone
        assertTrue(onB.hasForeignOpenTurn());
        Await.until("b closing a's turn once the lease expired", Duration.ofSeconds(20), () -> {
            b.leases();
            return !seen.isEmpty();
        });
        JsonNode end = Json.MAPPER.readTree(seen.getFirst());
        assertEquals("turn.completed", end.path("type").asText());
        assertEquals("interrupted", end.path("finishReason").asText());
        assertEquals(4, end.path("seq").asLong());
        assertTrue(onB.beginTurn(new Turn("next")), "and the session takes a new turn on b");
    }
}
