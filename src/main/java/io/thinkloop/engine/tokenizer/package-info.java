/**
 * The DeepSeek-V3.2 tokenizer: byte-level BPE read from a Hugging Face {@code tokenizer.json}, with
 * added/special tokens matched before BPE, exactly as the Hugging Face {@code tokenizers} library does
 * (it is the test oracle), plus a streaming detokenizer that only ever emits complete UTF-8.
 */
package io.thinkloop.engine.tokenizer;
