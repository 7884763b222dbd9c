/**
 * The DeepSeek-V3.2 conversation codec: {@link io.thinkloop.codec.DeepSeekV32Codec} encodes conversations
 * into the exact prompt format and parses completions (reasoning, text, DSML tool calls);
 * {@link io.thinkloop.codec.StreamingParser} does the same incrementally for live streams (strict, or lenient
 * with repairs reported). {@link io.thinkloop.codec.PyJson} writes JSON exactly as the reference's Python
 * does, {@link io.thinkloop.codec.ArgumentCoercion} fits tool-call arguments to their JSON Schema, and
 * {@link io.thinkloop.codec.EventAssembler} turns parse events back into a message.
 */
package io.thinkloop.codec;
