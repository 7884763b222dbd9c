package io.thinkloop.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A bench run's settings. {@code seed} keys the trials (task, trial, seed) so runs with another seed do not
 * mix; {@code retries}: attempts per trial on infrastructure errors in this run (the rest stay pending for a
 * rerun); {@code stopAfter}: stop after that many new scored trials (0: no limit), for partial runs.
 * {@code temperature} 0 decodes greedily (every trial the same answer); above 0 each trial samples with its own
 * seed ({@link #trialSeed}), so trials differ and a rerun with the same seeds repeats them; {@code topP} null: off.
 */
public record BenchConfig(
        URI url,
        String apiKey,
        String suite,
        int trials,
        int concurrency,
        Duration deadline,
        int maxSteps,
        Path out,
        long seed,
        int retries,
        int stopAfter,
        double temperature,
        Double topP) {
    /** Greedy decoding. */
    public BenchConfig(
            URI url,
            String apiKey,
            String suite,
            int trials,
            int concurrency,
            Duration deadline,
            int maxSteps,
            Path out,
            long seed,
            int retries,
            int stopAfter) {
        this(url, apiKey, suite, trials, concurrency, deadline, maxSteps, out, seed, retries, stopAfter, 0.0, null);
    }

    public BenchConfig {
        if (!(temperature >= 0 && temperature <= 2)) {
            throw new IllegalArgumentException("--temperature must be in [0, 2]");
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p must be in (0, 1]");
        }
        if (trials < 1 || trials > 100) {
            throw new IllegalArgumentException("--trials must be 1..100");
        }
        if (concurrency < 1 || concurrency > 256) {
            throw new IllegalArgumentException("--concurrency must be 1..256");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("--deadline must be positive");
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("--url must be http(s)://HOST:PORT, got " + url);
        }
    }

    /** Whether trials sample (and so carry a seed each) rather than decode greedily. */
    public boolean sampled() {
        return temperature > 0;
    }

    /**
     * The sampling seed of one trial: a function of the run's seed, the task and the trial number only, so a
     * rerun (or a resumed run) gives every trial the seed it had, and no two trials of a task share one.
     */
    public long trialSeed(String taskId, int trial) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < taskId.length(); i++) {
            h = (h ^ taskId.charAt(i)) * 0x100000001B3L;
        }
        return (h ^ trial) * 0x9E3779B97F4A7C15L >>> 1;
    }
}
