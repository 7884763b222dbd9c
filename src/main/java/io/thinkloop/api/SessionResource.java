package io.thinkloop.api;

import jakarta.ws.rs.NotFoundException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.thinkloop.agent.AgentService;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.SamplingSettings;
import io.thinkloop.session.EventSubscriber;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Sessions over plain HTTP: create, list, get, delete, transcript; send a user message, cancel, approve
 * or deny; and the same event stream as WebSocket clients get, as Server-Sent Events (each SSE {@code id}
 * is the event's seq, so a reconnecting EventSource resumes by itself with {@code Last-Event-ID}).
 */
@Path("/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionResource {

    @Inject
    SessionManager sessions;
    @Inject
    ClientCommands commands;
    @ConfigProperty(name = "thinkloop.ws.max-message-size", defaultValue = "65536")
    int maxMessageChars;
    @ConfigProperty(name = "thinkloop.sse.heartbeat", defaultValue = "20s")
    Duration heartbeat;

    public record SessionInfo(String id, Instant createdAt, long lastSeq, int messages, String activeTurnId) {
        static SessionInfo of(Session s) {
            var t = s.activeTurn();
            return new SessionInfo(s.id(), s.createdAt(), s.lastSeq(), s.history().size(), t == null ? null : t.turnId());
        }
    }

    public record CreateRequest(String id) {
    }

    /** The body of {@code POST .../messages}: as the socket's {@code user_message}, without a type. */
    public record UserMessageRequest(String content, SamplingSettings sampling) {
    }

    public record DecisionRequest(boolean approved, String reason) {
    }

    public record Transcript(String sessionId, List<ChatMessage> messages) {
    }

    public record Accepted(String sessionId, String turnId) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateRequest request) {
        String id = request == null ? null : request.id();
        if (id == null || id.isBlank()) {
            return Response.status(201).entity(SessionInfo.of(sessions.create())).build();
        }
        if (!SessionManager.validId(id)) {
            return error(400, ServerEvent.Error.of(ErrorCode.INVALID_SESSION_ID, "session ids are letters, digits, '_', '-', '.' (at most 128)"));
        }
        SessionManager.Opened opened = sessions.getOrCreate(id);
        return Response.status(opened.created() ? 201 : 200).entity(SessionInfo.of(opened.session())).build();
    }

    @GET
    public List<SessionInfo> list() {
        return sessions.list().stream().map(SessionInfo::of).toList();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return sessions.find(id).map(s -> Response.ok(SessionInfo.of(s)).build()).orElseGet(() -> notFound(id));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        return sessions.delete(id) ? Response.noContent().build() : notFound(id);
    }

    @GET
    @Path("{id}/transcript")
    public Response transcript(@PathParam("id") String id) {
        return sessions.find(id).map(s -> Response.ok(new Transcript(s.id(), s.history())).build()).orElseGet(() -> notFound(id));
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
            return error(413, new ServerEvent.Error(ErrorCode.MESSAGE_TOO_LARGE, "messages are limited to " + maxMessageChars
                    + " characters (thinkloop.ws.max-message-size), as on the session socket", false));
        }
        AgentService.Started started = commands.userMessage(
                session.get(), request == null ? null : request.content(), false, request == null ? null : request.sampling());
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
    public Response decide(@PathParam("id") String id, @PathParam("toolCallId") String toolCallId, DecisionRequest request) {
        var session = sessions.find(id);
        if (session.isEmpty()) {
            return notFound(id);
        }
        boolean approved = request != null && request.approved();
        ServerEvent.Error e = commands.decide(session.get(), toolCallId, approved, request == null ? null : request.reason());
        return e == null ? Response.accepted().build() : error(404, e);
    }

    /** The event stream after {@code lastSeq} (or {@code Last-Event-ID}; neither: only new events). */
    @GET
    @Blocking // finding the session may load it from disk
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @QueryParam("lastSeq") Long lastSeq,
                                          @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse,
                                          @Context HttpServerResponse response) {
        Session session = sessions.find(id).orElseThrow(() -> new NotFoundException("no session " + id));
        long after = lastSeq != null ? lastSeq : parseOr(lastEventId, -1);
        int buffer = sessions.subscriberBuffer();
        AtomicReference<Runnable> stop = new AtomicReference<>(() -> { });
        Multi<OutboundSseEvent> stream = Multi.createFrom().<String>emitter(emitter -> {
                    EventSubscriber subscriber = new EventSubscriber(buffer) {
                        @Override
                        protected Uni<Void> send(String json) {
                            emitter.emit(json);
                            return Uni.createFrom().voidItem();
                        }

                        @Override
                        protected void overflow() {
                            emitter.complete(); // the stream ends; EventSource reconnects with Last-Event-ID
                        }
                    };
                    emitter.onTermination(() -> session.unsubscribe(subscriber));
                    stop.set(() -> {
                        session.unsubscribe(subscriber);
                        emitter.complete();
                    });
                    session.subscribe(subscriber, after);
                    if (emitter.isCancelled() || (response != null && response.closed())) {
                        session.unsubscribe(subscriber); // the client left before the subscription was in place
                    }
                }, BackPressureStrategy.BUFFER)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) // replay reads the journal
                .onOverflow().buffer(buffer)
                .map(json -> sse.newEventBuilder().id(Long.toString(seqOf(json))).data(json).build());
        return withHeartbeat(stream, sse, response, stop);
    }

    /**
     * A comment line every {@code thinkloop.sse.heartbeat} while the stream is open: it keeps a quiet
     * stream inside {@code quarkus.http.idle-timeout} (and through proxies), and a vanished client is
     * noticed at the next write instead of never. EventSource clients ignore comments. Each beat also
     * checks the connection: a write to a reset connection can leave the REST layer's stream stalled
     * without cancelling it, and the session would keep feeding a subscriber nobody reads.
     */
    private Multi<OutboundSseEvent> withHeartbeat(Multi<OutboundSseEvent> stream, Sse sse, HttpServerResponse response,
                                                  AtomicReference<Runnable> stop) {
        Multi<OutboundSseEvent> beats = Multi.createFrom().ticks().every(heartbeat)
                .onItem().invoke(t -> {
                    if (response != null && response.closed()) {
                        stop.get().run();
                    }
                })
                .onOverflow().drop()
                .map(t -> sse.newEventBuilder().comment("keep-alive").build());
        return Multi.createBy().merging().streams(stream, beats);
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
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(e).build();
    }
}
