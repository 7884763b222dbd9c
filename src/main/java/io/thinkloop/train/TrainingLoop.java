package io.thinkloop.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The optimisation loop over a {@link Trainable}: per update it takes the next {@code batch} sequences of the
 * shuffled training data, accumulates their gradients, divides by the batch's total loss weight (so the update
 * follows the mean loss per weighted token whatever the batch), clips the global norm, and applies AdamW with the
 * scheduled learning rate to the float32 master weights.
 *
 * <p>Everything that decides the next update is in a checkpoint: weights, Adam moments and step count, the
 * model's non-gradient buffers, the generator's state and the data cursor (epoch, position, and the seed of the
 * epoch's permutation). The loop itself runs sequences one after another and reduces in a fixed order, so a run
 * resumed from a checkpoint ends with the same bits as one that never stopped (for a fixed thread count of the
 * model's kernels, whose own reductions are fixed per thread count).
 *
 * <p>Output directory: {@code metrics.jsonl}, {@code report.html}, {@code checkpoints/step-NNNNNNNN/}
 * ({@code state.json}, {@code optimizer.safetensors}, and {@code model/}, the engine checkpoint, when the model
 * can write one) and {@code checkpoints/latest} naming the newest.
 */
public final class TrainingLoop {
    static final String STATE_FORMAT = "thinkloop-train-state-1";

    /** What a run reached: its last step, losses (NaN when not measured), tokens and where it checkpointed. */
    public record Result(
            int step, double lastLoss, double lastEvalLoss, long tokens, double seconds, Path lastCheckpoint) {}

    private static final TrainingHooks NO_HOOKS = new TrainingHooks() {};

    private final Trainable model;
    private final TrainingHooks hooks;
    private final List<Parameter> params;
    private final TrainingData data;
    private final TrainConfig config;
    private final Path outDir;
    private final ProgressLine progress;
    private final AdamW adam;
    private final Rng rng;
    private final long dataFingerprint;
    private final MetricsLog metrics;
    private final Map<String, String> description = new LinkedHashMap<>();

    private int epoch;
    private int index;
    private long permutationSeed;
    private int[] permutation;
    private int step;
    private long tokensSeen;
    private double secondsBefore;
    private double lastLoss = Double.NaN;
    private double lastEval = Double.NaN;
    private Path lastCheckpoint;

    public TrainingLoop(Trainable model, TrainingData data, TrainConfig config, Path outDir, ProgressLine progress) {
        if (data.train().isEmpty()) {
            throw new IllegalArgumentException("no training sequences (split 'train')");
        }
        this.model = model;
        this.hooks = model instanceof TrainingHooks h ? h : NO_HOOKS;
        this.params = List.copyOf(model.parameters());
        this.data = data;
        this.config = config;
        this.outDir = outDir;
        this.progress = progress;
        this.adam = new AdamW(params, config.adam());
        this.rng = Rng.of(config.seed(), "data-order");
        this.dataFingerprint = TrainingData.fingerprint(data.train());
        this.metrics = new MetricsLog(outDir.resolve("metrics.jsonl"));
        this.permutationSeed = rng.nextLong();
        this.permutation = new Rng(permutationSeed).permutation(data.train().size());
    }

    /** Lines for the report's summary (model size, data, command), shown before the loop's own figures. */
    public TrainingLoop describe(String key, String value) {
        description.put(key, value);
        return this;
    }

    public int step() {
        return step;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** The newest checkpoint under {@code outDir}, if any. */
    public static Optional<Path> latestCheckpoint(Path outDir) {
        Path latest = outDir.resolve("checkpoints").resolve("latest");
        if (!Files.isRegularFile(latest)) {
            return Optional.empty();
        }
        try {
            Path dir = outDir.resolve("checkpoints")
                    .resolve(Files.readString(latest).trim());
            return Files.isRegularFile(dir.resolve("state.json")) ? Optional.of(dir) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + latest + ": " + e.getMessage(), e);
        }
    }

    /** Runs to the configured number of steps. */
    public Result run() {
        return runUntil(config.steps());
    }

    /**
     * Runs updates until {@code stopStep} (at most the configured steps), evaluating and checkpointing on schedule;
     * stopping early writes a checkpoint at the stop, from which {@link #resume} continues exactly.
     */
    public Result runUntil(int stopStep) {
        int stop = Math.min(stopStep, config.steps());
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + outDir + ": " + e.getMessage(), e);
        }
        LrSchedule schedule = config.schedule();
        long t0 = System.nanoTime();
        int firstStep = step;
        while (step < stop) {
            double lr = schedule.at(step);
            long ts = System.nanoTime();
            for (Parameter p : params) {
                p.zeroGrad();
            }
            List<Sample> batch = new ArrayList<>(config.batch());
            for (int i = 0; i < config.batch(); i++) {
                batch.add(nextSample());
            }
            BatchLoss loss = accumulate(batch);
            double meanLoss = loss.meanLoss();
            if (!Double.isFinite(meanLoss) || !Double.isFinite(loss.auxLoss)) {
                throw new IllegalStateException(String.format(
                        Locale.ROOT,
                        "loss is not finite at step %d (%s): lower the learning rate or check the data",
                        step + 1,
                        meanLoss));
            }
            double norm = clipGlobalNorm(params, config.clipNorm());
            adam.step(lr);
            hooks.afterOptimizerStep();
            step++;
            tokensSeen += loss.tokens;
            lastLoss = meanLoss;
            double stepSeconds = (System.nanoTime() - ts) / 1e9;

            ObjectNode rec = Json.MAPPER.createObjectNode();
            rec.put("step", step);
            rec.put("loss", meanLoss);
            rec.put("aux_loss", loss.tokens == 0 ? 0 : loss.auxLoss / loss.tokens);
            rec.put("lr", lr);
            rec.put("grad_norm", norm);
            rec.put("tokens", loss.tokens);
            rec.put("tokens_total", tokensSeen);
            rec.put("tokens_per_s", loss.tokens / Math.max(stepSeconds, 1e-9));
            rec.put("epoch", epoch);
            boolean evalDue = (config.evalEvery() > 0 && step % config.evalEvery() == 0) || step == config.steps();
            if (evalDue && !data.eval().isEmpty()) {
                lastEval = evalLoss();
                rec.put("eval_loss", lastEval);
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            rec.put("elapsed_s", secondsBefore + elapsed);
            metrics.append(rec);

            double rate = tokensSeen == 0 ? 0 : sumTokensSince(firstStep, elapsed);
            double eta = elapsed / (step - firstStep) * (config.steps() - step);
            progress.update(step, config.steps(), meanLoss, lastEval, lr, rate, eta);

            boolean checkpointDue = (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0)
                    || step == config.steps()
                    || step == stop;
            if (checkpointDue) {
                secondsBefore += elapsed;
                t0 = System.nanoTime();
                firstStep = step;
                tokensAtMark = tokensSeen;
                lastCheckpoint = checkpoint(secondsBefore);
                writeReport();
            }
        }
        progress.finish();
        return new Result(step, lastLoss, lastEval, tokensSeen, secondsBefore, lastCheckpoint);
    }

    private long tokensAtMark;

    private double sumTokensSince(int firstStep, double elapsed) {
        return (tokensSeen - tokensAtMark) / Math.max(elapsed, 1e-9);
    }

    /** The summed losses of a batch, its total weight and token count. */
    record BatchLoss(double lmLossSum, double weightSum, double auxLoss, long tokens) {
        double meanLoss() {
            return weightSum == 0 ? 0 : lmLossSum / weightSum;
        }
    }

    /**
     * Runs forward and backward over each sequence of {@code batch} in order (gradient accumulation), then scales
     * the summed gradients by {@code 1/Σ weight}: the update follows the mean loss per weighted token over the
     * whole batch, so long and short sequences count by the tokens they teach. The auxiliary loss's gradient
     * (indexer KL) gets the same factor.
     */
    BatchLoss accumulate(List<Sample> batch) {
        double lm = 0;
        double w = 0;
        double aux = 0;
        long tokens = 0;
        for (Sample s : batch) {
            Trainable.StepLoss l = model.forwardBackward(s.tokens(), s.lossWeight());
            lm += l.lmLossSum();
            w += l.weightSum();
            aux += l.auxLoss();
            tokens += s.tokens().length;
        }
        double denom = w > 0 ? w : Math.max(1, tokens);
        float scale = (float) (1 / denom);
        for (Parameter p : params) {
            float[] g = p.grad();
            for (int i = 0; i < g.length; i++) {
                g[i] *= scale;
            }
        }
        return new BatchLoss(lm, w, aux, tokens);
    }

    /**
     * Scales all gradients together so that their global L2 norm is at most {@code maxNorm} (0: unchanged) and
     * returns the norm before clipping. The norm is summed in double, in parameter order.
     */
    public static double clipGlobalNorm(List<Parameter> params, double maxNorm) {
        double sq = 0;
        for (Parameter p : params) {
            for (float g : p.grad()) {
                sq += (double) g * g;
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float f = (float) (maxNorm / (norm + 1e-6));
            for (Parameter p : params) {
                float[] g = p.grad();
                for (int i = 0; i < g.length; i++) {
                    g[i] *= f;
                }
            }
        }
        return norm;
    }

    /** The mean loss per weighted token over the eval split (NaN when it is empty); training state is untouched. */
    public double evalLoss() {
        double lm = 0;
        double w = 0;
        for (Sample s : data.eval()) {
            Trainable.StepLoss l = hooks.evalLoss(s.tokens(), s.lossWeight());
            if (l == null) {
                l = model.forwardBackward(s.tokens(), s.lossWeight());
                for (Parameter p : params) {
                    p.zeroGrad();
                }
            }
            lm += l.lmLossSum();
            w += l.weightSum();
        }
        return w == 0 ? Double.NaN : lm / w;
    }

    private Sample nextSample() {
        if (index == permutation.length) {
            epoch++;
            index = 0;
            permutationSeed = rng.nextLong();
            permutation = new Rng(permutationSeed).permutation(data.train().size());
        }
        return data.train().get(permutation[index++]);
    }

    // ---- checkpoints ----

    private Path checkpoint(double seconds) {
        Path root = outDir.resolve("checkpoints");
        String name = String.format(Locale.ROOT, "step-%08d", step);
        Path dir = root.resolve(name);
        Path tmp = root.resolve(name + ".partial");
        try {
            Files.createDirectories(root);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Map<String, StateFile.Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                tensors.put("param." + p.name(), new StateFile.Tensor(p.shape(), p.value()));
                tensors.put("adam_m." + p.name(), new StateFile.Tensor(p.shape(), adam.firstMoment(i)));
                tensors.put("adam_v." + p.name(), new StateFile.Tensor(p.shape(), adam.secondMoment(i)));
            }
            for (Parameter b : hooks.buffers()) {
                tensors.put("buffer." + b.name(), new StateFile.Tensor(b.shape(), b.value()));
            }
            StateFile.write(tmp.resolve("optimizer.safetensors"), tensors);

            ObjectNode state = Json.MAPPER.createObjectNode();
            state.put("format", STATE_FORMAT);
            state.put("step", step);
            state.put("adamSteps", adam.steps());
            state.put("rng", rng.state());
            ObjectNode cursor = state.putObject("cursor");
            cursor.put("epoch", epoch);
            cursor.put("index", index);
            cursor.put("permutationSeed", permutationSeed);
            state.put("dataFingerprint", dataFingerprint);
            state.put("trainSequences", data.train().size());
            state.put("tokensSeen", tokensSeen);
            state.put("seconds", seconds);
            state.put("lastLoss", lastLoss);
            state.put("lastEvalLoss", lastEval);
            state.set("config", config.toJson());
            ArrayNode ps = state.putArray("parameters");
            for (Parameter p : params) {
                ObjectNode n = ps.addObject();
                n.put("name", p.name());
                n.set("shape", Json.MAPPER.valueToTree(p.shape()));
            }
            Files.writeString(
                    tmp.resolve("state.json"),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(state),
                    StandardCharsets.UTF_8);
            if (hooks.canWriteCheckpoint()) {
                hooks.writeCheckpoint(tmp.resolve("model"));
            }
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            Path latestTmp = root.resolve("latest.partial");
            Files.writeString(latestTmp, name + "\n", StandardCharsets.UTF_8);
            Files.move(latestTmp, root.resolve("latest"), StandardCopyOption.REPLACE_EXISTING);
            prune(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
        progress.note("checkpoint " + dir);
        return dir;
    }

    private void prune(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.list(root)) {
            all = s.filter(p -> p.getFileName().toString().matches("step-\\d{8}"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
        for (int i = 0; i < all.size() - config.keepCheckpoints(); i++) {
            deleteTree(all.get(i));
        }
    }

    /**
     * Restores everything a checkpoint saved, so that the following updates equal those of the run that wrote it.
     * The model's parameters must have the same names and shapes, the training data the same fingerprint, and the
     * settings must be the same except the number of steps (which may extend the run; the cosine then follows the
     * new length).
     */
    public void resume(Path checkpointDir) {
        try {
            JsonNode state = Json.MAPPER.readTree(Files.readString(checkpointDir.resolve("state.json")));
            if (!STATE_FORMAT.equals(state.path("format").asText())) {
                throw new IllegalArgumentException(checkpointDir + " is not a training checkpoint of this format");
            }
            TrainConfig saved = TrainConfig.fromJson(state.path("config"));
            if (!saved.withSteps(config.steps()).equals(config)) {
                throw new IllegalArgumentException("the checkpoint's settings differ from this run's: saved "
                        + saved.toJson() + ", now " + config.toJson());
            }
            if (state.path("dataFingerprint").asLong() != dataFingerprint) {
                throw new IllegalArgumentException(
                        "the training data differ from the data the checkpoint was trained on");
            }
            JsonNode ps = state.path("parameters");
            if (ps.size() != params.size()) {
                throw new IllegalArgumentException(
                        "the checkpoint has " + ps.size() + " parameters, the model " + params.size());
            }
            Map<String, StateFile.Tensor> tensors = StateFile.read(checkpointDir.resolve("optimizer.safetensors"));
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                String name = ps.get(i).path("name").asText();
                if (!name.equals(p.name())) {
                    throw new IllegalArgumentException(
                            "parameter " + i + " is " + name + " in the checkpoint, " + p.name() + " in the model");
                }
                copy(tensors, "param." + name, p.shape(), p.value());
                copy(tensors, "adam_m." + name, p.shape(), adam.firstMoment(i));
                copy(tensors, "adam_v." + name, p.shape(), adam.secondMoment(i));
            }
            for (Parameter b : hooks.buffers()) {
                copy(tensors, "buffer." + b.name(), b.shape(), b.value());
            }
            adam.restoreSteps(state.path("adamSteps").asLong());
            rng.restore(state.path("rng").asLong());
            JsonNode cursor = state.path("cursor");
            epoch = cursor.path("epoch").asInt();
            index = cursor.path("index").asInt();
            permutationSeed = cursor.path("permutationSeed").asLong();
            permutation = new Rng(permutationSeed).permutation(data.train().size());
            step = state.path("step").asInt();
            tokensSeen = state.path("tokensSeen").asLong();
            tokensAtMark = tokensSeen;
            secondsBefore = state.path("seconds").asDouble();
            lastLoss = state.path("lastLoss").asDouble(Double.NaN);
            lastEval = state.path("lastEvalLoss").asDouble(Double.NaN);
            lastCheckpoint = checkpointDir;
            metrics.truncateAfter(step);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + checkpointDir + ": " + e.getMessage(), e);
        }
    }

    private static void copy(Map<String, StateFile.Tensor> tensors, String name, int[] shape, float[] into) {
        StateFile.Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("the checkpoint lacks " + name);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + " has shape " + Arrays.toString(t.shape())
                    + " in the checkpoint, " + Arrays.toString(shape) + " in the model");
        }
        System.arraycopy(t.values(), 0, into, 0, into.length);
    }

    /** Rewrites {@code report.html} from the whole {@code metrics.jsonl}. */
    public void writeReport() {
        Map<String, String> summary = new LinkedHashMap<>(description);
        long paramCount = 0;
        for (Parameter p : params) {
            paramCount += p.size();
        }
        summary.put("parameters", String.format(Locale.ROOT, "%,d", paramCount));
        summary.put(
                "train / eval sequences",
                data.train().size() + " / " + data.eval().size());
        summary.put("steps", step + " of " + config.steps());
        summary.put(
                "batch, lr, warm-up, min lr ratio",
                config.batch() + ", " + config.lr() + ", " + config.warmupSteps() + ", " + config.minLrRatio());
        summary.put(
                "AdamW (beta1, beta2, eps, weight decay), clip",
                config.adam().beta1() + ", " + config.adam().beta2() + ", "
                        + config.adam().eps() + ", " + config.adam().weightDecay() + ", " + config.clipNorm());
        summary.put("seed", Long.toString(config.seed()));
        summary.put("tokens seen", String.format(Locale.ROOT, "%,d", tokensSeen));
        summary.put("training time", ProgressLine.formatDuration(secondsBefore));
        summary.put("last train loss", String.format(Locale.ROOT, "%.4f", lastLoss));
        summary.put("last eval loss", Double.isNaN(lastEval) ? "-" : String.format(Locale.ROOT, "%.4f", lastEval));
        TrainingReport.write(
                outDir.resolve("report.html"), "Training run " + outDir.getFileName(), summary, metrics.readAll());
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
