/**
 * The DeepSeek-V3.2 conversation codec: {@link io.thinkloop.codec.DeepSeekV32Codec} encodes conversations
 * into the exact prompt format and parses completions (reasoning, text, DSML tool calls);
 * {@link io.thinkloop.codec.StreamingParser} does the same incrementally for live streams.
 */
package io.thinkloop.codec;
