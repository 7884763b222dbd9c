package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key the service generates when none is configured: stored mode 600 (from creation) in a data
 * directory of mode 700, and logged only as a fingerprint.
 */
class GeneratedApiKeyTest {

    @TempDir
    Path tmp;

    private static final class Capture extends Handler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            String m = r.getMessage();
            Object[] params = r.getParameters();
            if (params != null) {
                for (Object p : params) {
                    m += " " + p;
                }
            }
            lines.add(m);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private ApiSecurity security(Path dataDir) {
        ApiSecurity s = new ApiSecurity();
        s.authEnabled = true;
        s.apiKey = Optional.empty();
        s.moreKeys = Optional.empty();
        s.allowedOrigins = Optional.empty();
        s.dataDir = dataDir;
        return s;
    }

    private List<String> start(ApiSecurity s) {
        Capture capture = new Capture();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            s.onStart(null);
        } finally {
            root.removeHandler(capture);
        }
        return capture.lines;
    }

    @Test
    void theGeneratedKeyIsPrivateAndNeverLoggedInFull() throws IOException {
        Path data = tmp.resolve("a/b/data");
        List<String> logged = start(security(data));
        Path file = data.resolve("api-key");
        String key = Files.readString(file).trim();
        assertTrue(key.startsWith("tl_") && key.length() > 20, key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        assertTrue(
                logged.stream().anyMatch(l -> l.contains(file.toString())), "the log says where the key is: " + logged);
        assertTrue(
                logged.stream().anyMatch(l -> l.contains(ApiSecurity.fingerprint(key))),
                "and its fingerprint: " + logged);
        for (String l : logged) {
            assertFalse(l.contains(key), "the key in the log: " + l);
            assertFalse(l.contains(key.substring(3, 15)), "part of the key in the log: " + l);
        }
        ApiSecurity restarted = security(data);
        List<String> again = start(restarted);
        assertTrue(restarted.keyMatches(key), "reused on restart");
        again.forEach(l -> assertFalse(l.contains(key), l));
    }

    @Test
    void anOlderWorldReadableDataDirAndKeyFileAreNarrowed() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("old"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = data.resolve("api-key");
        Files.writeString(file, "tl_0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ApiSecurity s = security(data);
        start(s);
        assertTrue(s.keyMatches("tl_0123456789abcdef0123456789abcdef"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    }

    @Test
    void fingerprintsTellKeysApartWithoutRevealingThem() {
        String a = ApiSecurity.fingerprint("tl_aaaaaaaaaaaaaaaaaaaaaaaa");
        String b = ApiSecurity.fingerprint("tl_aaaaaaaaaaaaaaaaaaaaaaab");
        assertNotEquals(a, b);
        assertFalse(a.contains("aaaa"), a);
    }

    @Test
    void privateFilesAreMode600FromTheirFirstByte() throws IOException {
        Path dir = tmp.resolve("private");
        PrivateFiles.directory(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Path f = dir.resolve("secret");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        PrivateFiles.write(f, "new"); // replaced, never widened
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals("new", Files.readString(f));
    }
}
