package io.thinkloop.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How a client asks the model to sample a turn ({@code user_message.sampling}); an absent field keeps the default,
 * and no settings at all is greedy decoding, as before. A {@code seed} makes a sampled turn reproducible: every
 * generation of the turn derives its own seed from it and its step, so the steps differ from each other, a rerun
 * with the same seed repeats the turn token for token, and bench trials with different seeds explore.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SamplingSettings(Double temperature, Double topP, Integer topK, Double minP, Long seed) {

    /** The highest temperature accepted (OpenAI's bound). */
    public static final double MAX_TEMPERATURE = 2.0;

    /** Null when the settings are usable, else what is wrong with them, for the client. */
    public String problem() {
        if (temperature != null && !(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
            return "sampling.temperature must be in [0, " + MAX_TEMPERATURE + "], got " + temperature;
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            return "sampling.topP must be in (0, 1], got " + topP;
        }
        if (topK != null && topK < 0) {
            return "sampling.topK must be >= 0 (0 = off), got " + topK;
        }
        if (minP != null && !(minP >= 0 && minP <= 1)) {
            return "sampling.minP must be in [0, 1], got " + minP;
        }
        return null;
    }

    /** The backend's sampling for generation {@code step} of the turn, at most {@code maxTokens} tokens. */
    public CompletionRequest.Sampling forStep(int maxTokens, int step) {
        Long stepSeed = seed == null ? null : seed * 0x9E3779B97F4A7C15L + step;
        return new CompletionRequest.Sampling(
                maxTokens,
                temperature == null ? 0.0 : temperature,
                topP == null ? 1.0 : topP,
                topK == null ? 0 : topK,
                minP == null ? 0.0 : minP,
                stepSeed,
                List.of());
    }
}
