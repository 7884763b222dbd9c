/**
 * Choosing the next token from a logits vector (greedy, temperature, top-k, top-p, min-p, seeded),
 * reporting its log-probability and the top alternatives, and matching stop sequences over the
 * generated text. Built to run once per generated token without per-token garbage.
 */
package io.thinkloop.engine.sampling;
