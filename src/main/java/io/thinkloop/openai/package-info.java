/**
 * The OpenAI chat wire format, read and written in one place: {@link io.thinkloop.openai.OpenAiChat} maps
 * messages and tools, {@link io.thinkloop.openai.ChatRequestParser} validates a {@code /v1/chat/completions}
 * request, {@link io.thinkloop.openai.CompletionAssembler} turns parsed model output into completion objects
 * and stream chunks, {@link io.thinkloop.openai.OpenAiError} is the error envelope. The codec's golden cases
 * are written in this format too, so {@link io.thinkloop.openai.GoldenCases} ({@code ./thinkloop codec check})
 * lives here.
 */
package io.thinkloop.openai;
