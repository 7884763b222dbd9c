package io.thinkloop.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes what a command wrote under the temp directory, so that perf runs leave nothing behind. */
final class TempFiles {
    private TempFiles() {}

    /** Deletes a file tree (best effort: what cannot be deleted is left and reported on stderr). */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
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
            System.err.println("could not remove " + root + ": " + e.getMessage());
        }
    }
}
