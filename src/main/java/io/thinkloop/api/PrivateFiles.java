package io.thinkloop.api;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The data directory holds the API key, every conversation and its tool results: only the service's
 * own user may read it. At start-up, before anything else writes there, the directory and its
 * {@code sessions} folder are created with mode 700 (or narrowed to it), so whatever is created inside
 * is out of other users' reach whatever the umask; secrets are created with mode 600 from the first
 * byte (never written first and narrowed after).
 */
@ApplicationScoped
public class PrivateFiles {
    private static final Logger LOG = Logger.getLogger(PrivateFiles.class);
    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    @ConfigProperty(name = "thinkloop.data-dir")
    Path dataDir;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent ev) {
        try {
            directory(dataDir);
            directory(dataDir.resolve("sessions"));
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not make the data directory %s private (mode 700): %s", dataDir, e);
        }
    }

    /** Creates the directory (and missing parents) with mode 700, or narrows an existing one to it. */
    static void directory(Path dir) throws IOException {
        if (!posix(dir)) {
            Files.createDirectories(dir);
            return;
        }
        if (Files.isDirectory(dir)) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } catch (FileAlreadyExistsException raced) {
            // created meanwhile: narrow it below
        }
        Files.setPosixFilePermissions(dir, DIRECTORY); // the umask may have taken bits off, never added: this is exact
    }

    /** Writes a new file that is mode 600 from its creation on (replacing an existing one). */
    static void write(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        FileAttribute<?>[] attrs = posix(file.toAbsolutePath().getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
                : new FileAttribute<?>[0];
        Files.createFile(file, attrs);
        try (OutputStream out =
                Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Narrows an existing file to mode 600 (one written by an older version). */
    static void narrow(Path file) throws IOException {
        if (posix(file) && !Files.getPosixFilePermissions(file).equals(FILE)) {
            Files.setPosixFilePermissions(file, FILE);
        }
    }

    private static boolean posix(Path p) {
        Path existing = p.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && isPosix(existing);
    }

    private static boolean isPosix(Path existing) {
        try {
            return Files.getFileStore(existing).supportsFileAttributeView("posix");
        } catch (IOException e) {
            return false;
        }
    }
}
