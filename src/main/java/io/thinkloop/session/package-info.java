/**
 * Durable sessions: the conversation and numbered event stream of each session, journaled before anything is
 * acknowledged (to append-only files by default, or to a store every replica shares: Redis Streams or PostgreSQL,
 * with a lease per session so one replica runs its turn at a time), the server event and client message records of
 * the protocol ({@code docs/protocol.md}), and per-client delivery with bounded buffers and replay.
 */
package io.thinkloop.session;
