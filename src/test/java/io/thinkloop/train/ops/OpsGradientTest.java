package io.thinkloop.train.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.engine.kernel.Fp8;
import io.thinkloop.engine.kernel.Hadamard;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of every operation's backward pass, in double precision.
 *
 * <p>Design: the production operations are float32 (training runs in float32). Each check here holds
 * a second, independent forward of the operation written in {@code double} in this test; the loss
 * {@code L = Σ R·out} (R random) of that double forward is differentiated by central differences
 * ({@code h = 1e-6}, truncation and rounding error near 1e-10), and the result is compared with the
 * PRODUCTION float backward given {@code dOut = R}. Each check also compares the double forward with
 * the production float forward, so the finite differences are of the function the production code
 * computes. A wrong backward formula shows as a relative error near 1; float rounding stays below
 * 1e-5, and the bound is 1e-4.
 */
class OpsGradientTest {
    private static final double TOL = 1e-4;
    private final SplittableRandom rng = new SplittableRandom(7);

    // ---------------------------------------------------------------- helpers

    private float[] rand(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * rng.nextDouble() - 1);
        }
        return a;
    }

    private static double[] d(float[] a) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i];
        }
        return o;
    }

    /** Central differences of {@code f} at {@code x}, in double. */
    private static double[] numeric(ToDoubleFunction<double[]> f, double[] x) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double h = 1e-6 * Math.max(1, Math.abs(x[i]));
            double keep = x[i];
            x[i] = keep + h;
            double up = f.applyAsDouble(x);
            x[i] = keep - h;
            double down = f.applyAsDouble(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    private static void assertGradient(String what, double[] expected, float[] actual) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            num += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            den += expected[i] * expected[i];
        }
        assertTrue(den > 0, what + ": the numeric gradient is zero, the check would prove nothing");
        double rel = Math.sqrt(num / den);
        assertTrue(rel < TOL, what + ": relative error " + rel);
    }

    private static void assertForward(String what, double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    private static double dot(double[] r, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += r[i] * y[i];
        }
        return s;
    }

    // ---------------------------------------------------------------- linear, embedding

    private static double[] linearD(double[] x, double[] w, int rows, int out, int in) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    @Test
    void linearGradientsMatchFiniteDifferences() {
        int rows = 3, out = 5, in = 7;
        float[] x = rand(rows * in), w = rand(out * in), r = rand(rows * out);
        float[] y = new float[rows * out];
        Linear.forward(x, w, y, rows, out, in);
        assertForward("y", linearD(d(x), d(w), rows, out, in), y);
        float[] dx = new float[rows * in], dw = new float[out * in];
        Linear.backward(r, x, w, dx, false, dw, rows, out, in);
        assertGradient("dx", numeric(v -> dot(d(r), linearD(v, d(w), rows, out, in)), d(x)), dx);
        assertGradient("dw", numeric(v -> dot(d(r), linearD(d(x), v, rows, out, in)), d(w)), dw);
    }

    @Test
    void embeddingGradientSumsRepeatedTokens() {
        int vocab = 6, dim = 4;
        int[] tokens = {2, 5, 2, 0};
        float[] table = rand(vocab * dim), r = rand(tokens.length * dim);
        float[] out = new float[tokens.length * dim];
        Embedding.forward(table, tokens, out, dim);
        ToDoubleFunction<double[]> f = v -> {
            double s = 0;
            for (int t = 0; t < tokens.length; t++) {
                for (int i = 0; i < dim; i++) {
                    s += r[t * dim + i] * v[tokens[t] * dim + i];
                }
            }
            return s;
        };
        float[] dt = new float[vocab * dim];
        Embedding.backward(r, tokens, dt, dim);
        assertGradient("dTable", numeric(f, d(table)), dt);
        assertEquals(table[5 * dim + 1], out[dim + 1]);
    }

    // ---------------------------------------------------------------- norms

    private static double[] rmsD(double[] x, int stride, int rows, int n, double[] w, double eps) {
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += x[r * stride + i] * x[r * stride + i];
            }
            double inv = 1 / Math.sqrt(ss / n + eps);
            for (int i = 0; i < n; i++) {
                y[r * n + i] = x[r * stride + i] * inv * w[i];
            }
        }
        return y;
    }

    @Test
    void rmsNormGradientsMatchFiniteDifferencesOnAStridedRow() {
        int rows = 3, stride = 9, n = 6;
        float eps = 1e-6f;
        float[] x = rand(rows * stride), w = rand(n), r = rand(rows * n);
        float[] y = new float[rows * n], inv = new float[rows];
        Norm.rmsForward(x, stride, y, n, rows, n, w, eps, inv);
        assertForward("y", rmsD(d(x), stride, rows, n, d(w), eps), y);
        float[] dx = new float[rows * stride], dw = new float[n];
        Norm.rmsBackward(x, stride, r, n, dx, stride, rows, n, w, inv, dw);
        double[] ndx = numeric(v -> dot(d(r), rmsD(v, stride, rows, n, d(w), eps)), d(x));
        assertGradient("dx", ndx, dx);
        for (int r0 = 0; r0 < rows; r0++) {
            for (int i = n; i < stride; i++) {
                assertEquals(0f, dx[r0 * stride + i], "columns past the norm get no gradient");
            }
        }
        assertGradient("dw", numeric(v -> dot(d(r), rmsD(d(x), stride, rows, n, v, eps)), d(w)), dw);
    }

    private static double[] layerD(double[] x, int rows, int n, double[] w, double[] b, double eps) {
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            double m = 0;
            for (int i = 0; i < n; i++) {
                m += x[r * n + i];
            }
            m /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (x[r * n + i] - m) * (x[r * n + i] - m);
            }
            var /= n;
            for (int i = 0; i < n; i++) {
                y[r * n + i] = (x[r * n + i] - m) / Math.sqrt(var + eps) * w[i] + b[i];
            }
        }
        return y;
    }

    @Test
    void layerNormGradientsMatchFiniteDifferences() {
        int rows = 3, n = 8;
        float eps = 1e-6f;
        float[] x = rand(rows * n), w = rand(n), b = rand(n), r = rand(rows * n);
        float[] y = new float[rows * n], mean = new float[rows], inv = new float[rows];
        Norm.layerForward(x, y, rows, n, w, b, eps, mean, inv);
        assertForward("y", layerD(d(x), rows, n, d(w), d(b), eps), y);
        float[] dx = new float[rows * n], dw = new float[n], db = new float[n];
        Norm.layerBackward(x, r, dx, rows, n, w, mean, inv, dw, db);
        assertGradient("dx", numeric(v -> dot(d(r), layerD(v, rows, n, d(w), d(b), eps)), d(x)), dx);
        assertGradient("dw", numeric(v -> dot(d(r), layerD(d(x), rows, n, v, d(b), eps)), d(w)), dw);
        assertGradient("db", numeric(v -> dot(d(r), layerD(d(x), rows, n, d(w), v, eps)), d(b)), db);
    }

    // ---------------------------------------------------------------- rotary

    @Test
    void rotaryBackwardIsTheGradientInBothPairings() {
        int half = 4, pos = 3;
        float[] cos = new float[(pos + 1) * half], sin = new float[(pos + 1) * half];
        float[] freqs = {1f, 0.3f, 0.05f, 0.001f};
        for (int p = 0; p <= pos; p++) {
            for (int i = 0; i < half; i++) {
                cos[p * half + i] = (float) Math.cos(p * freqs[i]);
                sin[p * half + i] = (float) Math.sin(p * freqs[i]);
            }
        }
        for (boolean interleaved : new boolean[] {true, false}) {
            int off = 2;
            float[] x = rand(off + 2 * half), r = rand(off + 2 * half);
            ToDoubleFunction<double[]> f = v -> {
                double[] y = v.clone();
                for (int i = 0; i < half; i++) {
                    int a = interleaved ? off + 2 * i : off + i;
                    int b = interleaved ? off + 2 * i + 1 : off + i + half;
                    double c = cos[pos * half + i], s = sin[pos * half + i];
                    y[a] = v[a] * c - v[b] * s;
                    y[b] = v[a] * s + v[b] * c;
                }
                return dot(d(r), y);
            };
            float[] dx = r.clone();
            if (interleaved) {
                Rotary.interleaved(dx, off, pos, half, cos, sin, true);
            } else {
                Rotary.halves(dx, off, pos, half, cos, sin, true);
            }
            assertGradient(interleaved ? "interleaved" : "halves", numeric(f, d(x)), dx);
            float[] y = x.clone();
            if (interleaved) {
                Rotary.interleaved(y, off, pos, half, cos, sin, false);
                Rotary.interleaved(y, off, pos, half, cos, sin, true);
            } else {
                Rotary.halves(y, off, pos, half, cos, sin, false);
                Rotary.halves(y, off, pos, half, cos, sin, true);
            }
            assertArrayEquals(x, y, 1e-6f, "the inverse rotation undoes the rotation");
        }
    }

    // ---------------------------------------------------------------- attention

    @Test
    void attentionGradientsMatchFiniteDifferencesWithSparseSelections() {
        int n = 5, heads = 2, nope = 3, rope = 2, vd = 3, maxSel = 3;
        float scale = 0.45f;
        int[][] sel = {{0}, {0, 1}, {0, 2}, {1, 3}, {0, 2, 4}};
        int[] count = {1, 2, 2, 2, 3};
        Attention.Shape s = new Attention.Shape(n, heads, nope, rope, vd, scale, sel, count, maxSel);
        int qw = heads * (nope + rope), kw = heads * (nope + vd);
        float[] q = rand(n * qw), kvb = rand(n * kw), kpe = rand(n * rope), r = rand(n * heads * vd);
        float[] p = new float[heads * n * maxSel], out = new float[n * heads * vd];
        Attention.forward(s, q, kvb, kpe, p, out, null);
        assertForward("out", attentionD(s, d(q), d(kvb), d(kpe)), out);
        float[] dq = new float[q.length], dkvb = new float[kvb.length], dkpe = new float[kpe.length];
        Attention.backward(s, q, kvb, kpe, p, r, dq, dkvb, dkpe, null);
        assertGradient("dq", numeric(v -> dot(d(r), attentionD(s, v, d(kvb), d(kpe))), d(q)), dq);
        assertGradient("dkvb", numeric(v -> dot(d(r), attentionD(s, d(q), v, d(kpe))), d(kvb)), dkvb);
        assertGradient("dkpe", numeric(v -> dot(d(r), attentionD(s, d(q), d(kvb), v)), d(kpe)), dkpe);
    }

    private static double[] attentionD(Attention.Shape s, double[] q, double[] kvb, double[] kpe) {
        int heads = s.heads(), nope = s.nope(), rope = s.rope(), vd = s.vDim();
        int qk = nope + rope, kv = nope + vd;
        double[] out = new double[s.tokens() * heads * vd];
        for (int t = 0; t < s.tokens(); t++) {
            for (int h = 0; h < heads; h++) {
                int cnt = s.count()[t];
                double[] logit = new double[cnt];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < cnt; j++) {
                    int sp = s.sel()[t][j];
                    double dd = 0;
                    for (int i = 0; i < nope; i++) {
                        dd += q[(t * heads + h) * qk + i] * kvb[(sp * heads + h) * kv + i];
                    }
                    for (int i = 0; i < rope; i++) {
                        dd += q[(t * heads + h) * qk + nope + i] * kpe[sp * rope + i];
                    }
                    logit[j] = dd * s.scale();
                    max = Math.max(max, logit[j]);
                }
                double z = 0;
                for (int j = 0; j < cnt; j++) {
                    z += Math.exp(logit[j] - max);
                }
                for (int j = 0; j < cnt; j++) {
                    double pj = Math.exp(logit[j] - max) / z;
                    int sp = s.sel()[t][j];
                    for (int i = 0; i < vd; i++) {
                        out[(t * heads + h) * vd + i] += pj * kvb[(sp * heads + h) * kv + nope + i];
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- indexer

    private static double scoresD(double[] q, double[] k, double[] w, double[] r, int n, int heads, int dim) {
        double total = 0;
        for (int t = 0; t < n; t++) {
            for (int s = 0; s <= t; s++) {
                double sc = 0;
                for (int h = 0; h < heads; h++) {
                    double dd = 0;
                    for (int i = 0; i < dim; i++) {
                        dd += q[(t * heads + h) * dim + i] * k[s * dim + i];
                    }
                    sc += Math.max(0, dd) * w[t * heads + h];
                }
                total += r[t * n + s] * sc;
            }
        }
        return total;
    }

    @Test
    void indexerScoreGradientsMatchFiniteDifferences() {
        int n = 4, heads = 3, dim = 8;
        float[] q = rand(n * heads * dim), k = rand(n * dim), w = rand(n * heads), r = rand(n * n);
        float[] dq = new float[q.length], dk = new float[k.length], dw = new float[w.length];
        for (int t = 0; t < n; t++) {
            for (int s = 0; s <= t; s++) {
                IndexerOps.scoreBackward(q, k, w, t, s, heads, dim, r[t * n + s], dq, dk, dw);
            }
        }
        double full = 0;
        for (int t = 0; t < n; t++) {
            for (int s = 0; s <= t; s++) {
                full += r[t * n + s] * IndexerOps.score(q, k, w, t, s, heads, dim);
            }
        }
        assertEquals(scoresD(d(q), d(k), d(w), d(r), n, heads, dim), full, 1e-5);
        assertGradient("dq", numeric(v -> scoresD(v, d(k), d(w), d(r), n, heads, dim), d(q)), dq);
        assertGradient("dk", numeric(v -> scoresD(d(q), v, d(w), d(r), n, heads, dim), d(k)), dk);
        assertGradient("dw", numeric(v -> scoresD(d(q), d(k), v, d(r), n, heads, dim), d(w)), dw);
    }

    @Test
    void hadamardIsItsOwnBackward() {
        int n = 16;
        float scale = 0.25f;
        float[] x = rand(n), r = rand(n);
        ToDoubleFunction<double[]> f = v -> {
            double[] y = v.clone();
            for (int len = 1; len < n; len <<= 1) {
                for (int i = 0; i < n; i += len << 1) {
                    for (int j = i; j < i + len; j++) {
                        double a = y[j], b = y[j + len];
                        y[j] = a + b;
                        y[j + len] = a - b;
                    }
                }
            }
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += r[i] * y[i] * scale;
            }
            return s;
        };
        float[] dx = r.clone();
        Hadamard.transform(dx, 0, n, scale);
        assertGradient("dx", numeric(f, d(x)), dx);
    }

    @Test
    void straightThroughQuantisationRoundsToScaledE4m3() {
        float[] x = rand(256);
        x[7] = 3.1f; // the first block's maximum
        float[] q = x.clone();
        IndexerOps.quantizeSte(q, 0, 256);
        float scale = Fp8.blockScale(3.1f);
        for (int i = 0; i < 128; i++) {
            float code = q[i] / scale;
            assertEquals(Fp8.round(x[i] / scale), code, 0f, "value " + i);
            assertTrue(Math.abs(q[i] - x[i]) <= Math.abs(x[i]) / 16 + scale / 512, "value " + i);
        }
        float[] again = q.clone();
        IndexerOps.quantizeSte(again, 0, 256);
        assertArrayEquals(q, again, "quantised values are fixed points");
    }

    private static double klD(double[] attn, int tokens, int heads, int maxSel, int t, int cnt, double[] score) {
        double[] p = new double[cnt];
        double total = 0;
        for (int j = 0; j < cnt; j++) {
            for (int h = 0; h < heads; h++) {
                p[j] += attn[(h * tokens + t) * maxSel + j];
            }
            total += p[j];
        }
        double max = Arrays.stream(score, 0, cnt).max().orElseThrow();
        double z = 0;
        for (int j = 0; j < cnt; j++) {
            z += Math.exp(score[j] - max);
        }
        double kl = 0;
        for (int j = 0; j < cnt; j++) {
            double pj = p[j] / total;
            kl += pj * (Math.log(pj) - (score[j] - max - Math.log(z)));
        }
        return kl;
    }

    @Test
    void indexerKlGradientMatchesFiniteDifferences() {
        int tokens = 3, heads = 2, maxSel = 4, t = 2, cnt = 3;
        float[] attn = new float[heads * tokens * maxSel];
        for (int h = 0; h < heads; h++) {
            float[] p = rand(cnt);
            float sum = 0;
            for (int j = 0; j < cnt; j++) {
                p[j] = Math.abs(p[j]) + 0.05f;
                sum += p[j];
            }
            for (int j = 0; j < cnt; j++) {
                attn[(h * tokens + t) * maxSel + j] = p[j] / sum;
            }
        }
        float[] score = rand(cnt);
        float[] dScore = new float[cnt];
        double kl = IndexerOps.klRow(attn, tokens, heads, maxSel, t, cnt, score, dScore);
        assertEquals(klD(d(attn), tokens, heads, maxSel, t, cnt, d(score)), kl, 1e-6);
        assertTrue(kl > 0);
        assertGradient("dScore", numeric(v -> klD(d(attn), tokens, heads, maxSel, t, cnt, v), d(score)), dScore);
    }

    @Test
    void topKKeepsTheLargestWithTiesToTheLowerIndex() {
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rng.nextInt(40);
            int k = 1 + rng.nextInt(n);
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = rng.nextInt(6); // many ties
            }
            int[] out = new int[k];
            IndexerOps.topK(s, n, k, new int[n], out);
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> s[a] != s[b] ? Float.compare(s[b], s[a]) : Integer.compare(a, b));
            int[] expected = new int[k];
            for (int i = 0; i < k; i++) {
                expected[i] = idx[i];
            }
            Arrays.sort(expected);
            assertArrayEquals(expected, out, "n=" + n + " k=" + k + " scores " + Arrays.toString(s));
        }
    }

    // ---------------------------------------------------------------- MoE

    private static double routeD(MoeOps.Router r, double[] logits, int[] chosen, double[] dw) {
        int ne = r.experts();
        double[] s = new double[ne];
        if (r.sigmoid()) {
            for (int e = 0; e < ne; e++) {
                s[e] = 1 / (1 + Math.exp(-logits[e]));
            }
        } else {
            double z = 0;
            for (int e = 0; e < ne; e++) {
                z += Math.exp(logits[e]);
            }
            for (int e = 0; e < ne; e++) {
                s[e] = Math.exp(logits[e]) / z;
            }
        }
        double sum = 0;
        for (int c : chosen) {
            sum += s[c];
        }
        double total = 0;
        for (int j = 0; j < chosen.length; j++) {
            double w = (r.sigmoid() && r.normalise() ? s[chosen[j]] / sum : s[chosen[j]]) * r.scaling();
            total += dw[j] * w;
        }
        return total;
    }

    @Test
    void routingWeightGradientsMatchFiniteDifferencesForEachScoringRule() {
        MoeOps.Router[] routers = {
            new MoeOps.Router(8, 2, 1, 2, true, true, 2.5f),
            new MoeOps.Router(8, 1, 1, 3, true, false, 1.5f),
            new MoeOps.Router(8, 4, 2, 2, false, false, 1f)
        };
        for (MoeOps.Router r : routers) {
            float[] logits = rand(8), bias = rand(8), dw = rand(r.topk());
            float[] scores = new float[8], weights = new float[r.topk()];
            int[] chosen = new int[r.topk()];
            MoeOps.route(r, logits, 0, bias, false, scores, 0, chosen, weights, 0, new float[8], new float[r.groups()]);
            assertEquals(r.topk(), Arrays.stream(chosen).distinct().count(), "distinct experts");
            float[] dLogits = new float[8];
            MoeOps.routeBackward(r, scores, 0, chosen, 0, dw, dLogits, 0);
            double[] ones = new double[r.topk()];
            Arrays.fill(ones, 1);
            double wsum = 0;
            for (float w : weights) {
                wsum += w;
            }
            if (r.sigmoid() && r.normalise()) {
                assertEquals(r.scaling(), wsum, 1e-5, "normalised weights sum to the scaling factor");
            }
            assertEquals(routeD(r, d(logits), chosen, ones), wsum, 1e-5);
            assertGradient(r.toString(), numeric(v -> routeD(r, v, chosen, d(dw)), d(logits)), dLogits);
        }
    }

    @Test
    void groupLimitedRoutingChoosesOnlyInsideTheBestGroupsByBiasedScore() {
        MoeOps.Router r = new MoeOps.Router(8, 4, 1, 2, true, true, 1f);
        float[] logits = {3f, 3f, -1f, -1f, 0f, 0f, 2.5f, 0f};
        float[] bias = {0f, 0f, 0f, 0f, 0f, 0f, 0f, 5f}; // the bias lifts group 3 above group 0
        float[] scores = new float[8], weights = new float[2];
        int[] chosen = new int[2];
        MoeOps.route(r, logits, 0, bias, false, scores, 0, chosen, weights, 0, new float[8], new float[4]);
        float s6 = (float) (1 / (1 + Math.exp(-2.5))), s7 = 0.5f;
        assertEquals(s6 / (s6 + s7), weights[chosen[0] == 6 ? 0 : 1], 1e-6f, "weights ignore the bias");
        Arrays.sort(chosen);
        assertArrayEquals(new int[] {6, 7}, chosen);
    }

    private static double swigluD(double[] g, double[] u, double[] r) {
        double s = 0;
        for (int i = 0; i < g.length; i++) {
            s += r[i] * g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return s;
    }

    @Test
    void swigluGradientsMatchFiniteDifferences() {
        int n = 12;
        float[] g = rand(n), u = rand(n), r = rand(n);
        for (int i = 0; i < n; i++) {
            g[i] *= 4;
        }
        float[] a = new float[n];
        MoeOps.swiglu(g, u, a, n);
        assertEquals(swigluD(d(g), d(u), d(r)), dot(d(r), d(a)), 1e-5);
        float[] dg = new float[n], du = new float[n];
        MoeOps.swigluBackward(g, u, r, dg, du, n);
        assertGradient("dGate", numeric(v -> swigluD(v, d(u), d(r)), d(g)), dg);
        assertGradient("dUp", numeric(v -> swigluD(d(g), v, d(r)), d(u)), du);
    }

    // ---------------------------------------------------------------- cross-entropy

    @Test
    void weightedCrossEntropyGradientMatchesFiniteDifferences() {
        int rows = 3, vocab = 10;
        int[] target = {4, 0, 9};
        float[] weight = {1f, 0.5f, 2f};
        float[] logits = rand(rows * vocab);
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= 3;
        }
        ToDoubleFunction<double[]> f = v -> {
            double s = 0;
            for (int r = 0; r < rows; r++) {
                double z = 0;
                for (int j = 0; j < vocab; j++) {
                    z += Math.exp(v[r * vocab + j]);
                }
                s += weight[r] * (Math.log(z) - v[r * vocab + target[r]]);
            }
            return s;
        };
        double expected = f.applyAsDouble(d(logits));
        double[] num = numeric(f, d(logits));
        float[] g = logits.clone();
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            loss += CrossEntropy.row(g, r, vocab, target[r], weight[r], true);
        }
        assertEquals(expected, loss, 1e-5);
        assertGradient("dLogits", num, g);
    }
}
