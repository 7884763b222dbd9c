package io.thinkloop.engine;

import io.thinkloop.engine.kernel.Fp8;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Measurement hooks for {@code thinkloop perf engine} that need the engine's internals. */
public final class EngineBenchmarks {
    private EngineBenchmarks() {}

    /**
     * Milliseconds per decoded token of one attention layer at context length {@code context}: the
     * caches are filled with random latent rows and FP8 index keys, then one token attends to them.
     * Returns the fastest of {@code iterations} runs (the least disturbed by other load).
     */
    public static double attentionMillis(Model model, int context, AttentionMode mode, int iterations, long seed) {
        InferenceState s = model.newState(context, mode);
        var c = model.config();
        SplittableRandom r = new SplittableRandom(seed);
        int layer = 0;
        float[] kv = s.kvCache[layer];
        for (int i = 0; i < kv.length; i++) {
            kv[i] = (float) r.nextGaussian();
        }
        float[] pe = s.peCache[layer];
        for (int i = 0; i < pe.length; i++) {
            pe[i] = (float) r.nextGaussian();
        }
        if (mode == AttentionMode.SPARSE) {
            byte[] keys = s.indexKeys[layer];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = Fp8.encode(Fp8.round((float) r.nextGaussian() * 64f));
            }
            Arrays.fill(s.indexKeyScales[layer], 0x1p-8f);
        }
        float[] h = s.decode.h[0];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) r.nextGaussian();
        }
        float[] saved = h.clone();
        double[] ms = new double[iterations];
        for (int it = 0; it < iterations; it++) {
            s.position = context - 1;
            System.arraycopy(saved, 0, h, 0, h.length);
            long t0 = System.nanoTime();
            model.attentionStep(s, layer);
            ms[it] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[0];
    }
}
