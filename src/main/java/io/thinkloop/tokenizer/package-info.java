/**
 * The DeepSeek-V3.2 tokenizer: byte-level BPE read from a Hugging Face {@code tokenizer.json}, with
 * added/special tokens matched before BPE, exactly as the Hugging Face {@code tokenizers} library does
 * (it is the test oracle), plus a streaming detokenizer that only ever emits complete UTF-8, and
 * {@link io.thinkloop.tokenizer.BundledTokenizer}, the copy shipped in the jar. It depends on nothing but
 * JSON, so the engine and the remote completions backend share it.
 */
package io.thinkloop.tokenizer;
