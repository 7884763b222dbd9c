package io.thinkloop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.cli.perf.ChildService;
import io.thinkloop.cli.perf.StorePeers;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf scale-out}: the shared session stores under load, side by side in one run. For the file
 * store (the baseline: one replica) and each shared store (Redis, PostgreSQL; started by the command from Debian's
 * binaries on free ports) with one replica and with two, all behind haproxy ({@code roundrobin}): N WebSocket
 * sessions each run one turn on the {@code synthetic} token source at once; printed are sessions held, events/s
 * received, p50/p99 event latency (server timestamp to client, same clock) and the mean journal append per event
 * from the replicas' own {@code thinkloop_journal_append_seconds} (what the store costs per event).
 */
@Command(
        name = "scale-out",
        mixinStandardHelpOptions = true,
        description = "Shared session stores: one replica vs two behind haproxy, and the append latency vs files.")
public final class PerfScaleOutCommand implements Callable<Integer> {

    @Option(
            names = "--sessions",
            defaultValue = "200",
            description = "Concurrent sessions per run (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(names = "--tokens", defaultValue = "64", description = "Tokens per turn (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(
            names = "--interval-ms",
            defaultValue = "10",
            description = "Milliseconds between tokens of one session (default ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(
            names = "--stores",
            defaultValue = "redis,postgres",
            split = ",",
            description = "Shared stores to measure beside the file store (default ${DEFAULT-VALUE}).")
    List<String> stores;

    @Option(
            names = "--fsync",
            defaultValue = "batch",
            description = "thinkloop.journal.fsync of the replicas (default ${DEFAULT-VALUE}).")
    String fsync;

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String KEY = "perf-scale-out-key";
    /** Turns that did not complete, by the error code or end they reported instead (this run). */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    /** One run's figures. */
    private record Result(
            String name,
            int replicas,
            int held,
            int completed,
            long events,
            double seconds,
            double p50,
            double p99,
            double appendMicros) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (StorePeers.binary("haproxy").isEmpty()) {
            System.out.println("haproxy is missing (Debian: apt-get install haproxy)");
            return 2;
        }
        System.out.printf(
                "%d sessions per run, one turn each: %d tokens every %d ms (synthetic backend), fsync %s%n",
                sessions, tokens, intervalMs, fsync);
        List<Result> results = new ArrayList<>();
        results.add(run("file", 1));
        for (String store : stores) {
            boolean present = store.equals("redis")
                    ? StorePeers.binary("redis-server").isPresent()
                    : store.equals("postgres") && StorePeers.postgresBin().isPresent();
            if (!present) {
                System.out.println(store + ": its server is not installed here; skipped");
                continue;
            }
            results.add(run(store, 1));
            results.add(run(store, 2));
        }
        System.out.println();
        System.out.printf(
                "%-9s %8s %6s %9s %10s %10s %8s %8s %12s%n",
                "store", "replicas", "held", "completed", "events", "events/s", "p50 ms", "p99 ms", "append µs/ev");
        for (Result r : results) {
            System.out.printf(
                    "%-9s %8d %6d %9d %10d %10.0f %8.2f %8.2f %12.1f%n",
                    r.name(),
                    r.replicas(),
                    r.held(),
                    r.completed(),
                    r.events(),
                    r.eventsPerSecond(),
                    r.p50(),
                    r.p99(),
                    r.appendMicros());
        }
        Result file = results.getFirst();
        System.out.println();
        for (int i = 1; i + 1 < results.size(); i += 2) {
            Result one = results.get(i);
            Result two = results.get(i + 1);
            System.out.printf(
                    "%s: two replicas / one: events/s x%.2f, held %d vs %d; append per event x%.1f the file store's (%.1f vs %.1f µs)%n",
                    one.name(),
                    two.eventsPerSecond() / one.eventsPerSecond(),
                    two.held(),
                    one.held(),
                    one.appendMicros() / Math.max(0.001, file.appendMicros()),
                    one.appendMicros(),
                    file.appendMicros());
        }
        boolean ok = results.stream().allMatch(r -> r.completed() == sessions);
        return ok ? 0 : 1;
    }

    private Result run(String store, int replicas) throws Exception {
        Path dir = Files.createTempDirectory("thinkloop-perf-scale-out");
        failures.clear();
        boolean keep = false;
        try (StorePeers peers = new StorePeers()) {
            List<String> config = new ArrayList<>(List.of("-Dthinkloop.sessions.store=" + store));
            switch (store) {
                case "redis" -> config.add("-Dthinkloop.sessions.redis.url=" + peers.redis(dir));
                case "postgres" -> {
                    config.add("-Dthinkloop.sessions.postgres.url=" + peers.postgres(dir));
                    config.add("-Dthinkloop.sessions.postgres.user=thinkloop");
                }
                default -> {}
            }
            List<Process> services = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            try {
                for (int i = 0; i < replicas; i++) {
                    int port = StorePeers.freePort();
                    ports.add(port);
                    services.add(start(dir, "replica-" + i, port, config));
                }
                for (int i = 0; i < replicas; i++) {
                    ChildService.awaitReady(
                            services.get(i),
                            URI.create("http://127.0.0.1:" + ports.get(i) + "/"),
                            dir.resolve("replica-" + i + ".log"));
                }
                URI front = URI.create("http://127.0.0.1:" + peers.haproxy(dir, ports, "roundrobin") + "/");
                Result r = load(store, replicas, front);
                double sum = 0;
                double count = 0;
                for (int port : ports) {
                    double[] m = appendMetric(URI.create("http://127.0.0.1:" + port + "/"));
                    sum += m[0];
                    count += m[1];
                }
                r = new Result(
                        r.name(),
                        r.replicas(),
                        r.held(),
                        r.completed(),
                        r.events(),
                        r.seconds(),
                        r.p50(),
                        r.p99(),
                        count == 0 ? Double.NaN : sum / count * 1e6);
                System.out.printf(
                        "%s x%d: %d held, %d/%d turns, %.0f events/s%n",
                        store, replicas, r.held(), r.completed(), sessions, r.eventsPerSecond());
                if (r.completed() < sessions) {
                    keep = true;
                    System.out.printf(
                            "  turns not completed, by what they reported: %s; logs kept in %s%n", failures, dir);
                }
                return r;
            } finally {
                for (Process p : services) {
                    p.destroy();
                }
                for (Process p : services) {
                    if (!p.waitFor(15, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        } finally {
            if (!keep) {
                TempFiles.deleteTree(dir);
            }
        }
    }

    private Process start(Path dir, String name, int port, List<String> config) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = Arrays.stream(System.getProperty("java.class.path").split(System.getProperty("path.separator")))
                .filter(p -> p.endsWith("quarkus-run.jar"))
                .findFirst()
                .orElse("target/quarkus-app/quarkus-run.jar");
        List<String> cmd = new ArrayList<>(
                List.of(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(List.of(
                "-Xmx512m",
                "-Dthinkloop.data-dir=" + dir.resolve(name),
                "-Dthinkloop.api-key=" + KEY,
                "-Dthinkloop.model.backend=synthetic",
                "-Dthinkloop.journal.fsync=" + fsync,
                "-Dthinkloop.model.synthetic.tokens=" + tokens,
                "-Dthinkloop.model.synthetic.interval=" + intervalMs + "ms",
                "-Dthinkloop.sessions.replica-id=" + name,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.log.level=WARN"));
        cmd.addAll(config);
        cmd.addAll(List.of("-jar", jar, "serve", "--port", Integer.toString(port)));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    /** {sum seconds, count} of the replica's journal appends. */
    private static double[] appendMetric(URI base) throws Exception {
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(base.resolve("/q/metrics"))
                                .header("Authorization", "Bearer " + KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return new double[] {
            metric(metrics, "thinkloop_journal_append_seconds_sum"),
            metric(metrics, "thinkloop_journal_append_seconds_count")
        };
    }

    private static double metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})?\\s+([0-9.eE+-]+)$")
                .matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    private Result load(String store, int replicas, URI front) throws Exception {
        String runId = store + replicas + "-" + Long.toHexString(System.nanoTime());
        CountDownLatch created = new CountDownLatch(sessions);
        CountDownLatch done = new CountDownLatch(sessions);
        AtomicLong events = new AtomicLong();
        AtomicInteger completed = new AtomicInteger();
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        List<WebSocket> sockets = new ArrayList<>();
        for (int start = 0; start < sessions; start += 50) {
            List<CompletableFuture<WebSocket>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(sessions, start + 50); i++) {
                URI ws = URI.create(
                        "ws://" + front.getHost() + ":" + front.getPort() + "/v1/sessions/" + runId + "-" + i + "/ws");
                batch.add(HTTP.newWebSocketBuilder()
                        .header("Authorization", "Bearer " + KEY)
                        .connectTimeout(Duration.ofSeconds(30))
                        .buildAsync(ws, new Listener(events, created, done, completed, latencies, failures)));
            }
            for (var f : batch) {
                sockets.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        if (!created.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("sessions not created: " + created.getCount() + " missing");
        }
        long t0 = System.nanoTime();
        String hello = "{\"type\":\"user_message\",\"content\":\"load test\"}";
        List<CompletableFuture<WebSocket>> sends = new ArrayList<>();
        for (WebSocket s : sockets) {
            sends.add(s.sendText(hello, true));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        done.await(300, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int held = (int) sockets.stream()
                .filter(s -> !s.isInputClosed() && !s.isOutputClosed())
                .count();
        sockets.forEach(WebSocket::abort);
        double[] sorted =
                latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Result(
                store,
                replicas,
                held,
                completed.get(),
                events.get(),
                seconds,
                percentile(sorted, 0.5),
                percentile(sorted, 0.99),
                Double.NaN);
    }

    private static double percentile(double[] sorted, double q) {
        return sorted.length == 0
                ? Double.NaN
                : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Counts a session's events and their latency; ends at its turn's end. */
    private static final class Listener implements WebSocket.Listener {
        private final AtomicLong events;
        private final CountDownLatch created;
        private final CountDownLatch done;
        private final AtomicInteger completed;
        private final ConcurrentLinkedQueue<Double> latencies;
        private final Map<String, Integer> failures;
        private final StringBuilder buf = new StringBuilder();

        Listener(
                AtomicLong events,
                CountDownLatch created,
                CountDownLatch done,
                AtomicInteger completed,
                ConcurrentLinkedQueue<Double> latencies,
                Map<String, Integer> failures) {
            this.failures = failures;
            this.events = events;
            this.created = created;
            this.done = done;
            this.completed = completed;
            this.latencies = latencies;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buf.append(data);
            if (last) {
                Instant now = Instant.now();
                try {
                    JsonNode e = Json.MAPPER.readTree(buf.toString());
                    String type = e.path("type").asText();
                    if (type.equals("session.created")) {
                        created.countDown();
                    } else {
                        events.incrementAndGet();
                        latencies.add(Duration.between(
                                                Instant.parse(
                                                        e.path("timestamp").asText()),
                                                now)
                                        .toNanos()
                                / 1e6);
                        if (type.equals("turn.completed")
                                && e.path("finishReason").asText().equals("stop")) {
                            completed.incrementAndGet();
                            done.countDown();
                        } else if (type.equals("turn.completed") || type.equals("cancelled")) {
                            failures.merge(type + " " + e.path("finishReason").asText(), 1, Integer::sum);
                            done.countDown();
                        } else if (type.equals("error")) {
                            failures.merge(
                                    e.path("code").asText() + ": "
                                            + e.path("message").asText(),
                                    1,
                                    Integer::sum);
                        }
                    }
                } catch (IOException ex) {
                    System.err.println("bad event: " + buf);
                }
                buf.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
