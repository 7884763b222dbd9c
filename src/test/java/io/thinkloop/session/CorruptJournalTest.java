package io.thinkloop.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ToolCall;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-corrupted journals, as a crash, a full disk or a careless edit leave them: each session still
 * loads, continues from its highest valid seq, replays only valid lines, and the list still answers.
 */
class CorruptJournalTest {
    private static final String ID = "damaged";

    @TempDir
    Path data;

    private final List<SessionManager> managers = new ArrayList<>();

    @AfterEach
    void stop() {
        managers.forEach(SessionManager::stop);
    }

    private SessionManager manager() {
        SessionManager m = Stores.manager(data);
        managers.add(m);
        return m;
    }

    /** Two completed turns: seq 1 session.created, 2-4 and 5-7 a turn each; four messages. */
    private Path seed() {
        SessionManager m = manager();
        Session s = m.getOrCreate(ID).session();
        for (int t = 0; t < 2; t++) {
            Stores.Turn turn = new Stores.Turn("turn-" + t);
            assertTrue(s.beginTurn(turn));
            s.append(ChatMessage.user("q" + t));
            s.emit(turn.turnId(), new ServerEvent.TurnStarted("q" + t));
            s.emit(turn.turnId(), new ServerEvent.TextDelta("a" + t));
            s.append(ChatMessage.assistant("a" + t, null, null));
            s.endTurn(turn, new ServerEvent.TurnCompleted("stop", 1));
        }
        m.stop();
        return data.resolve("sessions").resolve(ID);
    }

    private static List<byte[]> lines(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                out.add(Arrays.copyOfRange(all, from, i));
                from = i + 1;
            }
        }
        return out;
    }

    private static void write(Path file, List<byte[]> lines) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] l : lines) {
            out.write(l);
            out.write('\n');
        }
        Files.write(file, out.toByteArray());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Loads the session in a fresh manager and checks what every damaged journal must still give. */
    private Session loadsAndLists(long lastSeq, int events, int messages) throws Exception {
        SessionManager m = manager();
        Session s = m.find(ID).orElseThrow();
        assertEquals(lastSeq, s.lastSeq(), "continues from the highest valid seq");
        assertEquals(messages, s.history().size());
        Stores.Collector c = new Stores.Collector(1024);
        s.subscribe(c, 0);
        Stores.await(() -> c.events.size() >= events, events + " replayed events");
        long prev = 0;
        for (String line : c.events) {
            JsonNode e = Json.MAPPER.readTree(line);
            assertTrue(e.path("seq").asLong() > prev, "seq order: " + line);
            prev = e.path("seq").asLong();
        }
        assertEquals(events, c.events.size());
        SessionManager.Page page = m.page(null, 100);
        assertEquals(
                List.of(ID),
                page.sessions().stream().map(SessionManager.Summary::id).toList());
        assertEquals(List.of(), page.skipped());
        // appends go on after the highest valid seq (never from 0), on their own line
        Stores.Turn turn = new Stores.Turn("turn-after");
        assertTrue(s.beginTurn(turn));
        assertEquals(
                lastSeq + 1,
                s.emit(turn.turnId(), new ServerEvent.TurnStarted("again")).seq());
        s.endTurn(turn, new ServerEvent.TurnCompleted("stop", 0));
        for (byte[] l : lines(data.resolve("sessions").resolve(ID).resolve(SessionJournal.EVENTS))) {
            Json.MAPPER.readTree(l); // every line on disk parses
        }
        return s;
    }

    private long quarantinedLines(Path dir, String file) throws Exception {
        Path q = dir.resolve(file + JournalLoader.QUARANTINE);
        return Files.exists(q) ? lines(q).size() : 0;
    }

    @Test
    void aNonNumericSeqIsQuarantined() throws Exception {
        Path dir = seed();
        Path events = dir.resolve(SessionJournal.EVENTS);
        List<byte[]> l = lines(events);
        l.set(2, utf8(new String(l.get(2), StandardCharsets.UTF_8).replace("\"seq\":3", "\"seq\":\"three\"")));
        write(events, l);
        loadsAndLists(7, 6, 4);
        assertEquals(1, quarantinedLines(dir, SessionJournal.EVENTS));
        assertTrue(
                managers.getLast().recentProblems().getFirst().contains("no numeric seq"),
                managers.getLast().recentProblems().toString());
        assertEquals(1L, managers.getLast().healthData().get("quarantined"));
    }

    @Test
    void invalidUtf8IsQuarantined() throws Exception {
        Path dir = seed();
        Path events = dir.resolve(SessionJournal.EVENTS);
        List<byte[]> l = lines(events);
        String text = new String(l.get(5), StandardCharsets.UTF_8);
        int at = text.indexOf("\"a1\"") + 1;
        byte[] bad = l.get(5).clone();
        bad[at] = (byte) 0xC3; // a lead byte followed by '1': not UTF-8
        l.set(5, bad);
        write(events, l);
        loadsAndLists(7, 6, 4);
        assertEquals(1, quarantinedLines(dir, SessionJournal.EVENTS));
    }

    @Test
    void aMessageWithABadRoleIsQuarantined() throws Exception {
        Path dir = seed();
        Path messages = dir.resolve(SessionJournal.MESSAGES);
        List<byte[]> l = lines(messages);
        l.set(1, utf8("{\"role\":\"wizard\",\"content\":\"abracadabra\"}"));
        write(messages, l);
        Session s = loadsAndLists(7, 7, 3);
        assertFalse(s.history().stream().anyMatch(m -> "abracadabra".equals(m.content())));
        assertEquals(1, quarantinedLines(dir, SessionJournal.MESSAGES));
    }

    @Test
    void anEmptySessionJsonIsRebuiltFromTheJournal() throws Exception {
        Path dir = seed();
        String firstEvent = new String(lines(dir.resolve(SessionJournal.EVENTS)).getFirst(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(SessionManager.META), "");
        Session s = loadsAndLists(7, 7, 4);
        assertEquals(
                Json.MAPPER.readTree(firstEvent).path("timestamp").asText(),
                s.createdAt().toString());
        assertEquals(s.createdAt(), SessionManager.readMeta(dir).createdAt());
        assertTrue(Files.exists(dir.resolve(SessionManager.META + JournalLoader.QUARANTINE)));
    }

    @Test
    void aNulFilledLastLineNeitherRestartsSeqNorIsReplayed() throws Exception {
        Path dir = seed();
        Path events = dir.resolve(SessionJournal.EVENTS);
        byte[] nuls = new byte[300];
        nuls[299] = '\n'; // the file grew by a block of zeros (a crash on a journaling file system)
        Files.write(events, nuls, StandardOpenOption.APPEND);
        Files.write(events, new byte[120], StandardOpenOption.APPEND); // and a torn one after it
        loadsAndLists(7, 7, 4);
        assertEquals(1, quarantinedLines(dir, SessionJournal.EVENTS));
    }

    @Test
    void aDuplicatedLineIsNotReplayedTwice() throws Exception {
        Path dir = seed();
        Path events = dir.resolve(SessionJournal.EVENTS);
        List<byte[]> l = lines(events);
        l.add(l.get(2)); // seq 3 again, after seq 7
        write(events, l);
        loadsAndLists(7, 7, 4);
        assertEquals(1, quarantinedLines(dir, SessionJournal.EVENTS));
    }

    @Test
    void aHalfWrittenLineMergedWithTheNextAppendKeepsTheCompleteEvent() throws Exception {
        Path dir = seed();
        Path events = dir.resolve(SessionJournal.EVENTS);
        List<byte[]> l = lines(events);
        String next = new EventEnvelope(
                        ID,
                        null,
                        8,
                        Instant.parse("2026-01-01T00:00:00Z"),
                        new ServerEvent.Error(ErrorCode.BACKEND_ERROR, "merged", true))
                .toJsonText();
        l.add(utf8("{\"v\"" + next)); // what the old writer left: {"v"{"v":1,...}
        write(events, l);
        SessionManager m = manager();
        Session s = m.find(ID).orElseThrow();
        assertEquals(8, s.lastSeq());
        Stores.Collector c = new Stores.Collector(64);
        s.subscribe(c, 7);
        Stores.await(() -> c.events.size() == 1, "the salvaged event");
        assertEquals(next, c.events.getFirst());
        assertEquals(1, quarantinedLines(dir, SessionJournal.EVENTS));
    }

    @Test
    void aHalfWrittenLineFollowedByAnAppendStaysApart() throws Exception {
        Path dir = seed();
        Path events = dir.resolve(SessionJournal.EVENTS);
        Files.write(events, utf8("{\"v\":1,\"type\":\"text.del"), StandardOpenOption.APPEND); // the crash
        loadsAndLists(7, 7, 4); // loads, then appends seq 8 and 9 on lines of their own
        List<byte[]> l = lines(events);
        assertEquals(9, l.size());
        assertEquals(9, Json.MAPPER.readTree(l.getLast()).path("seq").asLong());
    }

    @Test
    void aFiveMegabyteTornTailOpensAndIsCut() throws Exception {
        Path dir = seed();
        Path events = dir.resolve(SessionJournal.EVENTS);
        long size = Files.size(events);
        byte[] tail = new byte[5 * 1024 * 1024];
        Arrays.fill(tail, (byte) 'x');
        byte[] head = utf8(
                "{\"v\":1,\"type\":\"tool.result\",\"sessionId\":\"damaged\",\"turnId\":\"t\",\"seq\":8,\"content\":\"");
        System.arraycopy(head, 0, tail, 0, head.length);
        Files.write(events, tail, StandardOpenOption.APPEND);
        long t0 = System.nanoTime();
        SessionManager m = manager();
        Session s = m.find(ID).orElseThrow();
        System.out.printf("a 5 MB torn tail: session loaded in %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        assertEquals(7, s.lastSeq());
        assertEquals(size, Files.size(events));
        m.stop();
        managers.remove(m);
        loadsAndLists(7, 7, 4);
    }

    @Test
    void aSessionThatCannotBeReadIsSkippedAndTheListStillAnswers() throws Exception {
        seed();
        Path broken = data.resolve("sessions").resolve("broken");
        Files.createDirectories(broken.resolve(SessionJournal.EVENTS)); // a folder where the journal should be
        Files.writeString(broken.resolve(SessionManager.META), "{not json");
        SessionManager m = manager();
        SessionManager.Page page = m.page(null, 100);
        assertEquals(
                List.of(ID),
                page.sessions().stream().map(SessionManager.Summary::id).toList());
        assertEquals(
                List.of("broken"),
                page.skipped().stream().map(SessionManager.Skipped::id).toList());
        assertFalse(page.skipped().getFirst().reason().isBlank());
    }

    @Test
    void theListPagesInIdOrder() throws Exception {
        SessionManager m = manager();
        for (int i = 0; i < 25; i++) {
            m.getOrCreate(String.format("s%02d", i));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            SessionManager.Page p = m.page(cursor, 10);
            p.sessions().forEach(s -> seen.add(s.id()));
            cursor = p.nextCursor();
            pages++;
        } while (cursor != null);
        assertEquals(3, pages);
        assertEquals(25, seen.size());
        assertEquals(seen.stream().sorted().toList(), seen);
        assertEquals(1L, m.page(null, 1).sessions().getFirst().lastSeq());
    }

    @Test
    void aTurnCutShortByACrashIsClosedAsInterruptedAndItsOpenCallsGetResults() throws Exception {
        SessionManager m = manager();
        Session s = m.getOrCreate("crashed").session();
        Stores.Turn turn = new Stores.Turn("turn-x");
        assertTrue(s.beginTurn(turn));
        s.append(ChatMessage.user("use two tools"));
        s.emit(turn.turnId(), new ServerEvent.TurnStarted("use two tools"));
        s.emit(turn.turnId(), new ServerEvent.Usage(10, 5, 0));
        s.append(ChatMessage.assistant(
                "", null, List.of(new ToolCall("call_a", "calc", "{}"), new ToolCall("call_b", "calc", "{}"))));
        s.append(ChatMessage.tool("call_a", "42"));
        m.stop(); // the process dies here: the turn never ends
        managers.remove(m);

        Session again = manager().find("crashed").orElseThrow();
        List<ChatMessage> h = again.history();
        assertEquals(ChatMessage.tool("call_a", "42"), h.get(2));
        assertEquals("call_b", h.get(3).toolCallId());
        assertTrue(h.get(3).content().startsWith("interrupted"), h.get(3).content());
        assertEquals(4, h.size());
        Stores.Collector c = new Stores.Collector(16);
        again.subscribe(c, 3);
        Stores.await(() -> c.events.size() == 1, "the closing event");
        JsonNode end = Json.MAPPER.readTree(c.events.getFirst());
        assertEquals("turn.completed", end.path("type").asText());
        assertEquals("interrupted", end.path("finishReason").asText());
        assertEquals("turn-x", end.path("turnId").asText());
        assertEquals(1, end.path("steps").asInt());
        assertEquals(null, again.activeTurn());
        // closed once: the next load finds nothing open
        managers.getLast().stop();
        managers.removeLast();
        assertEquals(4, manager().find("crashed").orElseThrow().lastSeq());
    }
}
