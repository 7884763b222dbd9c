/**
 * The DeepSeek-V3.2 conversation codec: {@link io.thinkloop.codec.DeepSeekV32Codec} encodes conversations
 * into the exact prompt format and parses completions (reasoning, text, DSML tool calls);
 * {@link io.thinkloop.codec.StreamingParser} does the same incrementally for live streams (strict, or lenient
 * with {@link io.thinkloop.codec.Repair}s reported). {@link io.thinkloop.codec.PyJson} writes JSON exactly as
 * the reference's Python does, {@link io.thinkloop.codec.OpenAiChat} maps the OpenAI message shape,
 * {@link io.thinkloop.codec.EventAssembler} turns events back into a message, and
 * {@link io.thinkloop.codec.GoldenCases} checks golden files ({@code ./thinkloop codec check}).
 */
package io.thinkloop.codec;
