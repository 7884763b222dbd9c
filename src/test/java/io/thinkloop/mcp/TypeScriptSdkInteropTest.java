package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official TypeScript SDK client (WebSocketClientTransport) against our server, in-process and as a tool-server process. */
class TypeScriptSdkInteropTest {
    static final List<String> CHECKS = List.of(
            "initialize",
            "tools/list",
            "annotations",
            "outputSchema",
            "tools/call",
            "structuredContent",
            "isError",
            "unknownTool",
            "progress",
            "ping",
            "parallel",
            "cancellation");

    @BeforeAll
    static void peers() {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled(), "the npm MCP peers (src/test/node/node_modules)");
    }

    static void assertAllChecksPass(McpTestSupport.Result r) {
        System.out.println(r.output());
        for (String check : CHECKS) {
            assertTrue(
                    r.output().contains("CHECK " + check + " ok"),
                    "check " + check + " passed; output:\n" + r.output());
        }
        assertTrue(r.output().contains("SUMMARY " + CHECKS.size() + " passed, 0 failed"), r.output());
        assertEquals(0, r.exit());
    }

    @Test
    void tsSdkClientAgainstInProcessServer() throws Exception {
        McpWebSocketServer server = McpTestSupport.startServer();
        try {
            int cancelledBefore = TestToolServer.CANCELLED.get();
            assertAllChecksPass(McpTestSupport.runNode(Duration.ofSeconds(60), "ts-client.mjs", server.url()));
            Await.until(
                    "the SDK's abort reached the tool as a cancellation",
                    () -> TestToolServer.CANCELLED.get() > cancelledBefore);
        } finally {
            server.stop();
        }
    }

    @Test
    void tsSdkClientAgainstToolServerProcess() throws Exception {
        Path stderr = TestTemp.file("tool-server", ".err");
        List<String> cmd = new ArrayList<>(List.of(McpTestSupport.javaBin()));
        cmd.addAll(McpTestSupport.jvmFlags());
        cmd.addAll(List.of(
                "-cp",
                McpTestSupport.classPath(),
                "io.thinkloop.Main",
                "tool-server",
                "test-tools",
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--token",
                "s3cret"));
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        try {
            String url = readUrl(p);
            assertTrue(url.startsWith("ws://127.0.0.1:") && url.endsWith("/mcp/ws"), url);
            McpTestSupport.Result denied = McpTestSupport.runNode(Duration.ofSeconds(30), "ts-client.mjs", url);
            assertTrue(denied.output().contains("CHECK initialize FAIL"), "no token, no session: " + denied.output());
            assertAllChecksPass(McpTestSupport.runNode(Duration.ofSeconds(60), "ts-client.mjs", url + "?token=s3cret"));
        } finally {
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "tool-server stops on SIGTERM");
        }
        // The JVM reports SIGTERM as 143 after running the shutdown hook, which closes the server first.
        assertEquals(143, p.exitValue());
        assertTrue(Files.readString(stderr).contains("thinkloop tool-server: stopped"), "shutdown hook ran");
    }

    static String readUrl(Process p) throws Exception {
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            Pattern ws = Pattern.compile("listening at (ws://\\S+)");
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("[tool-server] " + line);
                    Matcher m = ws.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
                url.completeExceptionally(new AssertionError("tool-server printed no URL"));
            } catch (Exception e) {
                url.completeExceptionally(e);
            }
        });
        return url.get(60, TimeUnit.SECONDS);
    }
}
