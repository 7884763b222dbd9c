/**
 * Durable sessions: the conversation and numbered event stream of each session, journaled to
 * append-only files before anything is acknowledged, the server event and client message records of the
 * protocol ({@code docs/protocol.md}), and per-client delivery with bounded buffers and replay.
 */
package io.thinkloop.session;
