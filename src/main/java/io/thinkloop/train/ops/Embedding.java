package io.thinkloop.train.ops;

import io.thinkloop.engine.kernel.VectorMath;

/** Token embedding: a row gather forward, a row scatter-add backward. */
public final class Embedding {
    private Embedding() {}

    /** {@code out[t] = table[tokens[t]]} for rows of width {@code dim}. */
    public static void forward(float[] table, int[] tokens, float[] out, int dim) {
        for (int t = 0; t < tokens.length; t++) {
            System.arraycopy(table, tokens[t] * dim, out, t * dim, dim);
        }
    }

    /** {@code dTable[tokens[t]] += dOut[t]} (a token seen twice gets both gradients). */
    public static void backward(float[] dOut, int[] tokens, float[] dTable, int dim) {
        for (int t = 0; t < tokens.length; t++) {
            VectorMath.axpy(1f, dOut, t * dim, dTable, tokens[t] * dim, dim);
        }
    }
}
