package io.thinkloop.api;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.smallrye.mutiny.Uni;
import io.thinkloop.agent.AgentService;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.session.ClientMessage;
import io.thinkloop.session.EventEnvelope;
import io.thinkloop.session.EventSubscriber;
import io.thinkloop.session.JournalWriteException;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The agent session over WebSocket: {@code /v1/sessions/{id}/ws[?lastSeq=N]} (an unknown id creates the
 * session). Handlers run on virtual threads (they touch the journal), one message at a time per
 * connection; sending is asynchronous, so no handler ever holds an event loop. See {@code docs/protocol.md}.
 */
@WebSocket(path = "/v1/sessions/{id}/ws")
public class SessionSocket {
    private static final Logger LOG = Logger.getLogger(SessionSocket.class);
    /** Close code telling a client it fell behind and should reconnect with its last seq. */
    public static final int CLOSE_SLOW_CONSUMER = 4008;

    @Inject
    SessionManager sessions;

    @Inject
    ClientCommands commands;

    @ConfigProperty(name = "thinkloop.ws.max-message-size", defaultValue = "65536")
    int maxMessageChars;

    @ConfigProperty(name = "thinkloop.ws.rate-limit", defaultValue = "20")
    double ratePerSecond;

    private final Map<String, Conn> connections = new ConcurrentHashMap<>();

    /** One open connection: its session, its current subscription and its limits. */
    private final class Conn {
        final WebSocketConnection ws;
        final Session session;
        final ConnectionLimits limits = new ConnectionLimits(maxMessageChars, ratePerSecond);
        volatile EventSubscriber subscriber;
        volatile boolean rateWarned;

        Conn(WebSocketConnection ws, Session session) {
            this.ws = ws;
            this.session = session;
        }

        void subscribe(long lastSeq) {
            EventSubscriber old = subscriber;
            if (old != null) {
                session.unsubscribe(old);
            }
            EventSubscriber s = new EventSubscriber(sessions.subscriberBuffer()) {
                @Override
                protected Uni<Void> send(String json) {
                    return ws.sendText(json);
                }

                @Override
                protected void overflow() {
                    LOG.infof(
                            "session %s: connection %s fell behind, closing it (client resumes with lastSeq)",
                            session.id(), ws.id());
                    ws.close(new CloseReason(CLOSE_SLOW_CONSUMER, "slow consumer: reconnect with lastSeq"))
                            .subscribe()
                            .with(v -> {}, e -> {});
                }

                @Override
                protected void failed(Throwable error) {
                    super.failed(error);
                    if (ws.isOpen()) { // e.g. the replay could not read the journal: the client resumes
                        ws.close(new CloseReason(1011, "replay failed: reconnect with lastSeq"))
                                .subscribe()
                                .with(v -> {}, e -> {});
                    }
                }
            };
            subscriber = s;
            session.subscribe(s, lastSeq);
        }

        /** An error for this connection only: seq 0, not journaled. */
        void reject(ServerEvent.Error error) {
            String json = new EventEnvelope(session.id(), null, 0, Instant.now(), error).toJsonText();
            ws.sendText(json).subscribe().with(v -> {}, e -> {});
        }
    }

    @OnOpen
    @RunOnVirtualThread
    public void open(WebSocketConnection ws) {
        String id = ws.pathParam("id");
        if (!SessionManager.validId(id)) {
            String json = new EventEnvelope(
                            String.valueOf(id),
                            null,
                            0,
                            Instant.now(),
                            ServerEvent.Error.of(
                                    ErrorCode.INVALID_SESSION_ID,
                                    "session ids are letters, digits, '_', '-', '.' (at most 128)"))
                    .toJsonText();
            ws.sendText(json)
                    .chain(() -> ws.close(new CloseReason(1008, "invalid session id")))
                    .subscribe()
                    .with(v -> {}, e -> {});
            return;
        }
        SessionManager.Opened opened;
        try {
            opened = sessions.getOrCreate(id);
        } catch (JournalWriteException e) {
            LOG.errorf("session %s: %s", id, e.getMessage());
            String json = new EventEnvelope(
                            id,
                            null,
                            0,
                            Instant.now(),
                            new ServerEvent.Error(
                                    JournalWriteException.CODE,
                                    "the session store cannot be written (see /q/health/ready)",
                                    true))
                    .toJsonText();
            ws.sendText(json)
                    .chain(() -> ws.close(new CloseReason(1011, "session store unavailable")))
                    .subscribe()
                    .with(v -> {}, e2 -> {});
            return;
        }
        Conn conn = new Conn(ws, opened.session());
        connections.put(ws.id(), conn);
        long lastSeq = -1;
        String q = queryParam(ws.handshakeRequest().query(), "lastSeq");
        if (q != null) {
            try {
                lastSeq = Long.parseLong(q);
            } catch (NumberFormatException e) {
                conn.reject(ServerEvent.Error.of(ErrorCode.INVALID_MESSAGE, "lastSeq must be a number"));
            }
        } else if (opened.created()) {
            lastSeq = 0; // a new session's client sees session.created
        }
        conn.subscribe(lastSeq);
    }

    @OnTextMessage
    @RunOnVirtualThread
    public void message(String text, WebSocketConnection ws) {
        Conn conn = connections.get(ws.id());
        if (conn == null) {
            return;
        }
        if (!conn.limits.allow()) {
            if (!conn.rateWarned) {
                conn.rateWarned = true;
                conn.reject(ServerEvent.Error.of(
                        ErrorCode.RATE_LIMITED,
                        "more than " + ratePerSecond
                                + " messages per second; messages are dropped until the rate falls"));
            }
            return;
        }
        conn.rateWarned = false;
        if (conn.limits.tooLarge(text)) {
            conn.reject(ServerEvent.Error.of(
                    ErrorCode.MESSAGE_TOO_LARGE,
                    "messages are limited to " + conn.limits.maxMessageChars()
                            + " characters (thinkloop.ws.max-message-size)"));
            return;
        }
        switch (commands.decode(text)) {
            case ClientCommands.Bad bad -> conn.reject(bad.error());
            case ClientCommands.Ok ok -> handle(conn, ok.message());
        }
    }

    private void handle(Conn conn, ClientMessage message) {
        ServerEvent.Error error = switch (message) {
            case ClientMessage.UserMessage m -> {
                AgentService.Started started =
                        commands.userMessage(conn.session, m.content(), m.includeTokens(), m.sampling());
                yield started.refused();
            }
            case ClientMessage.Cancel c -> commands.cancel(conn.session);
            case ClientMessage.Approve a -> commands.decide(conn.session, a.toolCallId(), true, null);
            case ClientMessage.Deny d -> commands.decide(conn.session, d.toolCallId(), false, d.reason());
            case ClientMessage.ElicitationRespond r ->
                commands.respondElicitation(conn.session, r.elicitationId(), r.action(), r.content());
            case ClientMessage.Resume r -> {
                conn.subscribe(Math.max(0, r.lastSeq()));
                yield null;
            }
        };
        if (error != null) {
            conn.reject(error);
        }
    }

    @OnClose
    @RunOnVirtualThread
    public void close(WebSocketConnection ws) {
        Conn conn = connections.remove(ws.id());
        if (conn != null && conn.subscriber != null) {
            conn.session.unsubscribe(conn.subscriber);
        }
    }

    @OnError
    public void error(WebSocketConnection ws, Throwable error) {
        LOG.debugf(error, "websocket %s failed", ws.id());
        Conn conn = connections.get(ws.id());
        if (conn != null) {
            conn.reject(ServerEvent.Error.of(ErrorCode.INTERNAL_ERROR, String.valueOf(error.getMessage())));
        }
    }

    public int openConnections() {
        return connections.size();
    }

    static String queryParam(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            if (k.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
