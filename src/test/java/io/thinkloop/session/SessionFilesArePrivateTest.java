package io.thinkloop.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Conversations are the user's: every session folder and file is the service user's alone, from creation on. */
class SessionFilesArePrivateTest {

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void sessionFoldersAre700AndTheirFiles600WhateverTheUmask() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
        Path dataDir = TestTemp.dir("private-sessions");
        SessionManager m = Stores.manager(dataDir);
        Session s = m.create();
        Stores.Turn turn = new Stores.Turn("t1");
        s.beginTurn(turn);
        s.emit("t1", new ServerEvent.TurnStarted("hello"));
        s.endTurn(turn, new ServerEvent.TurnCompleted("stop", 1));
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dataDir.resolve("sessions"))) {
            all = walk.toList();
        }
        int files = 0;
        for (Path p : all) {
            if (Files.isDirectory(p)) {
                assertEquals("rwx------", mode(p), p.toString());
            } else {
                assertEquals("rw-------", mode(p), p.toString());
                files++;
            }
        }
        assertTrue(files >= 2, "the journal and session.json were written: " + all);
    }
}
