package io.thinkloop.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A bench run's settings. {@code seed} keys the trials (task, trial, seed) so runs with another seed do not
 * mix; {@code retries}: attempts per trial on infrastructure errors in this run (the rest stay pending for a
 * rerun); {@code stopAfter}: stop after that many new scored trials (0: no limit), for partial runs.
 */
public record BenchConfig(URI url, String apiKey, String suite, int trials, int concurrency, Duration deadline,
                          int maxSteps, Path out, long seed, int retries, int stopAfter) {
    public BenchConfig {
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
}
