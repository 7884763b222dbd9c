/**
 * The agent loop: one turn of thinking-in-tool-use (encode, stream, parse, run tools in parallel, feed
 * results back, repeat) under step, token, tool-time and turn-time limits, with one cancel for all.
 */
package io.thinkloop.agent;
