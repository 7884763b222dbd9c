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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf sessions}: the service's per-session bounds under abuse. Starts the packaged
 * service as a child process, creates and abandons N sessions (REST), printing the service's open file
 * descriptors ({@code /proc/PID/fd}) and live heap as it goes, checks that it still serves new sessions,
 * then connects M WebSocket clients with {@code lastSeq=0} to one long session and holds them without
 * reading, printing the heap per client (less a connection's fixed cost, measured with as many clients
 * that take only new events) against the configured per-client bound and against the replayed stream's
 * size. Exit code 1 when descriptors or heap grow with the abandoned sessions, when a replay client holds
 * half its stream or more, or when a client misses events.
 */
@Command(
        name = "sessions",
        mixinStandardHelpOptions = true,
        description =
                "Session bounds: N abandoned sessions (descriptors, heap), M lastSeq=0 replay clients (heap per client).")
public final class PerfSessionsCommand implements Callable<Integer> {

    @Option(
            names = "--sessions",
            defaultValue = "20000",
            description = "Sessions created and abandoned (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(
            names = "--clients",
            defaultValue = "300",
            description = "lastSeq=0 replay clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(
            names = "--events",
            defaultValue = "4000",
            description = "Events of the replayed session (default ${DEFAULT-VALUE}).")
    int events;

    @Option(
            names = "--max-loaded",
            defaultValue = "1000",
            description = "thinkloop.session.max-loaded of the service (default ${DEFAULT-VALUE}).")
    int maxLoaded;

    @Option(
            names = "--subscriber-buffer",
            defaultValue = "256",
            description = "thinkloop.session.subscriber-buffer of the service (default ${DEFAULT-VALUE}).")
    int subscriberBuffer;

    @Option(
            names = "--service-heap",
            defaultValue = "512m",
            description = "-Xmx of the service (default ${DEFAULT-VALUE}).")
    String serviceHeap;

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String KEY = "perf-sessions-key";
    /** Events a replay reads from the journal at a time (EventSubscriber.REPLAY_BATCH). */
    private static final int REPLAY_BATCH = 64;

    @Override
    public Integer call() throws Exception {
        Path dataDir = Files.createTempDirectory("thinkloop-perf-sessions");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        Process service = startService(dataDir, port);
        boolean ok = true;
        try {
            ChildService.awaitReady(service, base, dataDir.resolve("service.log"));
            long fds0 = fds(service);
            long heap0 = liveHeap(service, base);
            System.out.printf(
                    "service pid %d: %d descriptors, live heap %.1f MiB; max-loaded %d, subscriber-buffer %d%n",
                    service.pid(), fds0, heap0 / 1048576.0, maxLoaded, subscriberBuffer);

            // 1. create and abandon sessions
            long t0 = System.nanoTime();
            Semaphore inFlight = new Semaphore(32);
            AtomicInteger failed = new AtomicInteger();
            long maxFds = fds0;
            int step = Math.max(1, sessions / 4);
            for (int i = 0; i < sessions; i++) {
                inFlight.acquire();
                HTTP.sendAsync(post(base, "/v1/sessions", "{}"), HttpResponse.BodyHandlers.discarding())
                        .whenComplete((r, e) -> {
                            if (e != null || r.statusCode() != 201) {
                                failed.incrementAndGet();
                            }
                            inFlight.release();
                        });
                if ((i + 1) % step == 0) {
                    inFlight.acquire(32);
                    inFlight.release(32);
                    long f = fds(service);
                    maxFds = Math.max(maxFds, f);
                    System.out.printf(
                            "  %6d sessions created: %d descriptors, live heap %.1f MiB%n",
                            i + 1, f, liveHeap(service, base) / 1048576.0);
                }
            }
            inFlight.acquire(32);
            inFlight.release(32);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long fds1 = fds(service);
            long heap1 = liveHeap(service, base);
            HttpResponse<String> one =
                    HTTP.send(post(base, "/v1/sessions", "{}"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> page =
                    HTTP.send(get(base, "/v1/sessions?limit=10"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> ready = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.printf(
                    "%d sessions created and abandoned in %.1f s (%d failed): descriptors %d -> %d (peak %d), live heap %.1f -> %.1f MiB%n",
                    sessions, seconds, failed.get(), fds0, fds1, maxFds, heap0 / 1048576.0, heap1 / 1048576.0);
            System.out.printf(
                    "then: POST /v1/sessions %d, GET /v1/sessions?limit=10 %d, /q/health/ready %d%n",
                    one.statusCode(), page.statusCode(), ready.statusCode());
            ok &= failed.get() == 0 && one.statusCode() == 201 && page.statusCode() == 200 && ready.statusCode() == 200;
            ok &= check(maxFds - fds0 < 200, "descriptors stay bounded (grew by " + (maxFds - fds0) + ")");
            ok &= check(
                    heap1 - heap0 < 96L * 1024 * 1024,
                    "heap stays bounded (grew by " + (heap1 - heap0) / 1048576 + " MiB)");

            // 2. one long session, M clients replaying it from seq 0 without reading
            ok &= replay(service, base);
        } finally {
            service.destroy();
            if (!service.waitFor(15, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
        System.out.println(ok ? "all bounds held" : "A BOUND WAS BROKEN");
        return ok ? 0 : 1;
    }

    private boolean replay(Process service, URI base) throws Exception {
        String id = "replay-source";
        HTTP.send(post(base, "/v1/sessions", "{\"id\":\"" + id + "\"}"), HttpResponse.BodyHandlers.discarding());
        HttpResponse<String> started = HTTP.send(
                post(base, "/v1/sessions/" + id + "/messages", "{\"content\":\"a long answer\"}"),
                HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 202) {
            System.out.println("the long turn did not start: " + started.statusCode() + " " + started.body());
            return false;
        }
        long found = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            JsonNode info = Json.MAPPER.readTree(
                    HTTP.send(get(base, "/v1/sessions/" + id), HttpResponse.BodyHandlers.ofString())
                            .body());
            if (info.path("activeTurnId").isNull() || info.path("activeTurnId").isMissingNode()) {
                found = info.path("lastSeq").asLong();
                break;
            }
            Thread.sleep(100); // polling the session's state, bounded by the deadline above
        }
        if (found == 0) {
            System.out.println("the long turn did not end");
            return false;
        }
        long total = found;
        // one client that reads: the whole stream, and the largest event (for the per-client bound)
        AtomicLong maxEventChars = new AtomicLong();
        AtomicLong streamChars = new AtomicLong();
        AtomicLong count = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        long expected = total;
        WebSocket reader = HTTP.newWebSocketBuilder()
                .header("Authorization", "Bearer " + KEY)
                .buildAsync(ws(base, id, "lastSeq=0"), new WebSocket.Listener() {
                    final StringBuilder buf = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        buf.append(data);
                        if (last) {
                            maxEventChars.accumulateAndGet(buf.length(), Math::max);
                            streamChars.addAndGet(buf.length());
                            if (count.incrementAndGet() == expected) {
                                all.countDown();
                            }
                            buf.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                })
                .get(30, TimeUnit.SECONDS);
        boolean whole = all.await(120, TimeUnit.SECONDS);
        reader.abort();
        System.out.printf(
                "the replayed session: %d events; a reading lastSeq=0 client got %d, the largest %d chars%n",
                total, count.get(), maxEventChars.get());
        if (!check(whole, "a reading replay client gets the whole stream")) {
            return false;
        }
        long heapBefore = liveHeap(service, base);
        long fdsBefore = fds(service);

        // the same number of connections that only take new events: the fixed cost of a connection
        List<WebSocket> plain = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            plain.add(HTTP.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + KEY)
                    .buildAsync(ws(base, id, null), new WebSocket.Listener() {})
                    .get(60, TimeUnit.SECONDS));
        }
        long heapPlain = liveHeap(service, base);
        plain.forEach(WebSocket::abort);
        long perConnection = Math.max(0, (heapPlain - heapBefore) / clients);
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (fds(service) > fdsBefore + 2 && System.nanoTime() < settle) {
            Thread.sleep(50); // waiting for the aborted connections to close, bounded by the deadline above
        }
        heapBefore = liveHeap(service, base);

        List<WebSocket> stalled = new ArrayList<>();
        List<AtomicLong> received = new ArrayList<>();
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            AtomicLong got = new AtomicLong();
            received.add(got);
            opening.add(HTTP.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + KEY)
                    .buildAsync(ws(base, id, "lastSeq=0"), new WebSocket.Listener() {
                        @Override
                        public void onOpen(WebSocket w) {
                            w.request(1); // one message, then the client stops reading
                        }

                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            if (last) {
                                got.incrementAndGet();
                            }
                            return null;
                        }
                    }));
        }
        for (var f : opening) {
            stalled.add(f.get(60, TimeUnit.SECONDS));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (received.stream().anyMatch(r -> r.get() == 0) && System.nanoTime() < until) {
            Thread.sleep(50); // polling the clients' counters, bounded by the deadline above
        }
        long heapHeld = liveHeap(service, base);
        long fdsHeld = fds(service);
        long perClient = (heapHeld - heapBefore) / clients;
        long replayPerClient = Math.max(0, perClient - perConnection);
        long bound = (long) (subscriberBuffer + REPLAY_BATCH) * maxEventChars.get() * 2;
        System.out.printf(
                "%d clients replaying a %d-event session from lastSeq=0, not reading: live heap %.1f -> %.1f MiB, %.1f KiB per client, "
                        + "of which %.1f KiB is what any connection costs (measured with %d clients taking only new events) and %.1f KiB the replay; "
                        + "configured per-client bound: (subscriber-buffer %d + replay batch %d) x largest event %d chars x 2 bytes = %.1f KiB; descriptors %d -> %d%n",
                clients,
                total,
                heapBefore / 1048576.0,
                heapHeld / 1048576.0,
                perClient / 1024.0,
                perConnection / 1024.0,
                clients,
                replayPerClient / 1024.0,
                subscriberBuffer,
                REPLAY_BATCH,
                maxEventChars.get(),
                bound / 1024.0,
                fdsBefore,
                fdsHeld);
        System.out.printf(
                "  %s: the replay's heap per client against the configured bound (%.1f KiB); the replayed stream is %.1f KiB%n",
                replayPerClient <= bound ? "within" : "ABOVE", bound / 1024.0, streamChars.get() / 1024.0);
        // Before streaming, each such client held the whole replay as a list of strings (more than the stream's size).
        boolean ok = check(
                replayPerClient < streamChars.get() / 2,
                "a replay client holds far less than the stream it replays (under half)");
        // now let every client read: each gets the whole stream
        for (WebSocket w : stalled) {
            w.request(Long.MAX_VALUE);
        }
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (received.stream().anyMatch(r -> r.get() < total) && System.nanoTime() < until) {
            Thread.sleep(50); // polling the clients' counters, bounded by the deadline above
        }
        long complete = received.stream().filter(r -> r.get() == total).count();
        System.out.printf("after reading: %d of %d clients received all %d events%n", complete, clients, total);
        stalled.forEach(WebSocket::abort);
        return ok & check(complete == clients, "every replay client got the whole stream");
    }

    private static boolean check(boolean ok, String what) {
        System.out.println((ok ? "  ok: " : "  BROKEN: ") + what);
        return ok;
    }

    private static URI ws(URI base, String id, String query) {
        return URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/v1/sessions/" + id + "/ws"
                + (query == null ? "" : "?" + query));
    }

    private static HttpRequest post(URI base, String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpRequest get(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + KEY)
                .build();
    }

    private Process startService(Path dataDir, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = Arrays.stream(System.getProperty("java.class.path").split(System.getProperty("path.separator")))
                .filter(p -> p.endsWith("quarkus-run.jar"))
                .findFirst()
                .orElse(System.getProperty("thinkloop.app.jar", "target/quarkus-app/quarkus-run.jar"));
        List<String> cmd = List.of(
                java,
                "--add-modules=jdk.incubator.vector",
                "-Xmx" + serviceHeap,
                "-Dthinkloop.data-dir=" + dataDir,
                "-Dthinkloop.api-key=" + KEY,
                "-Dthinkloop.model.backend=synthetic",
                "-Dthinkloop.model.synthetic.tokens=" + events,
                "-Dthinkloop.model.synthetic.interval=0ms",
                "-Dthinkloop.session.max-loaded=" + maxLoaded,
                "-Dthinkloop.session.subscriber-buffer=" + subscriberBuffer,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.log.level=WARN",
                "-jar",
                jar,
                "serve",
                "--port",
                Integer.toString(port));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("service.log").toFile())
                .start();
    }

    /** Open descriptors of the service: the entries of /proc/PID/fd. */
    private static long fds(Process service) throws IOException {
        try (Stream<Path> fd = Files.list(Path.of("/proc", Long.toString(service.pid()), "fd"))) {
            return fd.count();
        }
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
                        HttpRequest.newBuilder(base.resolve("/q/metrics"))
                                .header("Authorization", "Bearer " + KEY)
                                .build(),
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
}
