package io.thinkloop.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;

/**
 * The settings of a training run. {@code batch} sequences (micro-batches) are accumulated into one update; the
 * learning rate follows {@link LrSchedule}; {@code clipNorm} caps the global gradient norm (0: no clipping);
 * eval runs every {@code evalEvery} updates and at the end (0: only at the end), a checkpoint is written every
 * {@code checkpointEvery} updates and at the end (0: only at the end), of which the newest {@code keepCheckpoints}
 * are kept. {@code seed} fixes the data order (and, through the caller, the initial weights).
 */
public record TrainConfig(
        int steps,
        int batch,
        double lr,
        int warmupSteps,
        double minLrRatio,
        AdamW.Settings adam,
        double clipNorm,
        long seed,
        int evalEvery,
        int checkpointEvery,
        int keepCheckpoints) {
    public TrainConfig {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clip norm must be >= 0, got " + clipNorm);
        }
        if (evalEvery < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("eval and checkpoint intervals must be >= 0");
        }
        if (keepCheckpoints < 1) {
            throw new IllegalArgumentException("keep-checkpoints must be >= 1, got " + keepCheckpoints);
        }
        new LrSchedule(lr, warmupSteps, steps, minLrRatio); // validates steps, lr, warm-up, ratio
    }

    public LrSchedule schedule() {
        return new LrSchedule(lr, warmupSteps, steps, minLrRatio);
    }

    public TrainConfig withSteps(int newSteps) {
        return new TrainConfig(
                newSteps,
                batch,
                lr,
                warmupSteps,
                minLrRatio,
                adam,
                clipNorm,
                seed,
                evalEvery,
                checkpointEvery,
                keepCheckpoints);
    }

    ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("steps", steps);
        n.put("batch", batch);
        n.put("lr", lr);
        n.put("warmupSteps", warmupSteps);
        n.put("minLrRatio", minLrRatio);
        n.put("beta1", adam.beta1());
        n.put("beta2", adam.beta2());
        n.put("eps", adam.eps());
        n.put("weightDecay", adam.weightDecay());
        n.put("clipNorm", clipNorm);
        n.put("seed", seed);
        n.put("evalEvery", evalEvery);
        n.put("checkpointEvery", checkpointEvery);
        n.put("keepCheckpoints", keepCheckpoints);
        return n;
    }

    static TrainConfig fromJson(JsonNode n) {
        return new TrainConfig(
                n.path("steps").asInt(),
                n.path("batch").asInt(),
                n.path("lr").asDouble(),
                n.path("warmupSteps").asInt(),
                n.path("minLrRatio").asDouble(),
                new AdamW.Settings(
                        n.path("beta1").asDouble(),
                        n.path("beta2").asDouble(),
                        n.path("eps").asDouble(),
                        n.path("weightDecay").asDouble()),
                n.path("clipNorm").asDouble(),
                n.path("seed").asLong(),
                n.path("evalEvery").asInt(),
                n.path("checkpointEvery").asInt(),
                n.path("keepCheckpoints").asInt());
    }
}
