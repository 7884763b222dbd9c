package io.thinkloop.train;

/**
 * The training run's random generator (SplitMix64). Its whole state is one {@code long}, so a checkpoint
 * stores it exactly and a resumed run draws the very numbers the uninterrupted run would have drawn; the
 * JDK's generators hide their state or serialise it in a form tied to the JDK.
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The generator {@code stream} of {@code seed}: independent streams for init, data order and sampling. */
    public static Rng of(long seed, String stream) {
        Rng r = new Rng(seed ^ (stream.hashCode() * 0xBF58476D1CE4E5B9L));
        r.nextLong();
        return r;
    }

    public long state() {
        return state;
    }

    public void restore(long state) {
        this.state = state;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)}, without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        while (true) {
            long r = nextLong() >>> 1;
            long v = r % bound;
            if (r - v + (bound - 1) >= 0) {
                return (int) v;
            }
        }
    }

    /** Uniform in {@code [0, 1)} with 24 bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1p-24f;
    }

    /** Uniform in {@code [0, 1)} with 53 bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1p-53;
    }

    /** A standard normal draw (Box-Muller, one value per call so the state stays a single long). */
    public double nextGaussian() {
        double u = 1.0 - nextDouble();
        double v = nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A permutation of {@code 0..n-1} (Fisher-Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
