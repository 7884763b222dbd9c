package io.thinkloop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.cli.perf.ChildService;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf load}: many concurrent WebSocket agent sessions against the real service.
 * Starts the packaged service as a child process on the {@code synthetic} token source (no model), opens
 * N WebSocket sessions, runs one turn in each at once, and prints sessions held, events per second,
 * p50/p99 event latency (event timestamp at the server to arrival at the client, same clock) and the
 * service's live heap (after a forced GC) before and after. A small run first gives the baseline.
 */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        description = "Load benchmark: N concurrent WebSocket sessions on a synthetic token source.")
public final class PerfLoadCommand implements Callable<Integer> {

    @Option(
            names = "--sessions",
            defaultValue = "1000",
            description = "Concurrent sessions (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(
            names = "--baseline-sessions",
            defaultValue = "10",
            description = "Sessions of the baseline run (default ${DEFAULT-VALUE}).")
    int baselineSessions;

    @Option(names = "--tokens", defaultValue = "32", description = "Tokens per turn (default ${DEFAULT-VALUE}).")
    int tokens;

    @Option(
            names = "--interval-ms",
            defaultValue = "20",
            description = "Milliseconds between tokens of one session (default ${DEFAULT-VALUE}).")
    int intervalMs;

    @Option(
            names = "--fsync",
            defaultValue = "batch",
            description = "Journal fsync policy of the service: always, batch, never (default ${DEFAULT-VALUE}).")
    String fsync;

    @Option(
            names = "--service-heap",
            defaultValue = "1g",
            description = "-Xmx of the service (default ${DEFAULT-VALUE}).")
    String serviceHeap;

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String KEY = "perf-load-key";

    @Override
    public Integer call() throws Exception {
        Path dataDir = Files.createTempDirectory("thinkloop-perf-load");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        Process service = startService(dataDir, port);
        try {
            ChildService.awaitReady(service, base, dataDir.resolve("service.log"));
            System.out.printf(
                    "service pid %d on port %d, synthetic backend: %d tokens every %d ms per session (offered %.0f events/s), journal fsync %s%n",
                    service.pid(), port, tokens, intervalMs, sessions * 1000.0 / Math.max(1, intervalMs), fsync);
            long heapBefore = liveHeap(service, base);
            Result baseline = run(base, "base", baselineSessions);
            Result load = run(base, "load", sessions);
            long heapAfter = liveHeap(service, base);
            System.out.println();
            System.out.printf(
                    "%-10s %9s %9s %12s %10s %10s %10s %9s%n",
                    "run", "sessions", "held", "events", "events/s", "p50 ms", "p99 ms", "wall s");
            baseline.print("baseline");
            load.print("load");
            System.out.printf(
                    "%nratio load/baseline: events/s x%.1f, p50 x%.1f, p99 x%.1f%n",
                    load.eventsPerSecond() / baseline.eventsPerSecond(),
                    load.p50() / Math.max(0.001, baseline.p50()),
                    load.p99() / Math.max(0.001, baseline.p99()));
            System.out.printf(
                    "service live heap: before %.1f MiB, after (%d sessions held) %.1f MiB, %.1f KiB per session%n",
                    heapBefore / 1048576.0,
                    load.held,
                    heapAfter / 1048576.0,
                    (heapAfter - heapBefore) / 1024.0 / Math.max(1, sessions + baselineSessions));
            baseline.close();
            load.close();
            return load.completed == sessions ? 0 : 1;
        } finally {
            service.destroy();
            if (!service.waitFor(15, TimeUnit.SECONDS)) {
                service.destroyForcibly();
                service.waitFor(15, TimeUnit.SECONDS);
            }
            TempFiles.deleteTree(dataDir);
        }
    }

    private Process startService(Path dataDir, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = Arrays.stream(System.getProperty("java.class.path").split(System.getProperty("path.separator")))
                .filter(p -> p.endsWith("quarkus-run.jar"))
                .findFirst()
                .orElse("target/quarkus-app/quarkus-run.jar");
        List<String> cmd = new ArrayList<>(
                List.of(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow"); // no Unsafe warning from the service's Netty
        }
        cmd.addAll(List.of(
                "-Xmx" + serviceHeap,
                "-Dthinkloop.data-dir=" + dataDir,
                "-Dthinkloop.api-key=" + KEY,
                "-Dthinkloop.model.backend=synthetic",
                "-Dthinkloop.journal.fsync=" + fsync,
                "-Dthinkloop.model.synthetic.tokens=" + tokens,
                "-Dthinkloop.model.synthetic.interval=" + intervalMs + "ms",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.log.level=WARN",
                "-jar",
                jar,
                "serve",
                "--port",
                Integer.toString(port)));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("service.log").toFile())
                .start();
    }

    /** Live heap of the service: a full GC (jcmd), then the heap in use from its Prometheus metrics. */
    private static long liveHeap(Process service, URI base) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (Files.isExecutable(jcmd)) {
            new ProcessBuilder(jcmd.toString(), Long.toString(service.pid()), "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(30, TimeUnit.SECONDS);
        }
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(base.resolve("/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+([0-9.eE+-]+)$")
                .matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return (long) sum;
    }

    /** One run's figures and its still-open connections. */
    private record Result(
            int sessions,
            int held,
            int completed,
            long events,
            double seconds,
            double[] latenciesMs,
            List<WebSocket> sockets) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double p50() {
            return percentile(0.50);
        }

        double p99() {
            return percentile(0.99);
        }

        double percentile(double q) {
            if (latenciesMs.length == 0) {
                return Double.NaN;
            }
            return latenciesMs[Math.min(latenciesMs.length - 1, (int) Math.ceil(q * latenciesMs.length) - 1)];
        }

        void print(String name) {
            System.out.printf(
                    "%-10s %9d %9d %12d %10.0f %10.2f %10.2f %9.2f%n",
                    name, sessions, held, events, eventsPerSecond(), p50(), p99(), seconds);
        }

        void close() {
            sockets.forEach(WebSocket::abort);
        }
    }

    private Result run(URI base, String prefix, int n) throws Exception {
        String runId = prefix + "-" + Long.toHexString(System.nanoTime());
        CountDownLatch created = new CountDownLatch(n);
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong events = new AtomicLong();
        AtomicInteger completed = new AtomicInteger();
        double[][] latencies = new double[n][];
        int perSession = tokens + 4;
        List<WebSocket> sockets = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int start = 0; start < n; start += 100) {
            List<CompletableFuture<WebSocket>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(n, start + 100); i++) {
                int idx = i;
                latencies[i] = new double[perSession * 2];
                URI ws = URI.create(
                        "ws://" + base.getHost() + ":" + base.getPort() + "/v1/sessions/" + runId + "-" + i + "/ws");
                batch.add(HTTP.newWebSocketBuilder()
                        .header("Authorization", "Bearer " + KEY)
                        .connectTimeout(Duration.ofSeconds(30))
                        .buildAsync(ws, new Listener(latencies, idx, events, created, done, completed)));
            }
            for (var f : batch) {
                sockets.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        if (!created.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("sessions not created: " + created.getCount() + " missing");
        }
        System.out.printf("%s: %d sessions connected in %.2f s%n", prefix, n, (System.nanoTime() - t0) / 1e9);
        long turnStart = System.nanoTime();
        String hello = "{\"type\":\"user_message\",\"content\":\"load test\"}";
        List<CompletableFuture<WebSocket>> sends = new ArrayList<>();
        for (WebSocket s : sockets) {
            sends.add(s.sendText(hello, true));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        boolean all = done.await(300, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - turnStart) / 1e9;
        int held = (int) sockets.stream()
                .filter(s -> !s.isInputClosed() && !s.isOutputClosed())
                .count();
        int count = 0;
        for (int i = 0; i < n; i++) {
            count += (int) latencies[i][latencies[i].length - 1];
        }
        double[] flat = new double[count];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int c = (int) latencies[i][latencies[i].length - 1];
            System.arraycopy(latencies[i], 0, flat, k, c);
            k += c;
        }
        Arrays.sort(flat);
        if (!all) {
            System.out.printf("%s: only %d of %d turns completed%n", prefix, completed.get(), n);
        }
        return new Result(n, held, completed.get(), events.get(), seconds, flat, sockets);
    }

    /** Collects one session's event latencies; the last array slot counts them. */
    private static final class Listener implements WebSocket.Listener {
        private final double[][] latencies;
        private final int idx;
        private final AtomicLong events;
        private final CountDownLatch created;
        private final CountDownLatch done;
        private final AtomicInteger completed;
        private final StringBuilder buf = new StringBuilder();

        Listener(
                double[][] latencies,
                int idx,
                AtomicLong events,
                CountDownLatch created,
                CountDownLatch done,
                AtomicInteger completed) {
            this.latencies = latencies;
            this.idx = idx;
            this.events = events;
            this.created = created;
            this.done = done;
            this.completed = completed;
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
                        double[] l = latencies[idx];
                        int c = (int) l[l.length - 1];
                        if (c < l.length - 1) {
                            l[c] = Duration.between(
                                                    Instant.parse(
                                                            e.path("timestamp").asText()),
                                                    now)
                                            .toNanos()
                                    / 1e6;
                            l[l.length - 1] = c + 1;
                        }
                        if (type.equals("turn.completed")) {
                            completed.incrementAndGet();
                            done.countDown();
                        } else if (type.equals("error") || type.equals("cancelled")) {
                            done.countDown();
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
