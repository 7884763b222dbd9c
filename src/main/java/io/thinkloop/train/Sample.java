package io.thinkloop.train;

/**
 * One training sequence as the loop sees it: V3.2 token ids and the weight of each position's next-token loss
 * ({@code lossWeight[t]} weighs the prediction of {@code tokens[t + 1]}; 0 for text the model does not write).
 * The SFT data's {@code TrainingExample} lines read into this (see {@link TrainingData}).
 */
public record Sample(String id, String split, int[] tokens, float[] lossWeight) {
    public Sample {
        if (tokens.length < 2) {
            throw new IllegalArgumentException("sample " + id + ": needs at least 2 tokens, has " + tokens.length);
        }
        if (lossWeight.length != tokens.length - 1) {
            throw new IllegalArgumentException("sample " + id + ": lossWeight has " + lossWeight.length
                    + " entries, expected tokens - 1 = " + (tokens.length - 1));
        }
        for (float w : lossWeight) {
            if (!(w >= 0) || Float.isInfinite(w)) {
                throw new IllegalArgumentException("sample " + id + ": loss weights must be finite and >= 0");
            }
        }
    }

    public double weightSum() {
        double s = 0;
        for (float w : lossWeight) {
            s += w;
        }
        return s;
    }
}
