package io.thinkloop.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a model's gradients with reference gradients computed independently (PyTorch autograd, see
 * {@link GradientReference}): for each stage of the reference, the model runs one forward and backward
 * pass over the reference's tokens from zeroed gradients, then every reference tensor is compared by
 * relative L2 error {@code ‖g − g_ref‖₂ / ‖g_ref‖₂} and each reference loss by relative difference.
 * A parameter the reference leaves out must come back with no gradient at all: that is how the check
 * proves, for instance, that the dense warm-up trains only the indexer.
 */
public final class GradientCheck {
    /** The bar: float32 implementations of the same maths agree far better than this. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    private GradientCheck() {}

    /** Runs one training stage (named as in the reference, e.g. {@code sparse}, {@code dense_warmup}). */
    @FunctionalInterface
    public interface StageRunner {
        Trainable.StepLoss forwardBackward(String stage, int[] tokens, float[] lossWeight);
    }

    /** One compared quantity: a loss or a tensor's gradient. */
    public record Line(String stage, String name, double error, double referenceNorm, boolean passed, String note) {
        public String format() {
            return String.format(
                    "%-12s %-60s rel %.3e  |ref| %.4g  %s%s",
                    stage,
                    name,
                    error,
                    referenceNorm,
                    passed ? "PASS" : "FAIL",
                    note.isEmpty() ? "" : "  (" + note + ")");
        }
    }

    /** Every line of a check, in order (stage by stage: losses, then tensors). */
    public record Result(List<Line> lines) {
        public long passed() {
            return lines.stream().filter(Line::passed).count();
        }

        public long failed() {
            return lines.size() - passed();
        }

        public String summary() {
            return passed() + " passed, " + failed() + " failed";
        }
    }

    /**
     * Runs every stage of {@code ref} through {@code runner} and compares. The parameters' gradients are
     * zeroed before each stage and left holding the last stage's gradients.
     */
    public static Result run(List<Parameter> parameters, StageRunner runner, GradientReference ref, double tolerance) {
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            byName.put(p.name(), p);
        }
        List<Line> lines = new ArrayList<>();
        for (Map.Entry<String, GradientReference.StageReference> e :
                ref.stages().entrySet()) {
            String stage = e.getKey();
            GradientReference.StageReference sr = e.getValue();
            parameters.forEach(Parameter::zeroGrad);
            Trainable.StepLoss loss = runner.forwardBackward(
                    stage, ref.tokens().clone(), ref.lossWeight().clone());
            if (sr.lmLossSum() != null) {
                lines.add(scalar(stage, "lm_loss_sum", loss.lmLossSum(), sr.lmLossSum(), tolerance));
            }
            if (sr.auxLoss() != null) {
                lines.add(scalar(stage, "aux_loss", loss.auxLoss(), sr.auxLoss(), tolerance));
            }
            for (Map.Entry<String, GradientReference.Tensor> t : sr.gradients().entrySet()) {
                Parameter p = byName.get(t.getKey());
                lines.add(
                        p == null
                                ? new Line(
                                        stage,
                                        t.getKey(),
                                        Double.NaN,
                                        norm(t.getValue().values()),
                                        false,
                                        "the model has no such parameter")
                                : tensor(stage, p, t.getValue(), tolerance));
            }
            for (Parameter p : parameters) {
                if (!sr.gradients().containsKey(p.name())) {
                    double n = norm(p.grad());
                    lines.add(new Line(stage, p.name(), n, 0, n == 0, "reference: no gradient in this stage"));
                }
            }
        }
        return new Result(lines);
    }

    static Line scalar(String stage, String name, double got, double want, double tolerance) {
        double err = Math.abs(got - want) / Math.max(Math.abs(want), Double.MIN_NORMAL);
        return new Line(stage, name, err, Math.abs(want), err < tolerance, String.format("%.7g vs %.7g", got, want));
    }

    static Line tensor(String stage, Parameter p, GradientReference.Tensor ref, double tolerance) {
        if (!Arrays.equals(p.shape(), ref.shape())) {
            return new Line(
                    stage,
                    p.name(),
                    Double.NaN,
                    norm(ref.values()),
                    false,
                    "shape " + Arrays.toString(p.shape()) + " vs reference " + Arrays.toString(ref.shape()));
        }
        double refNorm = norm(ref.values());
        double diff = 0;
        float[] g = p.grad();
        float[] r = ref.values();
        for (int i = 0; i < g.length; i++) {
            double d = (double) g[i] - r[i];
            diff += d * d;
        }
        diff = Math.sqrt(diff);
        if (refNorm == 0) {
            // Nothing flowed here (an expert no token chose): the model must agree exactly.
            return new Line(stage, p.name(), diff, 0, diff == 0, "reference gradient is zero; |diff| shown");
        }
        double err = diff / refNorm;
        boolean ok = err < tolerance && Double.isFinite(err);
        return new Line(stage, p.name(), err, refNorm, ok, "");
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
