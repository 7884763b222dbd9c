package io.thinkloop.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.thinkloop.json.Json;
import io.thinkloop.model.ErrorCode;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of the API under {@code /v1} in the documented shape {@code {code, message, retryable}}
 * (docs/protocol.md): JAX-RS exceptions (unmatched routes, wrong methods and media types, bodies that are
 * not the JSON an endpoint takes) and unexpected exceptions through exception mappers; a path no route
 * serves and failures in plain Vert.x routes through a last route and a failure handler. The
 * OpenAI-compatible endpoints keep their own (OpenAI's) error envelope and are left alone.
 */
@ApplicationScoped
public class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);
    /** Served by {@link OpenAiRoutes} with OpenAI's error envelope. */
    private static final Set<String> OPENAI_PATHS = Set.of("/v1/chat/completions", "/v1/models", "/v1/completions");

    /** A JSON error body in the API's shape. */
    static String body(ErrorCode code, String message, boolean retryable) {
        return Json.MAPPER
                .createObjectNode()
                .put("code", code.wireName())
                .put("message", message)
                .put("retryable", retryable)
                .toString();
    }

    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 400 -> ErrorCode.INVALID_REQUEST;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 406 -> ErrorCode.NOT_ACCEPTABLE;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
        };
    }

    private static Response json(int status, ErrorCode code, String message, boolean retryable) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(body(code, message, retryable))
                .build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return invalidJson(json);
        }
        if (status >= 500) {
            LOG.errorf(e, "request failed with %d", status);
        }
        Response.ResponseBuilder r = Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(body(codeFor(status), message(e, status), status == 503 || status == 429));
        if (e.getResponse() != null && e.getResponse().getHeaderString("Allow") != null) {
            r.header("Allow", e.getResponse().getHeaderString("Allow"));
        }
        return r.build();
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return invalidJson(e);
    }

    @ServerExceptionMapper
    public Response invalidJson(JsonProcessingException e) {
        return json(
                400,
                ErrorCode.INVALID_JSON,
                "the request body is not the JSON this endpoint takes: " + e.getOriginalMessage(),
                false);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (clientWentAway(e)) {
            // the client closed the connection mid-request: nobody to answer, nothing wrong here
            LOG.debugf("request abandoned by its client: %s", e);
            return json(400, ErrorCode.CLIENT_CLOSED, "the client closed the connection", true);
        }
        LOG.errorf(e, "unexpected failure of a request");
        return json(
                500,
                ErrorCode.INTERNAL_ERROR,
                "the request failed unexpectedly (" + e.getClass().getSimpleName() + "); see the service log",
                true);
    }

    /** An I/O failure of the connection itself (closed or reset by the peer), anywhere in the cause chain. */
    static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof HttpClosedException
                    || t instanceof ClosedChannelException
                    || m.contains("Connection was closed")
                    || (t instanceof IOException && (m.contains("Connection reset") || m.contains("Broken pipe")))) {
                return true;
            }
        }
        return false;
    }

    private static String message(WebApplicationException e, int status) {
        String m = e.getMessage();
        if (m == null || m.isBlank() || m.startsWith("HTTP " + status)) {
            return switch (status) {
                case 404 -> "no such resource";
                case 405 -> "this method is not allowed here";
                case 415 -> "send the body as application/json";
                default -> "the request cannot be served (" + status + ")";
            };
        }
        return m;
    }

    /** After every other route: a {@code /v1} path that nothing served is a JSON 404; failures answer JSON too. */
    void register(@Observes Router router) {
        router.routeWithRegex("/v1(/.*)?").order(Integer.MAX_VALUE - 10).handler(rc -> {
            if (OPENAI_PATHS.contains(rc.normalizedPath())) {
                rc.next();
                return;
            }
            end(
                    rc,
                    404,
                    ErrorCode.NOT_FOUND,
                    "no resource at " + rc.request().method() + " " + rc.normalizedPath(),
                    false);
        });
        router.routeWithRegex("/v1(/.*)?").failureHandler(this::failure);
    }

    private void failure(RoutingContext rc) {
        if (rc.response().headWritten() || OPENAI_PATHS.contains(rc.normalizedPath())) {
            rc.next();
            return;
        }
        int status = rc.statusCode() > 0 ? rc.statusCode() : 500;
        if (status >= 500) {
            LOG.errorf(rc.failure(), "request %s %s failed", rc.request().method(), rc.normalizedPath());
        }
        String message = status >= 500
                ? "the request failed unexpectedly; see the service log"
                : rc.failure() != null && rc.failure().getMessage() != null
                        ? rc.failure().getMessage()
                        : "the request cannot be served";
        end(rc, status, codeFor(status), message, status >= 500);
    }

    private static void end(RoutingContext rc, int status, ErrorCode code, String message, boolean retryable) {
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body(code, message, retryable));
    }
}
