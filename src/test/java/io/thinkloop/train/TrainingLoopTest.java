package io.thinkloop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on a toy bigram model: learning, reproducibility, exact resume, accumulation, outputs. */
class TrainingLoopTest {
    static final int VOCAB = 12;

    @TempDir
    Path tmp;

    /**
     * Sequences of a Markov chain in which each token is followed by one of two successors (so the entropy rate
     * is at most ln 2, far below the untrained ln 12); the first two predictions weigh 0, as user text would.
     */
    static List<Sample> chain(long seed, int count, String split) {
        Rng r = new Rng(seed);
        List<Sample> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int len = 8 + r.nextInt(10);
            int[] tokens = new int[len];
            tokens[0] = r.nextInt(VOCAB);
            for (int t = 1; t < len; t++) {
                int prev = tokens[t - 1];
                tokens[t] = r.nextFloat() < 0.8f ? (prev * 5 + 1) % VOCAB : (prev + 7) % VOCAB;
            }
            float[] w = new float[len - 1];
            for (int t = 2; t < w.length; t++) {
                w[t] = 1f;
            }
            out.add(new Sample(split + "-" + s, split, tokens, w));
        }
        return out;
    }

    static TrainingData data() {
        return new TrainingData(chain(1, 40, "train"), chain(2, 10, "eval"));
    }

    static TrainConfig config(int steps, long seed, int evalEvery, int checkpointEvery) {
        return new TrainConfig(
                steps,
                3,
                0.05,
                4,
                0.1,
                new AdamW.Settings(0.9, 0.95, 1e-8, 0.01),
                1.0,
                seed,
                evalEvery,
                checkpointEvery,
                2);
    }

    static ProgressLine quiet() {
        return new ProgressLine(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, 1000);
    }

    static int[] bits(List<Parameter> ps) {
        int n = ps.stream().mapToInt(Parameter::size).sum();
        int[] out = new int[n];
        int k = 0;
        for (Parameter p : ps) {
            for (float v : p.value()) {
                out[k++] = Float.floatToRawIntBits(v);
            }
        }
        return out;
    }

    @Test
    void trainingTheBigramModelLowersTheEvalLoss() {
        BigramModel m = new BigramModel(VOCAB, 7);
        TrainingLoop loop = new TrainingLoop(m, data(), config(60, 3, 20, 0), tmp.resolve("run"), quiet());
        double before = loop.evalLoss();
        TrainingLoop.Result r = loop.run();
        assertEquals(60, r.step());
        assertTrue(before > Math.log(VOCAB) - 0.2, "untrained loss is near ln V: " + before);
        assertTrue(
                r.lastEvalLoss() < before - 1.0,
                "eval loss fell by more than 1 nat: " + before + " -> " + r.lastEvalLoss());
        assertTrue(m.evalCalls > 0, "eval used the model's forward-only path");
    }

    @Test
    void anInterruptedAndResumedRunEndsWithTheSameBitsAsAStraightRun() throws Exception {
        int n = 24;
        BigramModel straight = new BigramModel(VOCAB, 7);
        new TrainingLoop(straight, data(), config(n, 3, 5, 0), tmp.resolve("a"), quiet()).run();

        BigramModel first = new BigramModel(VOCAB, 7);
        Path out = tmp.resolve("b");
        TrainingLoop.Result half = new TrainingLoop(first, data(), config(n, 3, 5, 0), out, quiet()).runUntil(n / 2);
        assertEquals(n / 2, half.step());
        Path ckpt = TrainingLoop.latestCheckpoint(out).orElseThrow();

        // A new process: the model starts from other weights, everything comes from the checkpoint.
        BigramModel resumed = new BigramModel(VOCAB, 99);
        TrainingLoop loop = new TrainingLoop(resumed, data(), config(n, 3, 5, 0), out, quiet());
        loop.resume(ckpt);
        assertEquals(n / 2, loop.step());
        loop.run();

        assertArrayEquals(bits(straight.parameters()), bits(resumed.parameters()), "parameters bit-identical");
        assertArrayEquals(bits(straight.buffers()), bits(resumed.buffers()), "buffers bit-identical");
        List<JsonNode> metrics = new MetricsLog(out.resolve("metrics.jsonl")).readAll();
        assertEquals(n, metrics.size(), "one metrics line per step across both runs");
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, metrics.get(i).path("step").asInt());
        }
        List<JsonNode> straightMetrics = new MetricsLog(tmp.resolve("a").resolve("metrics.jsonl")).readAll();
        for (int i = 0; i < n; i++) {
            assertEquals(
                    straightMetrics.get(i).path("loss").asDouble(),
                    metrics.get(i).path("loss").asDouble(),
                    "step " + (i + 1));
        }
    }

    @Test
    void aResumeAfterACrashPastTheCheckpointDropsTheLaterMetrics() throws Exception {
        Path out = tmp.resolve("c");
        new TrainingLoop(new BigramModel(VOCAB, 7), data(), config(20, 3, 0, 5), out, quiet()).runUntil(12);
        // The run checkpointed at 5, 10 and at its stop (12); a crash after 12 leaves the checkpoint of 10 as
        // the one to resume when 12's is lost.
        Path ten = out.resolve("checkpoints").resolve("step-00000010");
        assertTrue(Files.isDirectory(ten));
        TrainingLoop loop = new TrainingLoop(new BigramModel(VOCAB, 7), data(), config(20, 3, 0, 5), out, quiet());
        loop.resume(ten);
        List<JsonNode> metrics = new MetricsLog(out.resolve("metrics.jsonl")).readAll();
        assertEquals(10, metrics.size());
        assertEquals(10, metrics.getLast().path("step").asInt());
    }

    @Test
    void theSameSeedRepeatsARunAndAnotherSeedDoesNot() {
        BigramModel a = new BigramModel(VOCAB, 7);
        BigramModel b = new BigramModel(VOCAB, 7);
        BigramModel c = new BigramModel(VOCAB, 7);
        new TrainingLoop(a, data(), config(10, 3, 0, 0), tmp.resolve("a"), quiet()).run();
        new TrainingLoop(b, data(), config(10, 3, 0, 0), tmp.resolve("b"), quiet()).run();
        new TrainingLoop(c, data(), config(10, 4, 0, 0), tmp.resolve("c"), quiet()).run();
        assertArrayEquals(bits(a.parameters()), bits(b.parameters()));
        assertFalse(Arrays.equals(bits(a.parameters()), bits(c.parameters())), "another data order");
    }

    @Test
    void resumeRefusesOtherDataOrOtherSettings() {
        Path out = tmp.resolve("d");
        new TrainingLoop(new BigramModel(VOCAB, 7), data(), config(8, 3, 0, 0), out, quiet()).runUntil(4);
        Path ckpt = TrainingLoop.latestCheckpoint(out).orElseThrow();
        TrainingData other = new TrainingData(chain(5, 40, "train"), chain(2, 10, "eval"));
        TrainingLoop otherData = new TrainingLoop(new BigramModel(VOCAB, 7), other, config(8, 3, 0, 0), out, quiet());
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> otherData.resume(ckpt));
        assertTrue(e1.getMessage().contains("training data differ"), e1.getMessage());
        TrainingLoop otherSeed = new TrainingLoop(new BigramModel(VOCAB, 7), data(), config(8, 4, 0, 0), out, quiet());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> otherSeed.resume(ckpt));
        assertTrue(e2.getMessage().contains("settings differ"), e2.getMessage());
        // more steps are allowed: the run is extended
        TrainingLoop longer = new TrainingLoop(new BigramModel(VOCAB, 7), data(), config(12, 3, 0, 0), out, quiet());
        longer.resume(ckpt);
        assertEquals(12, longer.run().step());
    }

    @Test
    void gradientAccumulationAveragesOverTheBatchesLossWeight() {
        List<Sample> two = chain(3, 2, "train");
        BigramModel m = new BigramModel(VOCAB, 7);
        float[][] single = new float[2][];
        double[] weights = new double[2];
        for (int i = 0; i < 2; i++) {
            m.w.zeroGrad();
            weights[i] = m.forwardBackward(two.get(i).tokens(), two.get(i).lossWeight())
                    .weightSum();
            single[i] = m.w.grad().clone();
        }
        m.w.zeroGrad();
        m.b.zeroGrad();
        TrainingLoop loop = new TrainingLoop(m, data(), config(10, 1, 0, 0), tmp.resolve("e"), quiet());
        TrainingLoop.BatchLoss l = loop.accumulate(two);
        assertEquals(weights[0] + weights[1], l.weightSum(), 1e-9);
        for (int j = 0; j < single[0].length; j++) {
            double expected = (single[0][j] + single[1][j]) / (weights[0] + weights[1]);
            assertEquals(expected, m.w.grad()[j], 1e-6, "grad " + j);
        }
    }

    @Test
    void clippingScalesTheGlobalNormDownToTheLimitAndLeavesSmallGradientsAlone() {
        Parameter a = Parameter.zeros("a", 2, 2);
        Parameter b = Parameter.zeros("b", 3);
        float[] ga = {3, 0, 0, 0};
        float[] gb = {0, 4, 0};
        System.arraycopy(ga, 0, a.grad(), 0, 4);
        System.arraycopy(gb, 0, b.grad(), 0, 3);
        double before = TrainingLoop.clipGlobalNorm(List.of(a, b), 1.0);
        assertEquals(5.0, before, 1e-9, "sqrt(3^2 + 4^2)");
        assertEquals(1.0, TrainingLoop.clipGlobalNorm(List.of(a, b), 0), 1e-5, "clipped to the limit");
        assertEquals(0.6, a.grad()[0], 1e-5, "direction kept");
        assertEquals(0.8, b.grad()[1], 1e-5);
        double small = TrainingLoop.clipGlobalNorm(List.of(a, b), 10.0);
        assertEquals(1.0, small, 1e-5);
        assertEquals(0.6, a.grad()[0], 1e-5, "under the limit: unchanged");
    }

    @Test
    void aRunWritesAMetricsLinePerStepAndASelfContainedReport() throws Exception {
        Path out = tmp.resolve("f");
        new TrainingLoop(new BigramModel(VOCAB, 7), data(), config(12, 3, 4, 6), out, quiet()).run();
        List<JsonNode> metrics = new MetricsLog(out.resolve("metrics.jsonl")).readAll();
        assertEquals(12, metrics.size());
        for (JsonNode n : metrics) {
            for (String f : List.of("step", "loss", "lr", "grad_norm", "tokens", "tokens_per_s", "elapsed_s")) {
                assertTrue(n.has(f), f + " in " + n);
            }
            assertEquals(n.path("step").asInt() % 4 == 0, n.has("eval_loss"), "eval every 4 steps: " + n);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertEquals(3, html.split("<svg", -1).length - 1, "loss, learning rate and tokens/s charts");
        assertTrue(html.contains("eval loss") && html.contains("<polyline"), html);
        assertFalse(html.contains("<script") || html.contains("src=") || html.contains("href="), "self-contained");
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/step-00000012/optimizer.safetensors")));
        assertTrue(Files.isDirectory(out.resolve("checkpoints/step-00000006")));
    }

    @Test
    void onlyTheNewestCheckpointsAreKept() throws Exception {
        Path out = tmp.resolve("g");
        new TrainingLoop(new BigramModel(VOCAB, 7), data(), config(10, 3, 0, 2), out, quiet()).run();
        try (var s = Files.list(out.resolve("checkpoints"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("latest", "step-00000008", "step-00000010"), names);
        }
        assertEquals(
                out.resolve("checkpoints").resolve("step-00000010"),
                TrainingLoop.latestCheckpoint(out).orElseThrow());
    }

    @Test
    void aDivergingRunStopsWithAClearError() {
        TrainConfig wild = new TrainConfig(5, 1, 1e30, 0, 1.0, new AdamW.Settings(0.9, 0.95, 1e-8, 0), 0, 1, 0, 0, 1);
        TrainingLoop loop = new TrainingLoop(new BigramModel(VOCAB, 7), data(), wild, tmp.resolve("h"), quiet());
        IllegalStateException e = assertThrows(IllegalStateException.class, loop::run);
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
    }

    @Test
    void seedsProduceDifferentPermutationsAndARestoredGeneratorRepeatsItsDraws() {
        Rng r = new Rng(5);
        int[] p = r.permutation(50);
        assertArrayEquals(
                IntStream.range(0, 50).toArray(), Arrays.stream(p).sorted().toArray());
        long saved = r.state();
        long x = r.nextLong();
        r.restore(saved);
        assertEquals(x, r.nextLong());
        assertNotEquals(Rng.of(1, "a").nextLong(), Rng.of(1, "b").nextLong());
    }
}
