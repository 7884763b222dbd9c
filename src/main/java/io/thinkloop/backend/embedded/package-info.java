/**
 * The embedded engine as the service's model backend: {@link io.thinkloop.backend.embedded.GenerationEngine}
 * turns a prompt into streamed text chunks (tokenize, prefill, sample, decode) on one worker thread per
 * model; {@link io.thinkloop.backend.embedded.EngineBackend} is the CDI bean with id {@code embedded};
 * {@link io.thinkloop.backend.embedded.EmbeddedDefault} generates the untrained default checkpoint when no
 * model is configured.
 */
package io.thinkloop.backend.embedded;
