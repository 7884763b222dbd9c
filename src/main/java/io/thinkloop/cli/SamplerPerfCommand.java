package io.thinkloop.cli;

import io.thinkloop.engine.sampling.LogprobMode;
import io.thinkloop.engine.sampling.Sampler;
import io.thinkloop.engine.sampling.SamplingParams;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf sampler}: microseconds per sampled token over a DeepSeek-sized logits vector,
 * for each kind of sampling, beside a baseline top-p that sorts the whole vocabulary every token.
 */
@Command(
        name = "sampler",
        mixinStandardHelpOptions = true,
        description =
                "Sampler cost per token (greedy, temperature, top-k, top-p, min-p) vs a full-sort top-p baseline.")
public final class SamplerPerfCommand implements Callable<Integer> {

    @Option(names = "--vocab", defaultValue = "129280", description = "Logits per token (default ${DEFAULT-VALUE}).")
    int vocab;

    @Option(
            names = "--tokens",
            defaultValue = "2000",
            description = "Tokens per measurement (default ${DEFAULT-VALUE}).")
    int tokens;

    @Override
    public Integer call() {
        // A handful of realistic-looking distributions: a few strong candidates over a long tail.
        float[][] logits = new float[16][vocab];
        SplittableRandom r = new SplittableRandom(1);
        for (float[] x : logits) {
            for (int i = 0; i < vocab; i++) {
                x[i] = (float) (r.nextGaussian() * 2.5);
            }
            for (int k = 0; k < 20; k++) {
                x[r.nextInt(vocab)] += 8 + r.nextGaussian() * 3;
            }
        }
        System.out.printf("vocab %d, %d tokens per row (CPU time of one thread)%n", vocab, tokens);
        System.out.printf("%-52s %12s%n", "", "us/token");
        row("greedy", SamplingParams.greedy(), logits);
        row("greedy + logprobs (top 5)", SamplingParams.greedy().withLogprobs(5, LogprobMode.RAW), logits);
        row("temperature 0.8", SamplingParams.temperature(0.8, 1), logits);
        row("temperature 0.8, top-k 40", SamplingParams.temperature(0.8, 1).withTopK(40), logits);
        double topP = row(
                "temperature 0.8, top-p 0.95",
                SamplingParams.temperature(0.8, 1).withTopP(0.95),
                logits);
        row(
                "temperature 0.8, top-p 0.95, min-p 0.05, top 20 logprobs",
                SamplingParams.temperature(0.8, 1)
                        .withTopP(0.95)
                        .withMinP(0.05)
                        .withLogprobs(20, LogprobMode.PROCESSED),
                logits);
        double base = baseline(logits, 0.8, 0.95);
        System.out.printf("%-52s %12.1f%n", "baseline: top-p 0.95 by sorting the whole vocabulary", base);
        System.out.printf("top-p vs baseline: %.1fx faster%n", base / topP);
        return 0;
    }

    private double row(String name, SamplingParams p, float[][] logits) {
        Sampler s = new Sampler(p);
        for (int i = 0; i < 200; i++) {
            s.sample(logits[i % logits.length]);
        }
        long ns = cpu(() -> {
            for (int i = 0; i < tokens; i++) {
                s.sample(logits[i % logits.length]);
            }
        });
        double us = ns / 1e3 / tokens;
        System.out.printf("%-52s %12.1f%n", name, us);
        return us;
    }

    /** The straightforward top-p: softmax, sort every (probability, id) pair, cut at p, draw. */
    private double baseline(float[][] logits, double temperature, double topP) {
        SplittableRandom random = new SplittableRandom(1);
        long[] keys = new long[vocab];
        float[] w = new float[vocab];
        int[] sink = new int[1];
        Runnable one = () -> {
            for (int t = 0; t < tokens; t++) {
                float[] x = logits[t % logits.length];
                float max = Float.NEGATIVE_INFINITY;
                for (float v : x) {
                    max = Math.max(max, v);
                }
                double z = 0;
                for (int i = 0; i < vocab; i++) {
                    w[i] = (float) Math.exp((x[i] - max) / temperature);
                    z += w[i];
                    keys[i] = ((long) Float.floatToRawIntBits(w[i]) << 32) | i;
                }
                Arrays.sort(keys);
                double cum = 0;
                int end = vocab - 1;
                while (end > 0 && cum < topP * z) {
                    cum += w[(int) keys[end--]];
                }
                double u = random.nextDouble() * cum;
                double acc = 0;
                for (int k = vocab - 1; k > end; k--) {
                    acc += w[(int) keys[k]];
                    if (acc > u) {
                        sink[0] = (int) keys[k];
                        break;
                    }
                }
            }
        };
        one.run();
        return cpu(one) / 1e3 / tokens;
    }

    private static long cpu(Runnable r) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long t = threads.getCurrentThreadCpuTime();
        r.run();
        return threads.getCurrentThreadCpuTime() - t;
    }
}
