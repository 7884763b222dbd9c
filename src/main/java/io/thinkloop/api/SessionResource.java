package io.thinkloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.thinkloop.agent.AgentService;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.SamplingSettings;
import io.thinkloop.session.EventSubscriber;
import io.thinkloop.session.JournalWriteException;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sessions over plain HTTP: create, list, get, delete, transcript; send a user message, cancel, approve
 * or deny; and the same event stream as WebSocket clients get, as Server-Sent Events (each SSE {@code id}
 * is the event's seq, so a reconnecting EventSource resumes by itself with {@code Last-Event-ID}).
 */
@Path("/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {
    private static final Logger LOG = Logger.getLogger(SessionResource.class);

    @Inject
    SessionManager sessions;

    @Inject
    ClientCommands commands;

    @ConfigProperty(name = "thinkloop.ws.max-message-size", defaultValue = "65536")
    int maxMessageChars;

    @ConfigProperty(name = "thinkloop.sse.heartbeat", defaultValue = "20s")
    Duration heartbeat;

    public record SessionInfo(
            String id, Instant createdAt, Instant updatedAt, long lastSeq, int messages, String activeTurnId) {
        static SessionInfo of(Session s) {
            return of(SessionManager.Summary.of(s));
        }

        static SessionInfo of(SessionManager.Summary s) {
            return new SessionInfo(s.id(), s.createdAt(), s.updatedAt(), s.lastSeq(), s.messages(), s.activeTurnId());
        }
    }

    /**
     * One page of the session list, in id order: {@code nextCursor} (null on the last page) continues it;
     * {@code skipped} names sessions whose files could not be read, instead of failing the list.
     */
    public record SessionList(List<SessionInfo> sessions, String nextCursor, List<SessionManager.Skipped> skipped) {}

    public record CreateRequest(String id) {}

    /** The body of {@code POST .../messages}: as the socket's {@code user_message}, without a type. */
    public record UserMessageRequest(String content, SamplingSettings sampling) {}

    public record DecisionRequest(boolean approved, String reason) {}

    public record ElicitationAnswer(String action, JsonNode content) {}

    public record Transcript(String sessionId, List<ChatMessage> messages) {}

    public record Accepted(String sessionId, String turnId) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateRequest request) {
        String id = request == null ? null : request.id();
        if (id != null && !id.isBlank() && !SessionManager.validId(id)) {
            return error(
                    400,
                    ServerEvent.Error.of(
                            ErrorCode.INVALID_SESSION_ID,
                            "session ids are letters, digits, '_', '-', '.' (at most 128)"));
        }
        try {
            if (id == null || id.isBlank()) {
                return Response.status(201)
                        .entity(SessionInfo.of(sessions.create()))
                        .build();
            }
            SessionManager.Opened opened = sessions.getOrCreate(id);
            return Response.status(opened.created() ? 201 : 200)
                    .entity(SessionInfo.of(opened.session()))
                    .build();
        } catch (JournalWriteException e) {
            LOG.errorf("could not create a session: %s", e.getMessage());
            return error(
                    503,
                    new ServerEvent.Error(
                            JournalWriteException.CODE,
                            "the session store cannot be written (see /q/health/ready)",
                            true));
        }
    }

    /** A page of sessions ({@code limit}: 1 to 1000, default 100; {@code cursor}: the previous page's {@code nextCursor}). */
    @GET
    @Blocking // reads metadata files
    public Response list(@QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
        if (limit != null && (limit < 1 || limit > SessionManager.MAX_PAGE)) {
            return error(
                    400,
                    ServerEvent.Error.of(ErrorCode.INVALID_REQUEST, "limit must be 1 to " + SessionManager.MAX_PAGE));
        }
        if (cursor != null && !cursor.isEmpty() && !SessionManager.validId(cursor)) {
            return error(
                    400,
                    ServerEvent.Error.of(ErrorCode.INVALID_REQUEST, "cursor must be a nextCursor of an earlier page"));
        }
        SessionManager.Page page = sessions.page(
                cursor == null || cursor.isEmpty() ? null : cursor,
                limit == null ? SessionManager.DEFAULT_PAGE : limit);
        return Response.ok(new SessionList(
                        page.sessions().stream().map(SessionInfo::of).toList(), page.nextCursor(), page.skipped()))
                .build();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return sessions.find(id)
                .map(s -> Response.ok(SessionInfo.of(s)).build())
                .orElseGet(() -> notFound(id));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        return sessions.delete(id) ? Response.noContent().build() : notFound(id);
    }

    @GET
    @Path("{id}/transcript")
    public Response transcript(@PathParam("id") String id) {
        return sessions.find(id)
                .map(s -> Response.ok(new Transcript(s.id(), s.history())).build())
                .orElseGet(() -> notFound(id));
    }

    @POST
    @Path("{id}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response userMessage(@PathParam("id") String id, UserMessageRequest request) {
        var session = sessions.find(id);
        if (session.isEmpty()) {
            return notFound(id);
        }
        if (request != null && request.content() != null && request.content().length() > maxMessageChars) {
            return error(
                    413,
                    new ServerEvent.Error(
                            ErrorCode.MESSAGE_TOO_LARGE,
                            "messages are limited to " + maxMessageChars
                                    + " characters (thinkloop.ws.max-message-size), as on the session socket",
                            false));
        }
        AgentService.Started started = commands.userMessage(
                session.get(),
                request == null ? null : request.content(),
                false,
                request == null ? null : request.sampling());
        if (started.refused() != null) {
            return error(started.refused().retryable() ? 409 : 400, started.refused());
        }
        return Response.status(202).entity(new Accepted(id, started.turnId())).build();
    }

    @POST
    @Path("{id}/cancel")
    public Response cancel(@PathParam("id") String id) {
        var session = sessions.find(id);
        if (session.isEmpty()) {
            return notFound(id);
        }
        ServerEvent.Error e = commands.cancel(session.get());
        return e == null ? Response.accepted().build() : error(409, e);
    }

    @POST
    @Path("{id}/approvals/{toolCallId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response decide(
            @PathParam("id") String id, @PathParam("toolCallId") String toolCallId, DecisionRequest request) {
        var session = sessions.find(id);
        if (session.isEmpty()) {
            return notFound(id);
        }
        boolean approved = request != null && request.approved();
        ServerEvent.Error e =
                commands.decide(session.get(), toolCallId, approved, request == null ? null : request.reason());
        return e == null ? Response.accepted().build() : error(404, e);
    }

    @POST
    @Path("{id}/elicitations/{elicitationId}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response respondElicitation(
            @PathParam("id") String id, @PathParam("elicitationId") String elicitationId, ElicitationAnswer answer) {
        var session = sessions.find(id);
        if (session.isEmpty()) {
            return notFound(id);
        }
        ServerEvent.Error e = commands.respondElicitation(
                session.get(),
                elicitationId,
                answer == null ? null : answer.action(),
                answer == null ? null : answer.content());
        if (e == null) {
            return Response.accepted().build();
        }
        return error(e.code() == ErrorCode.UNKNOWN_ELICITATION ? 404 : 400, e);
    }

    /** The event stream after {@code lastSeq} (or {@code Last-Event-ID}; neither: only new events). */
    @GET
    @Blocking // finding the session may load it from disk
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(
            @PathParam("id") String id,
            @QueryParam("lastSeq") Long lastSeq,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context Sse sse,
            @Context HttpServerResponse response) {
        Session session = sessions.find(id).orElseThrow(() -> new NotFoundException("no session " + id));
        long after = lastSeq != null ? lastSeq : parseOr(lastEventId, -1);
        SseSubscriber subscriber = new SseSubscriber(session, after, sessions.subscriberBuffer());
        Multi<OutboundSseEvent> stream = Multi.createFrom()
                .publisher(subscriber)
                .map(json -> {
                    long seq = seqOf(json);
                    var event = sse.newEventBuilder().data(json);
                    return (seq > 0 ? event.id(Long.toString(seq)) : event).build(); // seq 0 is not resumable
                });
        return withHeartbeat(stream, sse, response, new AtomicReference<>(subscriber::cancel));
    }

    /**
     * A comment line every {@code thinkloop.sse.heartbeat} while the stream is open: it keeps a quiet
     * stream inside {@code quarkus.http.idle-timeout} (and through proxies), and a vanished client is
     * noticed at the next write instead of never. EventSource clients ignore comments. Each beat also
     * checks the connection: a write to a reset connection can leave the REST layer's stream stalled
     * without cancelling it, and the session would keep feeding a subscriber nobody reads.
     */
    private Multi<OutboundSseEvent> withHeartbeat(
            Multi<OutboundSseEvent> stream, Sse sse, HttpServerResponse response, AtomicReference<Runnable> stop) {
        Multi<OutboundSseEvent> beats = Multi.createFrom()
                .ticks()
                .every(heartbeat)
                .onItem()
                .invoke(t -> {
                    if (response != null && response.closed()) {
                        stop.get().run();
                    }
                })
                .onOverflow()
                .drop()
                .map(t -> sse.newEventBuilder().comment("keep-alive").build());
        return Multi.createBy().merging().streams(stream, beats);
    }

    /**
     * The session's events as a Reactive Streams publisher with real demand: an event is handed over only
     * when the SSE writer asked for one, so a slow reader fills the subscriber's bounded queue (and is
     * dropped) instead of a buffer in between; the replay streams from the journal in batches.
     */
    private static final class SseSubscriber extends EventSubscriber
            implements Flow.Publisher<String>, Flow.Subscription {
        private final Session session;
        private final long after;
        private Flow.Subscriber<? super String> downstream;
        private long demand;
        private String pending;
        private CompletableFuture<Void> pendingSent;
        private boolean done;

        SseSubscriber(Session session, long after, int buffer) {
            super(buffer);
            this.session = session;
            this.after = after;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super String> s) {
            synchronized (this) {
                if (downstream != null) {
                    s.onSubscribe(this);
                    s.onError(new IllegalStateException("one subscriber only"));
                    return;
                }
                downstream = s;
            }
            s.onSubscribe(this);
            session.subscribe(this, after);
        }

        @Override
        protected Uni<Void> send(String json) {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            boolean now;
            synchronized (this) {
                if (done) {
                    return Uni.createFrom().failure(new IllegalStateException("cancelled"));
                }
                now = demand > 0;
                if (now) {
                    demand--;
                } else {
                    pending = json;
                    pendingSent = sent;
                }
            }
            if (now) {
                downstream.onNext(json);
                sent.complete(null);
            }
            return Uni.createFrom().completionStage(sent);
        }

        @Override
        public void request(long n) {
            String p = null;
            CompletableFuture<Void> f = null;
            synchronized (this) {
                if (n <= 0 || done) {
                    return;
                }
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                if (pending != null) {
                    p = pending;
                    f = pendingSent;
                    pending = null;
                    pendingSent = null;
                    demand--;
                }
            }
            if (p != null) {
                downstream.onNext(p);
                f.complete(null);
            }
        }

        @Override
        public void cancel() {
            synchronized (this) {
                done = true;
                pending = null;
            }
            session.unsubscribe(this);
        }

        @Override
        protected void overflow() {
            terminate(new IllegalStateException("slow consumer: reconnect with lastSeq"));
        }

        @Override
        protected void failed(Throwable error) {
            super.failed(error);
            terminate(error);
        }

        private void terminate(Throwable error) {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
            }
            session.unsubscribe(this);
            downstream.onError(error);
        }
    }

    private static long parseOr(String s, long dflt) {
        try {
            return s == null ? dflt : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static long seqOf(String json) {
        int i = json.indexOf("\"seq\":");
        if (i < 0) {
            return 0;
        }
        int end = i + 6;
        while (end < json.length() && Character.isDigit(json.charAt(end))) {
            end++;
        }
        return Long.parseLong(json, i + 6, end, 10);
    }

    private static Response notFound(String id) {
        return error(404, ServerEvent.Error.of(ErrorCode.SESSION_NOT_FOUND, "no session " + id));
    }

    private static Response error(int status, ServerEvent.Error e) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(e)
                .build();
    }
}
