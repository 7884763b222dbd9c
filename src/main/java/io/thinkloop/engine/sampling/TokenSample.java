package io.thinkloop.engine.sampling;

/**
 * A sampled token with its log-probability and the most likely alternatives (most likely first).
 *
 * @param logprob NaN when log-probabilities were not asked for
 */
public record TokenSample(int token, float logprob, int[] topIds, float[] topLogprobs) {}
