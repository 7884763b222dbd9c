package io.thinkloop.cli;

import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.SyntheticCheckpoint;
import io.thinkloop.train.AdamW;
import io.thinkloop.train.DeepSeekTrainee;
import io.thinkloop.train.ModelCost;
import io.thinkloop.train.ProgressLine;
import io.thinkloop.train.TrainConfig;
import io.thinkloop.train.TrainingData;
import io.thinkloop.train.TrainingLoop;
import io.thinkloop.train.model.Stage;
import io.thinkloop.train.model.TrainableModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop train sft}: supervised fine-tuning on the SFT data's JSONL ({@code TrainingExample} lines,
 * V3.2 ids, loss weight 1 where the model writes). The model starts from {@code --init} (an engine checkpoint) or
 * from a fresh configuration of the given size; the run writes {@code metrics.jsonl}, {@code report.html} and
 * checkpoints whose {@code model/} folder the engine loads. Every option and the data are checked before anything
 * is written: a bad value is one line and exit status 2.
 */
@Command(
        name = "sft",
        mixinStandardHelpOptions = true,
        description = "Supervised fine-tuning: AdamW, warm-up + cosine, clipping, accumulation, exact resume.")
public final class TrainSftCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, description = "JSONL of TrainingExample lines (splits train/eval).")
    Path data;

    @Option(names = "--out", required = true, description = "Run directory (metrics, report, checkpoints).")
    Path out;

    @Option(names = "--init", description = "Start from this engine checkpoint instead of a fresh model.")
    Path init;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.")
    boolean resume;

    @Option(
            names = "--vocab",
            defaultValue = "129280",
            description = "Fresh model: vocabulary (default ${DEFAULT-VALUE}).")
    int vocab;

    @Option(
            names = "--hidden",
            defaultValue = "256",
            description = "Fresh model: hidden size (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "4", description = "Fresh model: layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(
            names = "--heads",
            defaultValue = "4",
            description = "Fresh model: attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(
            names = "--experts",
            defaultValue = "8",
            description = "Fresh model: routed experts (default ${DEFAULT-VALUE}).")
    int experts;

    @Option(
            names = "--active-experts",
            defaultValue = "2",
            description = "Fresh model: experts per token (default ${DEFAULT-VALUE}).")
    int activeExperts;

    @Option(
            names = "--index-topk",
            defaultValue = "128",
            description = "Fresh model: DSA keys per query (default ${DEFAULT-VALUE}).")
    int indexTopk;

    @Option(
            names = "--stage",
            defaultValue = "SPARSE",
            description = "SPARSE (default) or DENSE_WARMUP (only the indexer learns).")
    Stage stage;

    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "3e-4", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--warmup",
            defaultValue = "100",
            description = "Warm-up steps (default ${DEFAULT-VALUE}, at most --steps).")
    int warmup;

    @Option(
            names = "--min-lr-ratio",
            defaultValue = "0.1",
            description = "Final learning rate / peak (default ${DEFAULT-VALUE}).")
    double minLrRatio;

    @Option(
            names = "--weight-decay",
            defaultValue = "0.1",
            description = "AdamW decay of matrices (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(
            names = "--clip",
            defaultValue = "1.0",
            description = "Global gradient norm limit, 0 = none (default ${DEFAULT-VALUE}).")
    double clip;

    @Option(
            names = "--bias-gamma",
            defaultValue = "0.001",
            description = "MoE balancing bias update per step (default ${DEFAULT-VALUE}).")
    float biasGamma;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of init and data order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "Threads of the model's kernels (default: available processors).")
    Integer threads;

    @Option(names = "--eval-every", defaultValue = "100", description = "Eval interval in steps, 0 = only at the end.")
    int evalEvery;

    @Option(
            names = "--checkpoint-every",
            defaultValue = "500",
            description = "Checkpoint interval in steps, 0 = only at the end.")
    int checkpointEvery;

    @Option(
            names = "--keep-checkpoints",
            defaultValue = "2",
            description = "Newest checkpoints kept (default ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        TrainConfig config = validate(n);
        TrainingData sets;
        if (!Files.isRegularFile(data)) {
            throw bad("--data " + data + " is not a file");
        }
        try {
            sets = TrainingData.readJsonl(data);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (sets.train().isEmpty()) {
            throw bad("--data " + data + " has no training examples (split 'train')");
        }
        Optional<Path> previous = TrainingLoop.latestCheckpoint(out);
        if (resume && previous.isEmpty()) {
            throw bad("--resume: " + out + " holds no checkpoint to continue");
        }
        if (!resume && previous.isPresent()) {
            throw bad("--out " + out + " already holds a run; pass --resume to continue it or choose another --out");
        }
        Path modelDir = resume ? previous.get().resolve("model") : init;
        if (modelDir != null && !Files.isRegularFile(modelDir.resolve("config.json"))) {
            throw bad((resume ? "the checkpoint " : "--init ") + modelDir + " has no config.json");
        }
        ModelConfig shape = modelDir != null ? ModelConfig.read(modelDir.resolve("config.json")) : freshConfig();
        if (sets.maxTokenId() >= shape.vocabSize()) {
            throw bad("the data use token id " + sets.maxTokenId() + " but the model's vocabulary has "
                    + shape.vocabSize() + " entries");
        }

        TrainableModel model =
                modelDir != null ? TrainableModel.load(modelDir, n) : TrainableModel.create(shape, seed, n);
        try (DeepSeekTrainee trainee = new DeepSeekTrainee(model, stage, biasGamma)) {
            ProgressLine progress =
                    new ProgressLine(System.err, ProgressLine.stderrIsTerminal(), Math.max(1, steps / 100));
            TrainingLoop loop = new TrainingLoop(trainee, sets, config, out, progress);
            if (resume) {
                try {
                    loop.resume(previous.get());
                } catch (IllegalArgumentException e) {
                    throw bad("--resume: " + e.getMessage());
                }
            }
            ModelCost cost = ModelCost.of(shape);
            loop.describe("model", describe(shape))
                    .describe(
                            "parameters (embedding + head)",
                            String.format(Locale.ROOT, "%,d (%,d)", cost.parameters(), cost.embeddingAndHead()))
                    .describe("stage", stage.name())
                    .describe("data", data.toString())
                    .describe("init", init == null ? (resume ? "resumed" : "fresh, seed " + seed) : init.toString())
                    .describe("threads", Integer.toString(n));
            System.out.printf(
                    Locale.ROOT,
                    "train sft: %s, %,d parameters; %d train / %d eval sequences; %s step %d of %d; %d threads%n",
                    describe(shape),
                    cost.parameters(),
                    sets.train().size(),
                    sets.eval().size(),
                    resume ? "resuming at" : "starting at",
                    loop.step(),
                    steps,
                    n);
            TrainingLoop.Result r = loop.run();
            System.out.printf(
                    Locale.ROOT,
                    "done: %d steps, train loss %.4f, eval loss %s, %,d tokens in %s (%.0f tokens/s)%n",
                    r.step(),
                    r.lastLoss(),
                    Double.isNaN(r.lastEvalLoss()) ? "-" : String.format(Locale.ROOT, "%.4f", r.lastEvalLoss()),
                    r.tokens(),
                    ProgressLine.formatDuration(r.seconds()),
                    r.tokens() / Math.max(r.seconds(), 1e-9));
            System.out.println(
                    "model checkpoint (engine): " + r.lastCheckpoint().resolve("model"));
            System.out.println("report: " + out.resolve("report.html"));
        }
        return 0;
    }

    private TrainConfig validate(int n) {
        positive("--steps", steps);
        positive("--batch", batch);
        if (warmup < 0 || warmup > steps) {
            throw bad("--warmup must be 0.." + steps + " (at most --steps), got " + warmup);
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw bad("--lr must be a positive number, got " + lr);
        }
        if (!(minLrRatio >= 0 && minLrRatio <= 1)) {
            throw bad("--min-lr-ratio must be in [0, 1], got " + minLrRatio);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw bad("--weight-decay must be >= 0, got " + weightDecay);
        }
        if (!(clip >= 0) || !Double.isFinite(clip)) {
            throw bad("--clip must be >= 0, got " + clip);
        }
        if (!(biasGamma >= 0) || !Float.isFinite(biasGamma)) {
            throw bad("--bias-gamma must be >= 0, got " + biasGamma);
        }
        positive("--threads", n);
        if (evalEvery < 0) {
            throw bad("--eval-every must be >= 0, got " + evalEvery);
        }
        if (checkpointEvery < 0) {
            throw bad("--checkpoint-every must be >= 0, got " + checkpointEvery);
        }
        positive("--keep-checkpoints", keepCheckpoints);
        if (resume && init != null) {
            throw bad("--init and --resume exclude each other (a resumed run continues from its checkpoint)");
        }
        if (init == null && !resume) {
            positive("--vocab", vocab);
            positive("--hidden", hidden);
            positive("--layers", layers);
            positive("--heads", heads);
            positive("--experts", experts);
            positive("--index-topk", indexTopk);
            if (activeExperts < 1 || activeExperts > experts) {
                throw bad("--active-experts must be 1.." + experts + " (at most --experts), got " + activeExperts);
            }
        }
        return new TrainConfig(
                steps,
                batch,
                lr,
                warmup,
                minLrRatio,
                new AdamW.Settings(0.9, 0.95, 1e-8, weightDecay),
                clip,
                seed,
                evalEvery,
                checkpointEvery,
                keepCheckpoints);
    }

    private void positive(String name, int value) {
        if (value < 1) {
            throw bad(name + " must be >= 1, got " + value);
        }
    }

    /** The fresh model's configuration: the default embedded model's shape family at the chosen size. */
    ModelConfig freshConfig() {
        return SyntheticCheckpoint.config(
                vocab, hidden, layers, heads, heads, experts, activeExperts, hidden, 2 * hidden, indexTopk, 163840);
    }

    static String describe(ModelConfig c) {
        return String.format(
                Locale.ROOT,
                "vocab %d, hidden %d, %d layers, %d heads, %d experts top-%d, index top-k %d",
                c.vocabSize(),
                c.hiddenSize(),
                c.numHiddenLayers(),
                c.numAttentionHeads(),
                c.nRoutedExperts(),
                c.numExpertsPerTok(),
                c.indexTopk());
    }
}
