package io.thinkloop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchConfigTest {

    static BenchConfig config(long seed, double temperature) {
        return new BenchConfig(
                URI.create("http://localhost:8080"),
                null,
                "classpath:trip-smoke-v1.jsonl",
                4,
                1,
                Duration.ofSeconds(60),
                8,
                Path.of("out"),
                seed,
                1,
                0,
                temperature,
                null);
    }

    @Test
    void everyTrialOfARunHasItsOwnSeedAndARerunGivesItTheSameOne() {
        BenchConfig run = config(42, 1.0);
        Set<Long> seeds = new HashSet<>();
        for (String task : new String[] {"trip-smoke-v1-001", "trip-smoke-v1-002"}) {
            for (int trial = 0; trial < 4; trial++) {
                seeds.add(run.trialSeed(task, trial));
                assertEquals(run.trialSeed(task, trial), config(42, 1.0).trialSeed(task, trial));
            }
        }
        assertEquals(8, seeds.size(), "no two trials share a seed");
        assertTrue(seeds.stream().allMatch(s -> s >= 0));
        assertFalse(seeds.contains(config(43, 1.0).trialSeed("trip-smoke-v1-001", 0)), "another run seed, other seeds");
    }

    @Test
    void onlyATemperatureAboveZeroSamples() {
        assertFalse(config(1, 0).sampled());
        assertTrue(config(1, 0.7).sampled());
        assertThrows(IllegalArgumentException.class, () -> config(1, 2.5));
    }
}
