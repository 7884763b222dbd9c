/**
 * Remote model backends: OpenAI-compatible servers (DeepSeek API, vLLM, SGLang, another Thinkloop) over
 * streamed {@code /v1/chat/completions} ({@link io.thinkloop.backend.remote.RemoteChatBackend}) and
 * {@code /v1/completions} ({@link io.thinkloop.backend.remote.RemoteCompletionsBackend}), with retries that
 * never duplicate streamed output, timeouts, a circuit breaker and the request fields that differ between servers.
 * The OpenAI chat requests and streamed answers themselves are written and read by {@code io.thinkloop.openai}.
 */
package io.thinkloop.backend.remote;
