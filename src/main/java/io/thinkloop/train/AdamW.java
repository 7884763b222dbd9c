package io.thinkloop.train;

import java.util.List;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction, and weight decay applied to the weights
 * directly ({@code θ -= lr·λ·θ}) rather than added to the gradient, so that decay does not pass through the
 * adaptive scaling. Decay applies to matrices only; vectors (norm gains, biases) are not shrunk towards zero,
 * since that would fight their role of setting scales and offsets. The moments are float32 arrays parallel to
 * each parameter; a checkpoint saves them with the step count, so a resumed run continues bit for bit.
 */
public final class AdamW {
    /** The hyper-parameters besides the learning rate, which the schedule gives per step. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0)) {
                throw new IllegalArgumentException("eps must be positive, got " + eps);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            }
        }

        public static Settings defaults() {
            return new Settings(0.9, 0.95, 1e-8, 0.1);
        }
    }

    private final List<Parameter> params;
    private final Settings settings;
    private final float[][] m;
    private final float[][] v;
    private long t;

    public AdamW(List<Parameter> params, Settings settings) {
        this.params = List.copyOf(params);
        this.settings = settings;
        this.m = new float[this.params.size()][];
        this.v = new float[this.params.size()][];
        for (int i = 0; i < this.params.size(); i++) {
            m[i] = new float[this.params.get(i).size()];
            v[i] = new float[this.params.get(i).size()];
        }
    }

    /** Whether weight decay applies to {@code p}: matrices yes, vectors (gains, biases) no. */
    public static boolean decays(Parameter p) {
        return p.shape().length >= 2;
    }

    /** One update of every parameter from its {@code grad} with learning rate {@code lr}. */
    public void step(double lr) {
        t++;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        // lr / c1 scales the first moment; sqrt(v / c2) is the corrected second moment.
        float stepSize = (float) (lr / c1);
        float invC2 = (float) (1 / c2);
        float eps = (float) settings.eps();
        float fb1 = (float) b1;
        float fb2 = (float) b2;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            float[] w = p.value();
            float[] g = p.grad();
            float[] mi = m[i];
            float[] vi = v[i];
            float decay = decays(p) ? (float) (1 - lr * settings.weightDecay()) : 1f;
            for (int j = 0; j < w.length; j++) {
                float gj = g[j];
                float mj = fb1 * mi[j] + (1 - fb1) * gj;
                float vj = fb2 * vi[j] + (1 - fb2) * gj * gj;
                mi[j] = mj;
                vi[j] = vj;
                w[j] = w[j] * decay - stepSize * mj / ((float) Math.sqrt(vj * invC2) + eps);
            }
        }
    }

    public Settings settings() {
        return settings;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** Updates taken so far (the bias correction's exponent). */
    public long steps() {
        return t;
    }

    public float[] firstMoment(int param) {
        return m[param];
    }

    public float[] secondMoment(int param) {
        return v[param];
    }

    /** Restores the step count after a checkpoint's moments were copied into {@link #firstMoment} arrays. */
    public void restoreSteps(long steps) {
        this.t = steps;
    }
}
