package io.thinkloop.mcp.transport;

import io.thinkloop.mcp.protocol.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The server end of MCP's stdio transport: newline-delimited JSON-RPC on the process's stdin and stdout.
 * Nothing but messages may reach stdout, so whoever uses this sends logs and banners to stderr. A line
 * longer than {@code maxLineBytes} is skipped (logged), not buffered; end of input closes the transport.
 */
public final class StdioServerTransport implements Transport {
    private static final Logger LOG = Logger.getLogger(StdioServerTransport.class);

    private final InputStream in;
    private final OutputStream out;
    private final int maxLineBytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Listener listener;

    public StdioServerTransport(InputStream in, OutputStream out, int maxLineBytes) {
        this.in = in;
        this.out = out;
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public void start(Listener l) {
        listener = l;
        Thread.ofPlatform().name("mcp-stdio-in").daemon(true).start(this::readLoop);
    }

    private void readLoop() {
        String reason = "end of input";
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean skipping = false;
            byte[] buf = new byte[64 * 1024];
            int n;
            while (!closed.get() && (n = in.read(buf)) >= 0) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        continue;
                    }
                    if (!skipping) {
                        line.write(buf, start, i - start);
                        deliver(line);
                    }
                    line.reset();
                    skipping = false;
                    start = i + 1;
                }
                if (!skipping) {
                    line.write(buf, start, n - start);
                    if (line.size() > maxLineBytes) {
                        LOG.warnf("stdio: skipped a message longer than %d bytes", maxLineBytes);
                        line.reset();
                        skipping = true;
                    }
                }
            }
            if (!skipping && line.size() > 0) {
                deliver(line);
            }
        } catch (IOException e) {
            reason = "stdin: " + e.getMessage();
        }
        finish(reason);
    }

    private void deliver(ByteArrayOutputStream line) {
        String text = line.toString(StandardCharsets.UTF_8).strip();
        if (!text.isEmpty()) {
            listener.onMessage(text);
        }
    }

    @Override
    public CompletionStage<Void> send(String frame) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("stdio closed"));
        }
        byte[] bytes = (frame + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            finish("stdout: " + e.getMessage());
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
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
        return !closed.get();
    }

    @Override
    public String describe() {
        return "stdio";
    }
}
