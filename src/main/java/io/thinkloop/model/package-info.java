/**
 * The conversation vocabulary every layer speaks: chat messages, tool calls and tool specs, the thinking mode,
 * completion requests, what a completion says ({@link io.thinkloop.model.ParseEvent}s, with the
 * {@link io.thinkloop.model.Repair}s a lenient parse made), the chunks a backend streams, and the
 * {@link io.thinkloop.model.ModelBackend} contract with its {@link io.thinkloop.model.BackendException}.
 * It depends on nothing of Thinkloop's but the JSON mapping, so the codec, the backends and the agent can
 * all share it without knowing each other.
 */
package io.thinkloop.model;
