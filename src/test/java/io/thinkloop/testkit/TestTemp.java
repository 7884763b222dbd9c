package io.thinkloop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temp directories and files of the tests, removed when the test JVM exits: data directories hold generated
 * checkpoints (~100 MB each), journals and bench runs, and a test run must not leave them in /tmp.
 */
public final class TestTemp {
    private static final Set<Path> ROOTS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> ROOTS.forEach(TestTemp::deleteTree), "test-temp-cleanup"));
    }

    private TestTemp() {}

    /** A new directory under java.io.tmpdir, deleted with its contents at JVM exit. */
    public static Path dir(String prefix) throws IOException {
        return track(Files.createTempDirectory(prefix));
    }

    /** A new directory under {@code parent}, deleted with its contents at JVM exit. */
    public static Path dir(Path parent, String prefix) throws IOException {
        Files.createDirectories(parent);
        return track(Files.createTempDirectory(parent, prefix));
    }

    /** A new file under java.io.tmpdir, deleted at JVM exit. */
    public static Path file(String prefix, String suffix) throws IOException {
        return track(Files.createTempFile(prefix, suffix));
    }

    private static Path track(Path p) {
        ROOTS.add(p);
        return p;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("test temp " + root + " not fully removed: " + e.getMessage());
        }
    }
}
