package io.thinkloop.engine.kernel;

/**
 * FP8 e4m3 ("e4m3fn": bias 7, no infinities, max 448) decoding and round-to-nearest-even encoding,
 * and the power-of-two (ue8m0) block scales of the sparse-attention indexer.
 */
public final class Fp8 {
    public static final float MAX = 448f;
    /** All 256 codes decoded. */
    static final float[] DECODE = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            int e = (b >> 3) & 0xF;
            int m = b & 7;
            double v = e == 0 ? m * Math.pow(2, -9) : (1 + m / 8.0) * Math.pow(2, e - 7);
            if ((b & 0x7F) == 0x7F) {
                v = Double.NaN;
            }
            DECODE[b] = (float) ((b & 0x80) != 0 ? -v : v);
        }
    }

    private Fp8() {}

    public static float decode(byte b) {
        return DECODE[b & 0xFF];
    }

    /** Rounds {@code v} to the nearest e4m3 value (ties to even), clamping to +-448 first. */
    public static float round(float v) {
        float a = Math.min(Math.abs(v), MAX);
        float r;
        if (a < 0x1p-6f) {
            r = (float) (Math.rint(a * 512.0) / 512.0); // subnormal quantum 2^-9
        } else {
            int e = Math.getExponent(a);
            double q = Math.scalb(1.0, e - 3);
            r = (float) (Math.rint(a / q) * q);
        }
        return Math.copySign(r, v);
    }

    /** The e4m3 code of an exactly representable value (as {@link #round} returns). */
    public static byte encode(float v) {
        int sign = (Float.floatToRawIntBits(v) >>> 24) & 0x80;
        float a = Math.abs(v);
        int code;
        if (a == 0) {
            code = 0;
        } else if (a < 0x1p-6f) {
            code = Math.round(a * 512f);
        } else {
            int e = Math.getExponent(a);
            int m = Math.round((a / (float) Math.scalb(1.0, e) - 1f) * 8f);
            code = ((e + 7) << 3) | m;
        }
        return (byte) (sign | code);
    }

    /**
     * The e4m3 code nearest to {@code v} (ties to even) after clamping to +-448: the same value as
     * {@code encode(round(v))}, by integer rounding of the float's bits (normal range) or of v x 2^9
     * (subnormal range).
     */
    public static byte encodeRounded(float v) {
        int sign = (Float.floatToRawIntBits(v) >>> 24) & 0x80;
        float a = Math.min(Math.abs(v), MAX);
        int code;
        if (a < 0x1p-6f) {
            code = (int) Math.rint(a * 512f);
        } else {
            int b = Float.floatToRawIntBits(a);
            b += 0x7FFFF + ((b >> 20) & 1);
            code = (b >> 20) - (120 << 3);
        }
        return (byte) (sign | code);
    }

    /** The ue8m0 scale for a block with absolute maximum {@code amax}: 2^ceil(log2(max(amax,1e-4)/448)). */
    public static float blockScale(float amax) {
        float a = Math.max(amax, 1e-4f) * (1f / MAX);
        int e = Math.getExponent(a);
        if ((Float.floatToRawIntBits(a) & 0x7FFFFF) != 0) {
            e++;
        }
        return Math.scalb(1f, e);
    }
}
