package io.thinkloop.engine.sampling;

/**
 * How to pick tokens. Filters apply in this order: temperature, top-k, top-p (over the top-k set,
 * renormalized), min-p (relative to the most likely token).
 *
 * @param temperature  0 for greedy (argmax, lowest id on ties); otherwise logits are divided by it
 * @param topK         keep the k most likely tokens; 0 means no limit (1 is greedy)
 * @param topP         keep the smallest set of most likely tokens whose probability reaches p; 1 means off
 * @param minP         drop tokens less likely than minP times the most likely one; 0 means off
 * @param seed         seed of the random generator (same seed, same logits: same tokens); null for a random seed
 * @param logprobs     whether to compute the chosen token's log-probability
 * @param topLogprobs  how many most likely alternatives to report with their log-probabilities (0 to 20)
 * @param logprobMode  which distribution the log-probabilities are taken from
 */
public record SamplingParams(
        double temperature,
        int topK,
        double topP,
        double minP,
        Long seed,
        boolean logprobs,
        int topLogprobs,
        LogprobMode logprobMode) {

    public static final int MAX_TOP_LOGPROBS = 20;

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        }
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException(
                    "top_logprobs must be in [0, " + MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        }
        if (logprobMode == null) {
            logprobMode = LogprobMode.PROCESSED;
        }
    }

    /** Argmax, no log-probabilities. */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 0, null, false, 0, LogprobMode.PROCESSED);
    }

    /** Plain sampling at a temperature with a seed, no truncation, no log-probabilities. */
    public static SamplingParams temperature(double temperature, long seed) {
        return new SamplingParams(temperature, 0, 1, 0, seed, false, 0, LogprobMode.PROCESSED);
    }

    public SamplingParams withTopK(int k) {
        return new SamplingParams(temperature, k, topP, minP, seed, logprobs, topLogprobs, logprobMode);
    }

    public SamplingParams withTopP(double p) {
        return new SamplingParams(temperature, topK, p, minP, seed, logprobs, topLogprobs, logprobMode);
    }

    public SamplingParams withMinP(double p) {
        return new SamplingParams(temperature, topK, topP, p, seed, logprobs, topLogprobs, logprobMode);
    }

    public SamplingParams withSeed(Long s) {
        return new SamplingParams(temperature, topK, topP, minP, s, logprobs, topLogprobs, logprobMode);
    }

    /** Log-probabilities of the chosen token and {@code top} alternatives, from {@code mode}. */
    public SamplingParams withLogprobs(int top, LogprobMode mode) {
        return new SamplingParams(temperature, topK, topP, minP, seed, true, top, mode);
    }

    /** Whether this always picks the most likely token. */
    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }
}
