package io.thinkloop.openai;

import io.thinkloop.model.CompletionRequest;

/**
 * A validated {@code POST /v1/chat/completions}: the backend request plus what shapes the answer.
 *
 * @param model        the {@code model} field as sent (echoed back)
 * @param backendId    the backend that serves it
 * @param request      messages, tools, thinking mode, prompt (when the codec could encode it), sampling
 * @param stream       SSE or one JSON answer
 * @param includeUsage {@code stream_options.include_usage}
 */
public record ChatCall(
        String model, String backendId, CompletionRequest request, boolean stream, boolean includeUsage) {}
