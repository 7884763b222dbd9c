/**
 * The embedded engine as the service's model backend: {@link io.thinkloop.engine.backend.GenerationEngine}
 * turns a prompt into streamed text chunks (tokenize, prefill, sample, decode) on one worker thread per
 * model; {@link io.thinkloop.engine.backend.EngineBackend} is the CDI bean with id {@code embedded};
 * {@link io.thinkloop.engine.backend.EmbeddedDefault} generates the untrained default checkpoint when no
 * model is configured; {@link io.thinkloop.engine.backend.BundledTokenizer} loads the DeepSeek-V3.2
 * tokenizer shipped in the jar.
 */
package io.thinkloop.engine.backend;
