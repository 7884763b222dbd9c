package io.thinkloop.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thinkloop.model.ChatMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionJournalTest {
    @TempDir
    Path dir;

    private static String event(long seq) {
        return new EventEnvelope("s", "t", seq, Instant.EPOCH, new ServerEvent.TextDelta("x" + seq)).toJsonText();
    }

    @Test
    void aTornLastLineIsCutAndAppendsGoOn() throws Exception {
        try (SessionJournal j = new SessionJournal(dir, FsyncPolicy.ALWAYS)) {
            j.appendMessage(ChatMessage.user("hello"));
            j.appendEvent(event(1));
            j.appendEvent(event(2));
        }
        // a crash mid-append leaves half a line
        Files.writeString(dir.resolve(SessionJournal.EVENTS), event(3).substring(0, 20), StandardOpenOption.APPEND);
        Files.writeString(dir.resolve(SessionJournal.MESSAGES), "{\"role\":\"assis", StandardOpenOption.APPEND);
        JournalLoader.Loaded loaded = JournalLoader.load(dir);
        assertEquals(2, loaded.lastSeq());
        assertEquals(List.of(ChatMessage.user("hello")), loaded.messages());
        try (SessionJournal j = new SessionJournal(dir, FsyncPolicy.BATCH)) {
            assertEquals(2, j.lastSeq());
            j.appendEvent(event(3));
            assertEquals(List.of(event(2), event(3)), j.readEvents(1, 3));
            assertEquals(List.of(event(3)), j.readEvents(2, 10));
            assertEquals(List.of(), j.readEvents(3, 3));
        }
    }
}
