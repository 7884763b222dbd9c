package io.thinkloop.mcp.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.protocol.Transport;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.JsonRpcMessage;
import io.thinkloop.mcp.types.ProtocolVersions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The Streamable HTTP client transport: every message is a POST to the endpoint accepting
 * {@code application/json} and {@code text/event-stream}; a request's answer (and the progress
 * notifications before it) come back as a JSON body or an SSE stream. The server's {@code Mcp-Session-Id}
 * is sent back on every later request, and with {@code MCP-Protocol-Version} once negotiated. An HTTP
 * failure of a request is turned into a JSON-RPC error for that request, so no call waits for its timeout.
 */
public final class StreamableHttpClientConnector implements Connector {
    private static final Logger LOG = Logger.getLogger(StreamableHttpClientConnector.class);

    private final URI endpoint;
    private final Map<String, String> headers;
    private final HttpClient http;

    public StreamableHttpClientConnector(URI endpoint, Map<String, String> headers) {
        this.endpoint = endpoint;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(task -> Thread.ofVirtual().name("mcp-http").start(withOwnClassLoader(task)))
                .build();
    }

    @Override
    public CompletionStage<Transport> connect() {
        return CompletableFuture.completedFuture(new HttpTransport());
    }

    @Override
    public String describe() {
        return endpoint.toString();
    }

    final class HttpTransport implements Transport {
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile Listener listener;
        private volatile String sessionId;
        private volatile String protocolVersion;
        private volatile InputStream standaloneStream;

        @Override
        public void start(Listener l) {
            listener = l;
        }

        @Override
        public CompletionStage<Void> send(String frame) {
            if (closed.get()) {
                return CompletableFuture.failedFuture(new IOException("transport closed"));
            }
            JsonNode message = parse(frame);
            JsonNode requestId = message != null && message.has("method") ? message.get("id") : null;
            HttpRequest.Builder req = HttpRequest.newBuilder(endpoint)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(frame, StandardCharsets.UTF_8));
            decorate(req);
            // A stateless request (2026-07-28) names its revision in _meta; the header must match it.
            String stateless = message == null ? null : ProtocolVersions.fromMeta(message.get("params"));
            if (protocolVersion == null && stateless != null) {
                req.setHeader("MCP-Protocol-Version", stateless);
            }
            return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofInputStream())
                    .thenAccept(resp -> {
                        String sid = resp.headers().firstValue("Mcp-Session-Id").orElse(null);
                        if (sid != null) {
                            sessionId = sid;
                        }
                        int status = resp.statusCode();
                        String type = resp.headers()
                                .firstValue("Content-Type")
                                .orElse("")
                                .toLowerCase();
                        if (status == 202 || status == 204) {
                            drain(resp.body());
                        } else if (status >= 200 && status < 300 && type.startsWith("text/event-stream")) {
                            Thread.ofVirtual().name("mcp-sse").start(withOwnClassLoader(() -> readSse(resp.body())));
                        } else if (status >= 200 && status < 300) {
                            String body = read(resp.body());
                            if (!body.isBlank()) {
                                deliver(body);
                            }
                        } else {
                            String body = read(resp.body());
                            if (status == 404 && sessionId != null) {
                                LOG.debugf("%s: session %s expired", endpoint, sessionId);
                            }
                            if (requestId != null) {
                                deliver(JsonRpcMessage.Response.error(
                                                requestId,
                                                JsonRpcError.CONNECTION_CLOSED,
                                                "HTTP " + status + " from " + endpoint + ": " + body.strip())
                                        .encode());
                            }
                            if (status == 404 && sessionId != null) {
                                close();
                            }
                        }
                    })
                    .exceptionally(e -> {
                        if (requestId != null) {
                            deliver(JsonRpcMessage.Response.error(
                                            requestId,
                                            JsonRpcError.CONNECTION_CLOSED,
                                            "HTTP request to " + endpoint + " failed: " + e.getMessage())
                                    .encode());
                        }
                        return null;
                    });
        }

        private void decorate(HttpRequest.Builder req) {
            headers.forEach(req::header);
            if (sessionId != null) {
                req.header("Mcp-Session-Id", sessionId);
            }
            if (protocolVersion != null) {
                req.header("MCP-Protocol-Version", protocolVersion);
            }
        }

        private void deliver(String body) {
            // The initialize answer names the version every later request must carry as a header.
            if (protocolVersion == null && body.contains("protocolVersion")) {
                try {
                    JsonNode n = Json.MAPPER.readTree(body);
                    if (n.path("result").path("protocolVersion").isTextual()
                            && n.path("result").has("serverInfo")) {
                        protocolVersion =
                                n.path("result").path("protocolVersion").textValue();
                        Thread.ofVirtual().name("mcp-http-get").start(withOwnClassLoader(this::openStandaloneStream));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // the peer reports unreadable messages
                }
            }
            Listener l = listener;
            if (l != null && !closed.get()) {
                l.onMessage(body);
            }
        }

        /**
         * The optional GET stream on which the server sends messages outside any request (e.g.
         * {@code notifications/tools/list_changed}); servers without one answer 405.
         */
        private void openStandaloneStream() {
            HttpRequest.Builder get = HttpRequest.newBuilder(endpoint).GET().header("Accept", "text/event-stream");
            decorate(get);
            try {
                HttpResponse<InputStream> resp = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (resp.statusCode() != 200 || closed.get()) {
                    resp.body().close();
                    return;
                }
                standaloneStream = resp.body();
                readSse(resp.body());
            } catch (IOException e) {
                LOG.debugf("%s: no standalone SSE stream: %s", endpoint, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void readSse(InputStream body) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                StringBuilder data = new StringBuilder();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            deliver(data.toString());
                            data.setLength(0);
                        }
                    } else if (line.startsWith("data:")) {
                        if (!data.isEmpty()) {
                            data.append('\n');
                        }
                        data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                    }
                }
                if (!data.isEmpty()) {
                    deliver(data.toString());
                }
            } catch (IOException e) {
                LOG.debugf("%s: SSE stream ended: %s", endpoint, e.getMessage());
            }
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            InputStream standalone = standaloneStream;
            if (standalone != null) {
                try {
                    standalone.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            if (sessionId != null) {
                HttpRequest.Builder del =
                        HttpRequest.newBuilder(endpoint).DELETE().timeout(Duration.ofSeconds(2));
                decorate(del);
                http.sendAsync(del.build(), HttpResponse.BodyHandlers.discarding());
            }
            Listener l = listener;
            if (l != null) {
                l.onClose("closed locally");
            }
        }

        @Override
        public boolean isOpen() {
            return !closed.get();
        }

        @Override
        public String describe() {
            return endpoint.toString();
        }
    }

    /**
     * Messages are delivered on these threads, and the handlers they run look services up through the
     * context class loader: give them this library's loader rather than whatever the creating thread had
     * (in a Quarkus app or test, another application's loader can linger there).
     */
    static Runnable withOwnClassLoader(Runnable task) {
        ClassLoader own = StreamableHttpClientConnector.class.getClassLoader();
        return () -> {
            Thread.currentThread().setContextClassLoader(own);
            task.run();
        };
    }

    private static JsonNode parse(String frame) {
        try {
            return Json.MAPPER.readTree(frame);
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void drain(InputStream in) {
        read(in);
    }
}
