package io.thinkloop.mcp.transport;

import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.protocol.Transport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Launches a local MCP server process (e.g. an npm package) and speaks newline-delimited JSON over its
 * stdin/stdout. Lines that are not JSON objects (servers that log to stdout) are skipped; stderr is
 * kept (last lines) for error messages. Closing ends the process and its children.
 */
public final class StdioClientConnector implements Connector {
    private static final Logger LOG = Logger.getLogger(StdioClientConnector.class);

    private final List<String> command;
    private final Map<String, String> env;
    private final Path workDir;

    public StdioClientConnector(List<String> command, Map<String, String> env, Path workDir) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("stdio MCP server needs a command");
        }
        this.command = List.copyOf(command);
        this.env = env == null ? Map.of() : Map.copyOf(env);
        this.workDir = workDir;
    }

    @Override
    public CompletionStage<Transport> connect() {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            return CompletableFuture.completedFuture(new StdioTransport(pb.start(), describe()));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String describe() {
        return "stdio:" + String.join(" ", command);
    }

    static final class StdioTransport implements Transport {
        private final Process process;
        private final String description;
        private final OutputStream stdin;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Deque<String> stderrTail = new ArrayDeque<>();
        private volatile Listener listener;

        StdioTransport(Process process, String description) {
            this.process = process;
            this.description = description;
            this.stdin = process.getOutputStream();
            Thread.ofVirtual().name("mcp-stdio-err").start(this::drainStderr);
        }

        @Override
        public void start(Listener l) {
            listener = l;
            Thread.ofVirtual()
                    .name("mcp-stdio-out")
                    .start(StreamableHttpClientConnector.withOwnClassLoader(this::readStdout));
        }

        private void readStdout() {
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String t = line.strip();
                    if (t.startsWith("{") || t.startsWith("[")) {
                        listener.onMessage(t);
                    } else if (!t.isEmpty()) {
                        LOG.debugf("%s stdout (not JSON): %s", description, t);
                    }
                }
            } catch (IOException e) {
                LOG.debugf("%s: stdout ended: %s", description, e.getMessage());
            }
            String reason;
            try {
                process.waitFor(2, TimeUnit.SECONDS);
                reason = process.isAlive() ? "stdout closed" : "process exited with code " + process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reason = "interrupted";
            }
            finish(reason + stderrSummary());
        }

        private void drainStderr() {
            try (BufferedReader err =
                    new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    LOG.debugf("%s stderr: %s", description, line);
                    synchronized (stderrTail) {
                        stderrTail.addLast(line);
                        if (stderrTail.size() > 20) {
                            stderrTail.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }

        private String stderrSummary() {
            synchronized (stderrTail) {
                return stderrTail.isEmpty() ? "" : "; stderr: " + String.join(" | ", new ArrayList<>(stderrTail));
            }
        }

        @Override
        public CompletionStage<Void> send(String frame) {
            if (closed.get()) {
                return CompletableFuture.failedFuture(new IOException("stdio server closed"));
            }
            try {
                byte[] bytes = (frame + "\n").getBytes(StandardCharsets.UTF_8);
                synchronized (stdin) {
                    stdin.write(bytes);
                    stdin.flush();
                }
                return CompletableFuture.completedFuture(null);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void close() {
            if (closed.get()) {
                return;
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // already gone
            }
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            Thread.ofVirtual().start(() -> {
                try {
                    if (!process.waitFor(3, TimeUnit.SECONDS)) {
                        process.descendants().forEach(ProcessHandle::destroyForcibly);
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            finish("closed locally");
        }

        private void finish(String reason) {
            if (closed.compareAndSet(false, true)) {
                Listener l = listener;
                if (l != null) {
                    l.onClose(reason);
                }
            }
        }

        @Override
        public boolean isOpen() {
            return !closed.get() && process.isAlive();
        }

        @Override
        public String describe() {
            return description;
        }
    }
}
