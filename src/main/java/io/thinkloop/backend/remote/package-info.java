/**
 * Remote model backends: OpenAI-compatible servers (DeepSeek API, vLLM, SGLang, another Thinkloop) over
 * streamed {@code /v1/chat/completions} ({@link io.thinkloop.backend.remote.RemoteChatBackend}) and
 * {@code /v1/completions} ({@link io.thinkloop.backend.remote.RemoteCompletionsBackend}), with retries that
 * never duplicate streamed output, timeouts, a circuit breaker and the dialect differences between servers.
 */
package io.thinkloop.backend.remote;
