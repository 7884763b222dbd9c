package io.thinkloop.engine.sampling;

/** Which distribution the reported log-probabilities come from. */
public enum LogprobMode {
    /** log-softmax of the raw logits (temperature 1), whatever the sampling settings. */
    RAW,
    /**
     * log-softmax of the logits divided by the temperature: the distribution the token was drawn from,
     * before top-k/top-p/min-p truncation (so the figures do not depend on how much was cut off).
     * With temperature 0 (greedy) this is the same as {@link #RAW}; top-k 1 at a temperature above 0
     * still reports the tempered distribution.
     */
    PROCESSED
}
