package io.thinkloop.train;

import java.util.Arrays;

/**
 * One trainable tensor: its checkpoint name (as the engine's loader spells it), its shape, its
 * float32 master values and the gradient accumulated into it since the last {@link #zeroGrad()}.
 * Both arrays are row-major and owned by the parameter; the optimizer updates {@code value} in place.
 */
public record Parameter(String name, int[] shape, float[] value, float[] grad) {
    public Parameter {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != value.length || n != grad.length) {
            throw new IllegalArgumentException(name + ": shape does not match its arrays");
        }
    }

    public static Parameter zeros(String name, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return new Parameter(name, shape.clone(), new float[n], new float[n]);
    }

    public int size() {
        return value.length;
    }

    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }
}
