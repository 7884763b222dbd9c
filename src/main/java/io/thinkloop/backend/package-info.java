/**
 * Model backends by id and the one the service uses ({@link io.thinkloop.backend.BackendSelector}), plus the
 * two backends for tests and demos: {@link io.thinkloop.backend.ScriptedBackend} replays completions from a
 * script, {@link io.thinkloop.backend.SyntheticBackend} is a load-test token source. The embedded engine's
 * adapter lives in {@code backend.embedded}, the remote OpenAI-compatible servers in {@code backend.remote}.
 */
package io.thinkloop.backend;
