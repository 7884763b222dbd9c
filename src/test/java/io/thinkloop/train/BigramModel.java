package io.thinkloop.train;

import java.util.List;

/**
 * A toy {@link Trainable} for the loop's tests: next-token logits {@code W[prev] + b + c}, softmax cross-entropy,
 * with the closed-form gradient {@code d/dlogits = w·(softmax − onehot)}. {@code c} is a non-gradient buffer
 * moved after each step by a sign rule towards balanced target counts (like the MoE correction bias), so that
 * resume must restore buffers to be exact.
 */
final class BigramModel implements Trainable, TrainingHooks {
    static final float GAMMA = 0.01f;
    final int vocab;
    final Parameter w;
    final Parameter b;
    final Parameter c;
    private final float[] counts;
    int evalCalls;

    BigramModel(int vocab, long seed) {
        this.vocab = vocab;
        this.w = Parameter.zeros("bigram.weight", vocab, vocab);
        this.b = Parameter.zeros("bigram.bias", vocab);
        this.c = Parameter.zeros("bigram.balance", vocab);
        this.counts = new float[vocab];
        Rng r = Rng.of(seed, "init");
        for (int i = 0; i < w.size(); i++) {
            w.value()[i] = (float) (0.1 * r.nextGaussian());
        }
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(w, b);
    }

    @Override
    public List<Parameter> buffers() {
        return List.of(c);
    }

    @Override
    public StepLoss forwardBackward(int[] tokens, float[] lossWeight) {
        return run(tokens, lossWeight, true);
    }

    @Override
    public StepLoss evalLoss(int[] tokens, float[] lossWeight) {
        evalCalls++;
        return run(tokens, lossWeight, false);
    }

    private StepLoss run(int[] tokens, float[] lossWeight, boolean backward) {
        double loss = 0;
        double weight = 0;
        float[] p = new float[vocab];
        for (int t = 0; t + 1 < tokens.length; t++) {
            int prev = tokens[t];
            int next = tokens[t + 1];
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                p[j] = w.value()[prev * vocab + j] + b.value()[j] + c.value()[j];
                max = Math.max(max, p[j]);
            }
            double z = 0;
            for (int j = 0; j < vocab; j++) {
                p[j] = (float) Math.exp(p[j] - max);
                z += p[j];
            }
            float lw = lossWeight[t];
            loss += lw * -Math.log(p[next] / z);
            weight += lw;
            if (backward) {
                counts[next]++;
                for (int j = 0; j < vocab; j++) {
                    float g = lw * ((float) (p[j] / z) - (j == next ? 1f : 0f));
                    w.grad()[prev * vocab + j] += g;
                    b.grad()[j] += g;
                }
            }
        }
        return new StepLoss(loss, weight, 0);
    }

    @Override
    public void afterOptimizerStep() {
        float mean = 0;
        for (float n : counts) {
            mean += n / vocab;
        }
        for (int j = 0; j < vocab; j++) {
            c.value()[j] += GAMMA * Math.signum(mean - counts[j]);
            counts[j] = 0;
        }
    }
}
