package io.thinkloop.cli;

import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpServerSession;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.server.WebSocketAccessPolicy;
import io.thinkloop.mcp.transport.StdioServerTransport;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.tools.ToolServerDefinition;
import io.vertx.core.Vertx;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code thinkloop tool-server NAME --port P}: serves one {@link ToolServerDefinition}'s tools over MCP
 * as its own process (standalone Vert.x, no Quarkus): WebSocket at {@code ws://HOST:P/mcp/ws} and
 * Streamable HTTP at {@code http://HOST:P/mcp} ({@code --http} prints that URL), prints the URL when ready
 * and stops cleanly on SIGTERM/SIGINT. With {@code --stdio} it speaks MCP on stdin/stdout instead (as
 * Claude Desktop's {@code mcpServers} entries launch servers): stdout carries only JSON-RPC, the banner and
 * everything else go to stderr, and the process ends when stdin does.
 */
@Command(
        name = "tool-server",
        mixinStandardHelpOptions = true,
        description =
                "Serve a tool server of mcp-tools/ over MCP: WebSocket at ws://HOST:PORT/mcp/ws and Streamable HTTP at "
                        + "http://HOST:PORT/mcp, or stdio with --stdio.")
public final class ToolServerCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", description = "Tool server name (see --list).")
    String name;

    @Option(
            names = {"-p", "--port"},
            description = "Port (0 picks a free one; default ${DEFAULT-VALUE}).",
            defaultValue = "8765")
    int port;

    @Option(names = "--host", description = "Interface to bind (default ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--opt", description = "Tool server option key=value (repeatable).")
    List<String> opts = List.of();

    @Option(
            names = "--token",
            description = "Require this token (query parameter token, bearer.TOKEN subprotocol or Bearer header).")
    String token;

    @Option(
            names = "--allowed-origin",
            description = "Browser origin allowed besides loopback pages (repeatable; * for any).")
    List<String> allowedOrigins = List.of();

    @Option(
            names = "--max-message-bytes",
            description = "Largest accepted message (default ${DEFAULT-VALUE}).",
            defaultValue = "16777216")
    int maxMessage;

    @Option(names = "--list", description = "List the available tool servers and exit.")
    boolean list;

    @Option(
            names = "--stdio",
            description = "Speak MCP over stdin/stdout (newline-delimited JSON-RPC) instead of listening on a port.")
    boolean stdio;

    @Option(
            names = "--http",
            description = "Announce the Streamable HTTP endpoint http://HOST:PORT/mcp (always served, as is /mcp/ws).")
    boolean http;

    static Map<String, ToolServerDefinition> definitions() {
        Map<String, ToolServerDefinition> found = new LinkedHashMap<>();
        for (ToolServerDefinition d : ServiceLoader.load(ToolServerDefinition.class)) {
            found.putIfAbsent(d.name(), d);
        }
        return found;
    }

    @Override
    public Integer call() throws Exception {
        // With --stdio, stdout belongs to the protocol: keep it for the transport and send every stray print to stderr.
        OutputStream protocolOut = stdio ? new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)) : null;
        if (stdio) {
            System.setOut(System.err);
        }
        Map<String, ToolServerDefinition> defs = definitions();
        if (list || name == null) {
            if (defs.isEmpty()) {
                System.out.println("no tool servers found");
            }
            defs.values().forEach(d -> System.out.printf("%-20s %s%n", d.name(), d.description()));
            return name == null && !list ? 2 : 0;
        }
        if (port < 0 || port > 65535) {
            System.err.println("thinkloop tool-server: --port must be 0..65535 (0: a free one), got " + port);
            return 2;
        }
        ToolServerDefinition def = defs.get(name);
        if (def == null) {
            System.err.println(
                    "thinkloop tool-server: no tool server named '" + name + "'; available: " + defs.keySet());
            return 2;
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String kv : opts) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                System.err.println("thinkloop tool-server: --opt wants key=value, got '" + kv + "'");
                return 2;
            }
            options.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        McpServer server = new McpServer(
                new Implementation("thinkloop-" + def.name(), version()),
                def.description(),
                new ToolCatalog(def.tools(options)),
                def.content(options),
                100);
        if (stdio) {
            return serveStdio(server, def, protocolOut);
        }
        Vertx vertx = Vertx.vertx();
        McpWebSocketServer ws = new McpWebSocketServer(
                vertx,
                server,
                new McpWebSocketServer.Options(
                        host, port, Math.max(maxMessage, 1024), Duration.ofSeconds(30), policy()));
        try {
            ws.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("thinkloop tool-server: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            vertx.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                ws.stop().toCompletableFuture().get(5, TimeUnit.SECONDS);
                                vertx.close()
                                        .toCompletionStage()
                                        .toCompletableFuture()
                                        .get(5, TimeUnit.SECONDS);
                            } catch (Exception ignored) {
                                // exiting anyway
                            }
                            System.err.println("thinkloop tool-server: stopped");
                            stopped.countDown();
                        },
                        "tool-server-shutdown"));
        System.out.println(
                "MCP tool server " + def.name() + " (" + server.tools().list().size() + " tools) listening at "
                        + (http
                                ? ws.httpUrl() + " (Streamable HTTP; WebSocket: " + ws.url() + ")"
                                : ws.url() + " (Streamable HTTP: " + ws.httpUrl() + ")"));
        System.out.flush();
        stopped.await();
        return 0;
    }

    private int serveStdio(McpServer server, ToolServerDefinition def, OutputStream protocolOut)
            throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        McpServerSession session =
                server.connect(new StdioServerTransport(System.in, protocolOut, Math.max(maxMessage, 1024)));
        session.peer().onClose(reason -> ended.countDown());
        System.err.println(
                "MCP tool server " + def.name() + " (" + server.tools().list().size() + " tools) on stdio");
        ended.await();
        System.err.println("thinkloop tool-server: stdin closed, stopped");
        return 0;
    }

    /** A server bound to loopback also refuses non-loopback Host headers (DNS rebinding). */
    private WebSocketAccessPolicy policy() {
        WebSocketAccessPolicy p = new WebSocketAccessPolicy(token, allowedOrigins);
        boolean loopback =
                host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
        return loopback ? p.withLoopbackHostOnly() : p;
    }

    private static String version() {
        String v = ToolServerCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
