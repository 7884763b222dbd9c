package io.thinkloop.cli.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The third-party servers the scale-out test and {@code perf scale-out} start themselves, on free loopback ports, from Debian's packages:
 * {@code redis-server}, PostgreSQL ({@code initdb} + {@code postgres} of {@code /usr/lib/postgresql/N/bin}, run as
 * the {@code postgres} user through {@code runuser} when the test runs as root, since PostgreSQL refuses root) and
 * {@code haproxy}. Each is a child process, destroyed by {@link #close()}.
 */
public final class StorePeers implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    public static Optional<Path> binary(String name) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The newest PostgreSQL's bin folder under /usr/lib/postgresql. */
    public static Optional<Path> postgresBin() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** redis-server on a free port, no persistence; returns its URL. */
    public String redis(Path dir) throws IOException {
        int port = freePort();
        start(
                dir.resolve("redis.log"),
                List.of(
                        binary("redis-server").orElseThrow().toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString()));
        awaitPort("redis-server", port);
        return "redis://127.0.0.1:" + port;
    }

    /** A throwaway PostgreSQL cluster (initdb --no-sync, trust auth) on a free port; returns its JDBC URL. */
    public String postgres(Path dir) throws Exception {
        Path bin = postgresBin().orElseThrow();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data = dir.resolve("pgdata");
        if (root) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
            // the temp folder's parents must be traversable by postgres
            run(List.of("chmod", "o+x", dir.getParent().toString(), dir.toString()));
        }
        run(asPostgres(
                root,
                List.of(
                        bin.resolve("initdb").toString(),
                        "-D",
                        data.toString(),
                        "--no-sync",
                        "--auth=trust",
                        "-U",
                        "thinkloop",
                        "-E",
                        "UTF8")));
        int port = freePort();
        start(
                dir.resolve("postgres.log"),
                asPostgres(
                        root,
                        List.of(
                                bin.resolve("postgres").toString(),
                                "-D",
                                data.toString(),
                                "-p",
                                Integer.toString(port),
                                "-k",
                                dir.toString(),
                                "-c",
                                "listen_addresses=127.0.0.1",
                                "-c",
                                "fsync=off")));
        awaitPort("postgres", port);
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private static List<String> asPostgres(boolean root, List<String> cmd) {
        if (!root) {
            return cmd;
        }
        List<String> out = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        out.addAll(cmd);
        return out;
    }

    /** haproxy in HTTP mode on a free port, WebSockets tunnelled; {@code balance}: {@code first} (the first live server takes every connection) or {@code roundrobin}. */
    public int haproxy(Path dir, List<Integer> servers, String balance) throws IOException {
        int port = freePort();
        StringBuilder cfg = new StringBuilder("""
                global
                  maxconn 4096
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 60s
                  timeout server 60s
                  timeout tunnel 1h
                  timeout check 5s
                  option redispatch
                  retries 3
                frontend front
                  bind 127.0.0.1:%d
                  default_backend replicas
                backend replicas
                  balance %s
                  option httpchk GET /q/health/ready
                """.formatted(port, balance));
        for (int i = 0; i < servers.size(); i++) {
            cfg.append("  server r")
                    .append(i)
                    .append(" 127.0.0.1:")
                    .append(servers.get(i))
                    .append(" check inter 1s fall 3 rise 1\n"); // a killed server refuses at once: redispatched
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        start(
                dir.resolve("haproxy.log"),
                List.of(binary("haproxy").orElseThrow().toString(), "-db", "-f", file.toString()));
        awaitPort("haproxy", port);
        return port;
    }

    private Process start(Path log, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(p);
        return p;
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static void awaitPort(String what, int port) throws IOException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > end) {
                    throw new IOException(what + " is not listening on " + port + " after 30 s", notYet);
                }
            }
            try {
                Thread.sleep(50); // polling a starting server's port, bounded by the deadline above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
