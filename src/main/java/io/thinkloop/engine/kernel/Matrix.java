package io.thinkloop.engine.kernel;

/**
 * A weight matrix of {@code rows x cols} (row-major, as linear layers store {@code out x in}), read
 * in place from mapped memory and dequantized on the fly. All methods are thread-safe.
 */
public sealed interface Matrix permits F32Matrix, Bf16Matrix, Fp8Matrix {
    /** Rows of {@link #matmul}'s register tile: slices of the rows should start at multiples of it. */
    int MATMUL_ROW_TILE = WeightGemm.TR;

    int rows();

    int cols();

    /** Bytes of weight data (for bandwidth accounting). */
    long bytes();

    /** The dot product of row {@code r} with {@code x[xOff .. xOff+cols)}. */
    float dot(int r, float[] x, int xOff);

    /** {@code y[yOff + i] += a * W[r][i]} for every column i. */
    void axpy(int r, float a, float[] y, int yOff);

    /** {@code y[r] = W[r] . x} for rows in {@code [from, to)}. */
    default void matvec(float[] x, float[] y, int from, int to) {
        for (int r = from; r < to; r++) {
            y[r] = dot(r, x, 0);
        }
    }

    /** Row {@code r}, dequantized, into {@code dst[off ..]}. */
    default void row(int r, float[] dst, int off) {
        segment(r, 0, cols(), dst, off);
    }

    /** Columns {@code [c0, c0+len)} of row {@code r}, dequantized, into {@code dst[off ..]}. */
    void segment(int r, int c0, int len, float[] dst, int off);

    /**
     * {@code ys[t][r] = W[r] . xs[t]} for {@code t < n} and rows in {@code [from, to)}: blocks of weights
     * are dequantized once and reused by all n inputs in register tiles (see {@link WeightGemm}).
     */
    default void matmul(float[][] xs, float[][] ys, int n, int from, int to) {
        WeightGemm.matmul(this, xs, ys, n, from, to);
    }

    /**
     * The same product row by row: each row is dequantized and then dotted with each input in turn.
     * Kept as the baseline that {@code perf engine --baseline rowwise} measures the blocked kernel against.
     */
    default void matmulRowwise(float[][] xs, float[][] ys, int n, int from, int to) {
        float[] w = new float[cols()];
        for (int r = from; r < to; r++) {
            row(r, w, 0);
            for (int t = 0; t < n; t++) {
                ys[t][r] = VectorMath.dot(w, 0, xs[t], 0, cols());
            }
        }
    }
}
