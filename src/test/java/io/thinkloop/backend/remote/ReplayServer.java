package io.thinkloop.backend.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that plays recorded-format SSE transcripts ({@code src/test/resources/replay})
 * byte for byte, in scripted order per path, and misbehaves on request: error statuses with
 * {@code Retry-After}, a connection reset or a stall after some bytes, and DeepSeek's 400 when an
 * assistant message with tool calls in the current turn lacks {@code reasoning_content}.
 */
final class ReplayServer implements AutoCloseable {

    /** How to answer one request. */
    record Reply(
            int status,
            Map<String, String> headers,
            byte[] body,
            int chunkBytes,
            long delayMs,
            int resetAfterBytes,
            int stallAfterBytes,
            boolean deepSeekValidation) {

        static Reply transcript(String name) {
            return new Reply(200, Map.of("Content-Type", "text/event-stream"), resource(name), 0, 0, -1, -1, false);
        }

        static Reply status(int status, String body, Map<String, String> headers) {
            return new Reply(status, headers, body.getBytes(StandardCharsets.UTF_8), 0, 0, -1, -1, false);
        }

        /** Writes in pieces of {@code n} bytes (splitting lines and UTF-8 sequences) instead of per event. */
        Reply chunked(int n) {
            return new Reply(status, headers, body, n, delayMs, resetAfterBytes, stallAfterBytes, deepSeekValidation);
        }

        Reply delay(long ms) {
            return new Reply(
                    status, headers, body, chunkBytes, ms, resetAfterBytes, stallAfterBytes, deepSeekValidation);
        }

        Reply resetAfter(int bytes) {
            return new Reply(status, headers, body, chunkBytes, delayMs, bytes, stallAfterBytes, deepSeekValidation);
        }

        Reply stallAfter(int bytes) {
            return new Reply(status, headers, body, chunkBytes, delayMs, resetAfterBytes, bytes, deepSeekValidation);
        }

        Reply validatingLikeDeepSeek() {
            return new Reply(status, headers, body, chunkBytes, delayMs, resetAfterBytes, stallAfterBytes, true);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final Map<String, ConcurrentLinkedDeque<Reply>> replies = new ConcurrentHashMap<>();
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger abandoned = new AtomicInteger();

    ReplayServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    ReplayServer enqueue(String path, Reply... r) {
        replies.computeIfAbsent(path, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(r));
        return this;
    }

    List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Responses whose connection the client closed before the reply was complete. */
    int abandonedResponses() {
        return abandoned.get();
    }

    static byte[] resource(String name) {
        try (InputStream in = ReplayServer.class.getResourceAsStream("/replay/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no transcript " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            try {
                requests.add(Json.MAPPER.readTree(body.getBytes()));
            } catch (IOException e) {
                requests.add(Json.MAPPER.getNodeFactory().textNode(body.toString()));
            }
            authorizations.add(request.getHeader("Authorization"));
            Reply reply = replies.getOrDefault(request.path(), new ConcurrentLinkedDeque<>())
                    .poll();
            HttpServerResponse response = request.response();
            response.closeHandler(v -> {
                if (!response.ended()) {
                    abandoned.incrementAndGet();
                }
            });
            if (reply == null) {
                response.setStatusCode(500).end("{\"error\":{\"message\":\"no scripted reply\"}}");
                return;
            }
            if (reply.deepSeekValidation()) {
                String missing = missingReasoningContent(requests.get(requests.size() - 1));
                if (missing != null) {
                    response.setStatusCode(400)
                            .putHeader("Content-Type", "application/json")
                            .end(
                                    "{\"error\":{\"message\":\"Missing `reasoning_content` field in the assistant message at message index "
                                            + missing
                                            + ". For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls\","
                                            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_request_error\"}}");
                    return;
                }
            }
            response.setStatusCode(reply.status());
            reply.headers().forEach(response::putHeader);
            if (reply.status() != 200) {
                response.end(Buffer.buffer(reply.body()));
                return;
            }
            response.setChunked(true);
            play(request, pieces(reply), 0, 0, reply);
        });
    }

    /** The index of the first current-turn assistant message with tool calls but no reasoning_content, or null. */
    static String missingReasoningContent(JsonNode body) {
        JsonNode messages = body.path("messages");
        int lastUser = -1;
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).path("role").asText();
            if (role.equals("user")) {
                lastUser = i;
            }
        }
        for (int i = lastUser + 1; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (m.path("role").asText().equals("assistant")
                    && m.path("tool_calls").size() > 0
                    && !m.path("reasoning_content").isTextual()) {
                return String.valueOf(i);
            }
        }
        return null;
    }

    private static List<byte[]> pieces(Reply reply) {
        List<byte[]> out = new ArrayList<>();
        byte[] b = reply.body();
        if (reply.chunkBytes() > 0) {
            for (int i = 0; i < b.length; i += reply.chunkBytes()) {
                out.add(Arrays.copyOfRange(b, i, Math.min(b.length, i + reply.chunkBytes())));
            }
            return out;
        }
        int start = 0;
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\n' && b[i + 1] == '\n') {
                out.add(Arrays.copyOfRange(b, start, i + 2));
                start = i + 2;
                i++;
            }
        }
        if (start < b.length) {
            out.add(Arrays.copyOfRange(b, start, b.length));
        }
        return out;
    }

    private void play(HttpServerRequest request, List<byte[]> pieces, int index, int written, Reply reply) {
        HttpServerResponse response = request.response();
        if (response.closed()) {
            return;
        }
        if (index >= pieces.size()) {
            response.end();
            return;
        }
        byte[] piece = pieces.get(index);
        int limit = reply.resetAfterBytes() >= 0 ? reply.resetAfterBytes() : reply.stallAfterBytes();
        if (limit >= 0 && written + piece.length > limit) {
            int keep = limit - written;
            if (keep > 0) {
                response.write(Buffer.buffer(Arrays.copyOf(piece, keep)));
            }
            if (reply.resetAfterBytes() >= 0) {
                // Let the bytes leave, then drop the TCP connection in the middle of the chunked body.
                vertx.setTimer(50, t -> request.connection().close());
            }
            return; // stall: keep the connection open, send nothing more
        }
        response.write(Buffer.buffer(piece));
        Runnable next = () -> play(request, pieces, index + 1, written + piece.length, reply);
        if (reply.delayMs() > 0) {
            vertx.setTimer(reply.delayMs(), t -> next.run());
        } else {
            vertx.runOnContext(v -> next.run());
        }
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
