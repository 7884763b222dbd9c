/**
 * Thinkloop's OpenAI-compatible endpoints ({@code /v1/models}, {@code /v1/chat/completions}): validates
 * requests, encodes them with the codec, streams them through the selected {@link io.thinkloop.model.ModelBackend}
 * and maps the parsed events to OpenAI chunks ({@code reasoning_content}, {@code tool_calls} deltas, usage).
 */
package io.thinkloop.model.openai;
