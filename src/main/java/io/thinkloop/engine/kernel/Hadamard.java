package io.thinkloop.engine.kernel;

/** The fast Walsh–Hadamard transform (Sylvester order), scaled, in place. */
public final class Hadamard {
    private Hadamard() {}

    /** Transforms {@code x[off .. off+n)} (n a power of two) and multiplies by {@code scale}. */
    public static void transform(float[] x, int off, int n, float scale) {
        for (int len = 1; len < n; len <<= 1) {
            for (int i = 0; i < n; i += len << 1) {
                for (int j = i; j < i + len; j++) {
                    float a = x[off + j];
                    float b = x[off + j + len];
                    x[off + j] = a + b;
                    x[off + j + len] = a - b;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            x[off + i] *= scale;
        }
    }
}
