package io.thinkloop.engine.sampling;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits for one generated sequence; its random generator and buffers belong to
 * that sequence (not thread-safe). After the first call, sampling allocates nothing: buffers grow to
 * the vocabulary once and are reused. The random generator is a {@link SplittableRandom} seeded from
 * {@link SamplingParams#seed()}, so a seed and the same logits give the same tokens on every run.
 *
 * <p>Truncation never sorts the whole vocabulary: top-k is a bounded heap over all logits (O(n log k))
 * and then needs exp only for its k candidates (the full normalizer is computed only when a
 * log-probability needs it); top-p first gathers the tokens above a probability threshold that provably contain the nucleus
 * (lowering it only when they do not add up to p), then sorts just those.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    /** exp((logit - max) / T) for every token. */
    private float[] weights = new float[0];
    /** Candidate ids (sorted most likely first when sorted = true). */
    private int[] candidates = new int[0];
    /** Sort keys of candidates: sortable logit in the high half, (MAX - id) in the low half. */
    private long[] keys = new long[0];

    private final long[] topKeys;

    private float lastLogprob = Float.NaN;
    private int topCount;
    private final int[] topIds;
    private final float[] topLogprobs;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed() != null ? params.seed() : new SecureRandom().nextLong());
        this.topIds = new int[params.topLogprobs()];
        this.topLogprobs = new float[params.topLogprobs()];
        this.topKeys = new long[params.topLogprobs()];
    }

    public SamplingParams params() {
        return params;
    }

    /** Picks a token from all of {@code logits}. */
    public int sample(float[] logits) {
        return sample(logits, logits.length);
    }

    /**
     * Picks a token from {@code logits[0, n)} (the model's vocabulary may be padded past the
     * tokenizer's: pass the real size). Fails on NaN logits or when every logit is -infinity.
     */
    public int sample(float[] logits, int n) {
        if (n <= 0 || n > logits.length) {
            throw new IllegalArgumentException("bad vocabulary size " + n + " for " + logits.length + " logits");
        }
        int argmax = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = logits[i];
            if (x > max) {
                max = x;
                argmax = i;
            } else if (x != x) {
                throw new IllegalArgumentException("logit " + i + " is NaN");
            }
        }
        if (argmax < 0) {
            throw new IllegalArgumentException("every logit is -infinity (or NaN): nothing can be sampled");
        }
        if (max == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("logit " + argmax + " is +infinity");
        }
        int chosen;
        double logZ = Double.NaN; // log of the normalizer at the temperature in use, when computed
        if (params.isGreedy()) {
            chosen = argmax;
        } else {
            ensureCapacity(n);
            double invT = 1.0 / params.temperature();
            if (params.topK() > 0 && params.topK() < n) {
                // Only the k candidates need weights: no pass of exp over the whole vocabulary.
                int count = selectTop(logits, n, params.topK(), keys, candidates);
                double norm = 0;
                for (int c = 0; c < count; c++) {
                    float w = (float) Math.exp((logits[candidates[c]] - max) * invT);
                    weights[candidates[c]] = w;
                    norm += w;
                }
                chosen = truncateAndDraw(count, norm);
            } else {
                double z = 0;
                for (int i = 0; i < n; i++) {
                    float w = (float) Math.exp((logits[i] - max) * invT);
                    weights[i] = w;
                    z += w;
                }
                logZ = Math.log(z);
                chosen = sampleUntruncatedByK(logits, n, z);
            }
        }
        if (params.logprobs() || params.topLogprobs() > 0) {
            computeLogprobs(logits, n, max, chosen, logZ);
        }
        return chosen;
    }

    /** Sampling without top-k: weights of every token are in {@link #weights}, summing to z. */
    private int sampleUntruncatedByK(float[] logits, int n, double z) {
        if (params.topP() < 1) {
            return truncateAndDraw(gatherNucleus(logits, n, z), z);
        }
        if (params.minP() > 0) {
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (weights[i] >= params.minP()) {
                    candidates[count++] = i;
                }
            }
            return truncateAndDraw(count, z);
        }
        return draw(z, n);
    }

    /**
     * Applies top-p (against {@code norm}: the top-k mass, or the whole vocabulary's) and min-p to the
     * candidates (most likely first when top-p is on), then draws one of those left.
     */
    private int truncateAndDraw(int count, double norm) {
        if (params.topP() < 1) {
            double target = params.topP() * norm;
            double cum = 0;
            int keep = 0;
            while (keep < count) {
                cum += weights[candidates[keep++]];
                if (cum >= target) {
                    break;
                }
            }
            count = keep;
        }
        if (params.minP() > 0) {
            // Weights are relative to the most likely token (its weight is exactly 1).
            int keep = 0;
            for (int c = 0; c < count; c++) {
                if (weights[candidates[c]] >= params.minP()) {
                    candidates[keep++] = candidates[c];
                }
            }
            count = keep;
        }
        double mass = 0;
        for (int c = 0; c < count; c++) {
            mass += weights[candidates[c]];
        }
        double u = random.nextDouble() * mass;
        double cum = 0;
        for (int c = 0; c < count; c++) {
            cum += weights[candidates[c]];
            if (cum > u) {
                return candidates[c];
            }
        }
        return candidates[0]; // rounding left u at the very top: the most likely candidate
    }

    /** Draws from all n tokens in id order. */
    private int draw(double z, int n) {
        double u = random.nextDouble() * z;
        double cum = 0;
        int lastPositive = -1;
        for (int i = 0; i < n; i++) {
            float w = weights[i];
            if (w > 0) {
                cum += w;
                lastPositive = i;
                if (cum > u) {
                    return i;
                }
            }
        }
        return lastPositive;
    }

    /**
     * Puts into candidates, most likely first, a set of tokens that contains the top-p nucleus: all
     * tokens with probability at least t, for the largest t (of a few) whose set reaches p.
     */
    private int gatherNucleus(float[] logits, int n, double z) {
        double target = params.topP() * z;
        double threshold = 1e-3 * z;
        while (true) {
            int count = 0;
            double mass = 0;
            for (int i = 0; i < n; i++) {
                float w = weights[i];
                if (w >= threshold) {
                    keys[count++] = sortKey(logits[i], i);
                    mass += w;
                }
            }
            if (mass >= target || threshold == 0) {
                sortDescending(keys, count);
                for (int c = 0; c < count; c++) {
                    candidates[c] = idOf(keys[c]);
                }
                return count;
            }
            threshold = threshold > 1e-12 * z ? threshold / 64 : 0;
        }
    }

    /** The k most likely ids (by logit; lower id first on ties) into out, most likely first. */
    private static int selectTop(float[] logits, int n, int k, long[] heap, int[] out) {
        int size = 0;
        for (int i = 0; i < n; i++) {
            long key = sortKey(logits[i], i);
            if (size < k) {
                heapPush(heap, size++, key);
            } else if (key > heap[0]) {
                heapReplaceRoot(heap, size, key);
            }
        }
        // Pop the min-heap from the back: the array ends up sorted most likely first.
        for (int end = size - 1; end > 0; end--) {
            long min = heap[0];
            heapReplaceRoot(heap, end, heap[end]);
            heap[end] = min;
        }
        for (int c = 0; c < size; c++) {
            out[c] = idOf(heap[c]);
        }
        return size;
    }

    private void computeLogprobs(float[] logits, int n, float max, int chosen, double processedLogZ) {
        boolean processed = params.logprobMode() == LogprobMode.PROCESSED && params.temperature() > 0;
        double scale = processed ? 1.0 / params.temperature() : 1.0;
        double logZ = processed ? processedLogZ : Double.NaN;
        if (Double.isNaN(logZ)) {
            double z = 0;
            for (int i = 0; i < n; i++) {
                z += Math.exp((logits[i] - max) * scale);
            }
            logZ = Math.log(z);
        }
        lastLogprob = (float) ((logits[chosen] - max) * scale - logZ);
        int top = Math.min(params.topLogprobs(), n);
        topCount = top > 0 ? selectTop(logits, n, top, topKeys, topIds) : 0;
        for (int c = 0; c < topCount; c++) {
            topLogprobs[c] = (float) ((logits[topIds[c]] - max) * scale - logZ);
        }
    }

    private void ensureCapacity(int n) {
        if (weights.length < n) {
            weights = new float[n];
            candidates = new int[n];
            keys = new long[n];
        }
    }

    /** The log-probability of the last sampled token (NaN unless logprobs were asked for). */
    public float logprob() {
        return lastLogprob;
    }

    /** How many alternatives the last call reported (the top_logprobs setting, capped by the vocabulary). */
    public int topCount() {
        return topCount;
    }

    /** The id of the i-th most likely token at the last call. */
    public int topId(int i) {
        if (i < 0 || i >= topCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return topIds[i];
    }

    public float topLogprob(int i) {
        if (i < 0 || i >= topCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return topLogprobs[i];
    }

    /** Samples and returns the token with its log-probabilities as a value (allocates; for callers off the hot path). */
    public TokenSample next(float[] logits, int n) {
        int id = sample(logits, n);
        int[] ids = new int[topCount];
        float[] lps = new float[topCount];
        System.arraycopy(topIds, 0, ids, 0, topCount);
        System.arraycopy(topLogprobs, 0, lps, 0, topCount);
        return new TokenSample(id, lastLogprob, ids, lps);
    }

    // Keys order tokens by logit, then by lower id: larger key = more likely.
    static long sortKey(float logit, int id) {
        int bits = Float.floatToRawIntBits(logit);
        int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ((long) sortable << 32) | (0x7FFFFFFFL - id);
    }

    static int idOf(long key) {
        return (int) (0x7FFFFFFFL - (key & 0xFFFFFFFFL));
    }

    private static void heapPush(long[] h, int size, long v) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (h[parent] <= v) {
                break;
            }
            h[i] = h[parent];
            i = parent;
        }
        h[i] = v;
    }

    /** Replaces the minimum of the heap h[0, size) by v and restores the heap. */
    private static void heapReplaceRoot(long[] h, int size, long v) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && h[child + 1] < h[child]) {
                child++;
            }
            if (v <= h[child]) {
                break;
            }
            h[i] = h[child];
            i = child;
        }
        h[i] = v;
    }

    /** In-place heapsort of a[0, n), largest first; no allocation, O(n log n). */
    static void sortDescending(long[] a, int n) {
        // Build a min-heap, then move each minimum to the back.
        for (int i = 1; i < n; i++) {
            heapPush(a, i, a[i]);
        }
        for (int end = n - 1; end > 0; end--) {
            long min = a[0];
            heapReplaceRoot(a, end, a[end]);
            a[end] = min;
        }
    }
}
