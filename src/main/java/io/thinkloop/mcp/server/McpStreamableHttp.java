package io.thinkloop.mcp.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.protocol.Transport;
import io.thinkloop.mcp.types.Decoded;
import io.thinkloop.mcp.types.JsonRpcCodec;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.mcp.types.JsonRpcMessage;
import io.thinkloop.mcp.types.McpMethods;
import io.thinkloop.mcp.types.ProtocolVersions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MCP's Streamable HTTP transport (revision 2025-11-25), server side, on one endpoint: POST carries one
 * JSON-RPC message (a request is answered with {@code application/json} when its response is the only thing
 * to say, else with an SSE stream carrying the notifications and requests made while serving it, then the
 * response; notifications and responses get 202), GET opens the session's stream for messages unrelated to
 * any request, DELETE ends the session. {@code initialize} creates a session ({@code Mcp-Session-Id}, 192
 * random bits); every SSE event has an id, so a client that lost a stream resumes it with GET and
 * {@code Last-Event-ID} (events are kept per stream, bounded). The sessions themselves are ordinary
 * {@link McpServerSession}s of the shared {@link McpServer}: this class is only their transport. A request
 * without a session that names the stateless revision in {@code _meta} is served by a one-request session.
 * Access checks (Origin, Host, keys) are the caller's: it hands over only requests it admitted.
 */
public final class McpStreamableHttp {
    public static final String SESSION_HEADER = "Mcp-Session-Id";
    public static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Limits: sessions idle (no request, no open stream) longer than {@code sessionIdle} end; at most
     * {@code maxSessions} at once (then 503); {@code retryMillis} is the SSE {@code retry} hint;
     * {@code eventsPerStream} events are kept per stream for resumption.
     */
    public record Options(Duration sessionIdle, int maxSessions, long retryMillis, int eventsPerStream) {
        public static final Options DEFAULT = new Options(Duration.ofMinutes(30), 10_000, 1000, 1000);
    }

    private final Vertx vertx;
    private final McpServer server;
    private final Options options;
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private final long sweeper;

    public McpStreamableHttp(Vertx vertx, McpServer server, Options options) {
        this.vertx = vertx;
        this.server = server;
        this.options = options;
        long every = Math.max(1000, Math.min(60_000, options.sessionIdle().toMillis() / 4));
        this.sweeper = vertx.setPeriodic(every, id -> sweep());
    }

    public int sessionCount() {
        return sessions.size();
    }

    /** Ends every session and stops the idle sweep. */
    public void close() {
        vertx.cancelTimer(sweeper);
        List.copyOf(sessions.values()).forEach(s -> s.close());
    }

    /** Serves one admitted request; {@code body} is the whole request body (null or empty for GET and DELETE). */
    public void handle(HttpServerRequest req, Buffer body) {
        HttpMethod method = req.method();
        if (method == HttpMethod.POST) {
            post(req, body == null ? "" : body.toString());
        } else if (method == HttpMethod.GET) {
            get(req);
        } else if (method == HttpMethod.DELETE) {
            delete(req);
        } else {
            req.response()
                    .setStatusCode(405)
                    .putHeader("Allow", "GET, POST, DELETE")
                    .end();
        }
    }

    /**
     * As {@link #handle(HttpServerRequest, Buffer)}, reading the body here: more than {@code maxBodyBytes}
     * is refused (413) and the connection closed, nothing beyond the limit is buffered.
     */
    public void handle(HttpServerRequest req, int maxBodyBytes) {
        if (req.method() != HttpMethod.POST) {
            handle(req, (Buffer) null);
            return;
        }
        Buffer body = Buffer.buffer();
        req.handler(chunk -> {
            if (body.length() + chunk.length() > maxBodyBytes) {
                if (!req.response().ended()) {
                    error(
                            req.response().putHeader("Connection", "close"),
                            413,
                            JsonRpcError.INVALID_REQUEST,
                            "Payload Too Large: at most " + maxBodyBytes + " bytes per message");
                }
            } else {
                body.appendBuffer(chunk);
            }
        });
        req.endHandler(v -> {
            if (!req.response().ended()) {
                handle(req, body);
            }
        });
    }

    private void post(HttpServerRequest req, String body) {
        HttpServerResponse res = req.response();
        String contentType = req.getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("application/json")) {
            error(
                    res,
                    415,
                    JsonRpcError.INVALID_REQUEST,
                    "Unsupported Media Type: POST a JSON-RPC message as application/json");
            return;
        }
        Accept accept = Accept.of(req.getHeader("Accept"));
        if (!accept.json && !accept.sse) {
            error(
                    res,
                    406,
                    JsonRpcError.INVALID_REQUEST,
                    "Not Acceptable: accept application/json and text/event-stream");
            return;
        }
        String version = req.getHeader(VERSION_HEADER);
        if (version != null && !ProtocolVersions.ALL.contains(version)) {
            error(
                    res,
                    400,
                    JsonRpcError.INVALID_REQUEST,
                    "Bad Request: unsupported " + VERSION_HEADER + ": " + version);
            return;
        }
        Decoded decoded = JsonRpcCodec.decode(body);
        if (decoded instanceof Decoded.Invalid invalid) {
            String reply = invalid.reply() != null
                    ? invalid.reply().encode()
                    : JsonRpcMessage.Response.error(
                                    Json.MAPPER.nullNode(),
                                    JsonRpcError.INVALID_REQUEST,
                                    "Invalid Request: " + invalid.reason())
                            .encode();
            res.setStatusCode(400).putHeader("Content-Type", "application/json").end(reply);
            return;
        }
        JsonRpcMessage message = ((Decoded.Valid) decoded).message();
        String sid = req.getHeader(SESSION_HEADER);
        HttpSession session;
        if (sid == null) {
            boolean init = message instanceof JsonRpcMessage.Request r && McpMethods.INITIALIZE.equals(r.method());
            boolean stateless =
                    message instanceof JsonRpcMessage.Request r && ProtocolVersions.fromMeta(r.params()) != null;
            if (!init && !stateless) {
                error(
                        res,
                        400,
                        JsonRpcError.INVALID_REQUEST,
                        "Bad Request: " + SESSION_HEADER + " header required (initialize first)");
                return;
            }
            if (sessions.size() >= options.maxSessions()) {
                error(res, 503, JsonRpcError.INTERNAL_ERROR, "Service Unavailable: too many MCP sessions");
                return;
            }
            session = open(!init, req);
            if (init) {
                res.putHeader(SESSION_HEADER, session.id);
            }
        } else {
            session = sessions.get(sid);
            if (session == null) {
                error(
                        res,
                        404,
                        JsonRpcError.INVALID_REQUEST,
                        "Not Found: no session " + sid + " (it ended or never existed; initialize again)");
                return;
            }
        }
        session.touch();
        switch (message) {
            case JsonRpcMessage.Request r -> session.request(r, body, res, accept);
            case JsonRpcMessage.Notification n -> {
                if (McpMethods.CANCELLED.equals(n.method())
                        && n.params() != null
                        && n.params().has("requestId")) {
                    session.cancelled(n.params().get("requestId"));
                }
                session.deliver(body);
                res.setStatusCode(202).end();
            }
            case JsonRpcMessage.Response r -> {
                session.deliver(body);
                res.setStatusCode(202).end();
            }
        }
    }

    private void get(HttpServerRequest req) {
        HttpServerResponse res = req.response();
        if (!Accept.of(req.getHeader("Accept")).sse) {
            error(
                    res,
                    406,
                    JsonRpcError.INVALID_REQUEST,
                    "Not Acceptable: GET opens an SSE stream; accept text/event-stream");
            return;
        }
        HttpSession session = existing(req, res);
        if (session != null) {
            session.touch();
            session.attach(res, req.getHeader("Last-Event-ID"));
        }
    }

    private void delete(HttpServerRequest req) {
        HttpServerResponse res = req.response();
        HttpSession session = existing(req, res);
        if (session != null) {
            session.close();
            res.setStatusCode(200).end();
        }
    }

    private HttpSession existing(HttpServerRequest req, HttpServerResponse res) {
        String sid = req.getHeader(SESSION_HEADER);
        if (sid == null) {
            error(res, 400, JsonRpcError.INVALID_REQUEST, "Bad Request: " + SESSION_HEADER + " header required");
            return null;
        }
        HttpSession session = sessions.get(sid);
        if (session == null) {
            error(res, 404, JsonRpcError.INVALID_REQUEST, "Not Found: no session " + sid);
        }
        return session;
    }

    private HttpSession open(boolean ephemeral, HttpServerRequest req) {
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        HttpSession session =
                new HttpSession(HexFormat.of().formatHex(random), ephemeral, "http " + req.remoteAddress());
        sessions.put(session.id, session);
        server.connect(session);
        return session;
    }

    private void sweep() {
        long now = System.nanoTime();
        long idle = options.sessionIdle().toNanos();
        for (HttpSession s : List.copyOf(sessions.values())) {
            if (now - s.lastActive > idle && !s.hasLiveStream()) {
                s.close();
            }
        }
    }

    private static void error(HttpServerResponse res, int status, int code, String message) {
        res.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(JsonRpcMessage.Response.error(Json.MAPPER.nullNode(), code, message)
                        .encode());
    }

    static String key(JsonNode id) {
        return (id.isNumber() ? "n:" : "s:") + id.asText();
    }

    /** What the client accepts; a missing or wildcard Accept accepts both. */
    private record Accept(boolean json, boolean sse) {
        static Accept of(String header) {
            if (header == null || header.isBlank()) {
                return new Accept(true, true);
            }
            String h = header.toLowerCase(Locale.ROOT);
            boolean any = h.contains("*/*");
            return new Accept(
                    any || h.contains("application/json") || h.contains("application/*"),
                    any || h.contains("text/event-stream") || h.contains("text/*"));
        }
    }

    private record Event(long seq, String data) {}

    /**
     * One SSE stream of a session: a POST's (for one request) or the GET one (number 0). Events are numbered
     * and kept (bounded) so a client can resume it; {@code live} is the HTTP response it is written to now,
     * if any. A POST's stream starts undecided: if the response is all there is to say it goes out as JSON.
     */
    private final class Stream {
        final long no;
        final JsonNode requestId;
        final ArrayDeque<Event> history = new ArrayDeque<>();
        long nextSeq = 1;
        long sentUpTo;
        HttpServerResponse live;
        boolean sse;
        boolean jsonOk;
        boolean done;

        Stream(long no, JsonNode requestId) {
            this.no = no;
            this.requestId = requestId;
        }

        /** Called with the session's lock held. Returns true when the stream is finished and may be forgotten. */
        boolean emit(String frame, boolean last) {
            if (live != null && !sse && last && jsonOk) {
                live.putHeader("Content-Type", "application/json").end(frame);
                live = null;
                done = true;
                return true;
            }
            Event e = new Event(nextSeq++, frame);
            history.addLast(e);
            if (history.size() > options.eventsPerStream()) {
                history.removeFirst();
            }
            done |= last;
            if (live != null) {
                startSse();
                write(e);
                if (last) {
                    live.end();
                    live = null;
                    return true;
                }
            }
            return false;
        }

        void startSse() {
            if (!sse) {
                sse = true;
                live.setChunked(true)
                        .putHeader("Content-Type", "text/event-stream")
                        .putHeader("Cache-Control", "no-cache")
                        .putHeader("X-Accel-Buffering", "no");
                // Priming event: an id (and the retry hint) before anything else, so the client can resume from the
                // start.
                live.write("id: " + no + "/0\nretry: " + options.retryMillis() + "\ndata: \n\n");
            }
        }

        void write(Event e) {
            live.write("id: " + no + "/" + e.seq + "\nevent: message\ndata: " + e.data + "\n\n");
            sentUpTo = Math.max(sentUpTo, e.seq);
        }

        /** Continues this stream on {@code res} after event {@code after}; returns true when it is finished. */
        boolean resume(HttpServerResponse res, long after) {
            live = res;
            sse = false;
            startSse();
            for (Event e : history) {
                if (e.seq > after) {
                    write(e);
                }
            }
            if (done) {
                live.end();
                live = null;
                return true;
            }
            return false;
        }

        void detach(HttpServerResponse res) {
            if (live == res) {
                live = null;
            }
        }

        void end() {
            if (live != null) {
                if (!sse && !live.headWritten()) {
                    live.setStatusCode(202);
                }
                live.end();
                live = null;
            }
        }
    }

    /** One Streamable HTTP session, seen by its {@link McpServerSession} as its {@link Transport}. */
    private final class HttpSession implements Transport {
        final String id;
        final boolean ephemeral;
        final String description;
        final Map<String, Stream> byRequest = new HashMap<>();
        final Map<Long, Stream> byNumber = new HashMap<>();
        final Stream standalone = new Stream(0, null);
        final AtomicLong streamNumbers = new AtomicLong();
        final List<String> early = new ArrayList<>();
        volatile long lastActive = System.nanoTime();
        volatile Listener listener;
        volatile boolean closed;

        HttpSession(String id, boolean ephemeral, String description) {
            this.id = id;
            this.ephemeral = ephemeral;
            this.description = description;
            byNumber.put(0L, standalone);
        }

        void touch() {
            lastActive = System.nanoTime();
        }

        synchronized boolean hasLiveStream() {
            return byNumber.values().stream().anyMatch(s -> s.live != null);
        }

        void request(JsonRpcMessage.Request r, String body, HttpServerResponse res, Accept accept) {
            String key = key(r.id());
            synchronized (this) {
                if (byRequest.containsKey(key)) {
                    res.setStatusCode(400)
                            .putHeader("Content-Type", "application/json")
                            .end(JsonRpcMessage.Response.error(
                                            r.id(),
                                            JsonRpcError.INVALID_REQUEST,
                                            "Invalid Request: id " + r.id()
                                                    + " is already in use by a request in flight")
                                    .encode());
                    return;
                }
                Stream s = new Stream(streamNumbers.incrementAndGet(), r.id());
                s.live = res;
                s.jsonOk = accept.json || !accept.sse;
                byRequest.put(key, s);
                byNumber.put(s.no, s);
                res.closeHandler(v -> detach(s, res));
            }
            deliver(body);
        }

        private synchronized void detach(Stream s, HttpServerResponse res) {
            s.detach(res);
        }

        void deliver(String frame) {
            Listener l;
            synchronized (early) {
                l = listener;
                if (l == null) {
                    early.add(frame);
                    return;
                }
            }
            l.onMessage(frame);
        }

        /** The client cancelled a request: it gets no response, so its stream ends now. */
        synchronized void cancelled(JsonNode requestId) {
            Stream s = byRequest.remove(key(requestId));
            if (s != null) {
                byNumber.remove(s.no);
                s.end();
            }
        }

        synchronized void attach(HttpServerResponse res, String lastEventId) {
            if (lastEventId == null || lastEventId.isBlank()) {
                if (standalone.live != null) {
                    error(
                            res,
                            409,
                            JsonRpcError.INVALID_REQUEST,
                            "Conflict: this session's GET stream is already open");
                    return;
                }
                res.closeHandler(v -> detach(standalone, res));
                standalone.resume(res, standalone.sentUpTo);
                return;
            }
            int slash = lastEventId.indexOf('/');
            Stream s = null;
            long after = 0;
            try {
                s = byNumber.get(Long.parseLong(lastEventId.substring(0, Math.max(0, slash))));
                after = Long.parseLong(lastEventId.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                // unknown id: answered below
            }
            if (s == null || slash < 0) {
                error(res, 404, JsonRpcError.INVALID_REQUEST, "Not Found: no stream for Last-Event-ID " + lastEventId);
                return;
            }
            if (s.live != null) {
                s.live.end();
                s.live = null;
            }
            Stream stream = s;
            res.closeHandler(v -> detach(stream, res));
            if (s.resume(res, after) && s != standalone) {
                forget(s);
            }
        }

        private void forget(Stream s) {
            byNumber.remove(s.no);
            byRequest.remove(key(s.requestId));
            if (ephemeral && byRequest.isEmpty()) {
                vertx.runOnContext(v -> close());
            }
        }

        @Override
        public void start(Listener l) {
            List<String> pending;
            synchronized (early) {
                pending = List.copyOf(early);
                early.clear();
                listener = l;
            }
            pending.forEach(l::onMessage);
        }

        @Override
        public CompletionStage<Void> send(String frame) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("session ended"));
            }
            synchronized (this) {
                standalone.emit(frame, false);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> send(String frame, JsonNode related, boolean response) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("session ended"));
            }
            synchronized (this) {
                Stream s = byRequest.get(key(related));
                if (s == null) {
                    if (!response) {
                        standalone.emit(frame, false);
                    }
                } else if (s.emit(frame, response) && response) {
                    forget(s);
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized boolean closeRequestStream(JsonNode related, long retryMillis) {
            Stream s = byRequest.get(key(related));
            if (s == null || s.live == null) {
                return false;
            }
            if (s.sse) {
                s.live.write("retry: " + retryMillis + "\n\n");
            }
            s.startSse();
            s.live.end();
            s.live = null;
            return true;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                byNumber.values().forEach(Stream::end);
                byNumber.clear();
                byRequest.clear();
            }
            sessions.remove(id, this);
            Listener l = listener;
            if (l != null) {
                l.onClose("session ended");
            }
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public String describe() {
            return description;
        }
    }
}
