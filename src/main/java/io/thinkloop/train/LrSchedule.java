package io.thinkloop.train;

/**
 * The learning rate per step: linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then a cosine
 * decay to {@code peak·minRatio} at {@code totalSteps}. Warm-up keeps Adam's first updates, whose second moment
 * is estimated from few gradients, small; the cosine ends the run at a low rate where the loss settles.
 */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {
    public LrSchedule {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + peak);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warm-up must be 0.." + totalSteps + " steps, got " + warmupSteps);
        }
        if (!(minRatio >= 0 && minRatio <= 1)) {
            throw new IllegalArgumentException("minimum ratio must be in [0, 1], got " + minRatio);
        }
    }

    /** The rate of update {@code step} (0-based): the first update of a warm-up already moves ({@code peak/warmup}). */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = totalSteps - warmupSteps;
        if (decaySteps <= 1) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (decaySteps - 1));
        double min = peak * minRatio;
        return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
