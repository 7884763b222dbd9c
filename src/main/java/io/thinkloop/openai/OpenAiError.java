package io.thinkloop.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ErrorCode;
import java.time.Duration;
import java.util.List;

/** An error answered in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status. */
public final class OpenAiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    private final Duration retryAfter;

    public OpenAiError(int status, String type, String param, String code, String message) {
        this(status, type, param, code, message, null);
    }

    /** With {@code retryAfter}: the endpoint sends it as {@code Retry-After} (seconds). */
    public OpenAiError(int status, String type, String param, String code, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /** 404 {@code model_not_found}: the request named a model no backend serves. */
    public static OpenAiError modelNotFound(String model, List<String> offered) {
        return new OpenAiError(
                404,
                "invalid_request_error",
                "model",
                "model_not_found",
                "The model '" + model + "' does not exist; GET /v1/models lists the offered ones: " + offered);
    }

    /** When the client may try again, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public String code() {
        return code;
    }

    /** 400 {@code invalid_request_error} about {@code param}. */
    public static OpenAiError invalid(String param, String message) {
        return new OpenAiError(400, "invalid_request_error", param, null, message);
    }

    /** A backend failure, with the status a client can act on (429 retry later, 503 unavailable, 504 timeout). */
    public static OpenAiError from(BackendException e) {
        int status;
        String type = "server_error";
        String param = null;
        if (e.code() == ErrorCode.RATE_LIMITED || e.code() == ErrorCode.BUSY || e.httpStatus() == 429) {
            // busy: the embedded model's queue is full, a rate limit in effect (never a 500)
            return new OpenAiError(
                    429,
                    "rate_limit_error",
                    null,
                    e.code().wireName(),
                    e.getMessage(),
                    e.retryAfter() != null ? e.retryAfter() : Duration.ofSeconds(1));
        } else if (e.code() == ErrorCode.CONTEXT_LENGTH_EXCEEDED) {
            status = 400;
            type = "invalid_request_error";
            param = "messages";
        } else if (e.code() == ErrorCode.CIRCUIT_OPEN || e.code() == ErrorCode.NOT_CONFIGURED) {
            status = 503;
        } else if (e.code().wireName().endsWith("timeout")) {
            status = 504;
        } else if (e.httpStatus() >= 400 && e.httpStatus() < 500) {
            status = e.httpStatus();
            type = "invalid_request_error";
        } else {
            status = 502;
        }
        return new OpenAiError(status, type, param, e.code().wireName(), e.getMessage());
    }

    public int status() {
        return status;
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", param);
        }
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        return root;
    }
}
