/**
 * The OpenAI chat wire format, read and written in one place, for our endpoints and the remote backends alike:
 * {@link io.thinkloop.openai.OpenAiChat} reads (with one set of errors) and writes messages, tool calls and tools,
 * {@link io.thinkloop.openai.ChatRequestParser} validates a {@code /v1/chat/completions} request,
 * {@link io.thinkloop.openai.ChatRequestBody} writes the request a remote backend sends and
 * {@link io.thinkloop.openai.ChatStreamDecoder} reads the streamed answer it gets,
 * {@link io.thinkloop.openai.CompletionAssembler} turns parsed model output into completion objects and stream
 * chunks, {@link io.thinkloop.openai.OpenAiError} is the error envelope. The codec's golden cases
 * are written in this format too, so {@link io.thinkloop.openai.GoldenCases} ({@code ./thinkloop codec check})
 * lives here.
 */
package io.thinkloop.openai;
