package io.thinkloop.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.engine.checkpoint.ModelConfig;
import io.thinkloop.engine.checkpoint.SyntheticCheckpoint;
import io.thinkloop.json.Json;
import io.thinkloop.train.ModelCost;
import io.thinkloop.train.Parameter;
import io.thinkloop.train.Rng;
import io.thinkloop.train.model.Stage;
import io.thinkloop.train.model.TrainableModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf train}: forward+backward tokens/s of the Java trainer for one configuration and, side by
 * side in the same run, of the PyTorch reference model ({@code src/test/python/dsv32_torch.py}, eager CPU float32)
 * on the same weights, sequence length and thread count, with the ratio Java/PyTorch. {@code --sweep} first
 * prints what candidate sizes cost (parameters, forward MFLOP/token), the figures the default size is chosen by.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Training throughput: Java forward+backward tokens/s vs PyTorch eager CPU on the same model;"
                + " --sweep: parameters and MFLOP/token of candidate sizes.")
public final class TrainPerfCommand implements Callable<Integer> {
    static final Path TORCH_SCRIPT = Path.of("src", "test", "python", "train_throughput.py");
    static final Path TORCH_MODEL = Path.of("src", "test", "python", "dsv32_torch.py");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--vocab", defaultValue = "8192", description = "Vocabulary (default ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden size (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "4", description = "Layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--experts", defaultValue = "8", description = "Routed experts (default ${DEFAULT-VALUE}).")
    int experts;

    @Option(
            names = "--active-experts",
            defaultValue = "2",
            description = "Experts per token (default ${DEFAULT-VALUE}).")
    int activeExperts;

    @Option(
            names = "--index-topk",
            defaultValue = "128",
            description = "DSA keys per query (default ${DEFAULT-VALUE}).")
    int indexTopk;

    @Option(names = "--seq-len", defaultValue = "256", description = "Tokens per sequence (default ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--iters", defaultValue = "3", description = "Timed passes per side (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed passes first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", description = "Threads, both sides (default: available processors).")
    Integer threads;

    @Option(
            names = "--python",
            defaultValue = "/usr/bin/python3",
            description = "Python with torch (default ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--skip-torch", description = "Measure the Java side only.")
    boolean skipTorch;

    @Option(names = "--sweep", description = "Print parameters and MFLOP/token of candidate sizes first.")
    boolean sweep;

    @Option(names = "--sweep-only", description = "Print the size sweep and stop.")
    boolean sweepOnly;

    @Option(
            names = "--sweep-measure",
            description = "In the sweep, also measure Java forward+backward tokens/s of every size (slow).")
    boolean sweepMeasure;

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        for (String[] v : new String[][] {
            {"--vocab", "" + vocab},
            {"--hidden", "" + hidden},
            {"--layers", "" + layers},
            {"--heads", "" + heads},
            {"--experts", "" + experts},
            {"--index-topk", "" + indexTopk},
            {"--iters", "" + iters},
            {"--threads", "" + n}
        }) {
            if (Integer.parseInt(v[1]) < 1) {
                throw bad(v[0] + " must be >= 1, got " + v[1]);
            }
        }
        if (seqLen < 2) {
            throw bad("--seq-len must be >= 2, got " + seqLen);
        }
        if (warmup < 0) {
            throw bad("--warmup must be >= 0, got " + warmup);
        }
        if (activeExperts < 1 || activeExperts > experts) {
            throw bad("--active-experts must be 1.." + experts + ", got " + activeExperts);
        }
        if (sweep || sweepOnly || sweepMeasure) {
            sweep(n);
            if (sweepOnly) {
                return 0;
            }
        }
        ModelConfig c = config(vocab, hidden, layers);
        ModelCost cost = ModelCost.of(c);
        System.out.printf(
                Locale.ROOT,
                "perf train: %s; %,d parameters (%.0f%% embedding + head); forward %.1f MFLOP/token in linear layers"
                        + " + %.1f attention at %d tokens; %d threads%n",
                TrainSftCommand.describe(c),
                cost.parameters(),
                100.0 * cost.embeddingAndHead() / cost.parameters(),
                cost.forwardFlopsPerToken() / 1e6,
                cost.attentionFlopsPerToken(seqLen) / 1e6,
                seqLen,
                n);
        Path dir = Files.createTempDirectory("thinkloop-perf-train-");
        try (TrainableModel model = TrainableModel.create(c, 1, n)) {
            double javaTps = javaTokensPerSecond(model, seqLen, warmup, iters);
            double flops = 3 * (cost.forwardFlopsPerToken() + cost.attentionFlopsPerToken(seqLen));
            System.out.printf(
                    Locale.ROOT,
                    "Java:    %10.1f tokens/s forward+backward (seq %d, %d timed passes) = %.2f GFLOP/s at ~3x forward%n",
                    javaTps,
                    seqLen,
                    iters,
                    javaTps * flops / 1e9);
            if (skipTorch) {
                System.out.println("PyTorch: skipped (--skip-torch)");
                return 0;
            }
            String why = torchMissing();
            if (why != null) {
                System.out.println("PyTorch: skipped: " + why);
                return 0;
            }
            model.save(dir);
            TorchResult t = runTorch(dir, n);
            if (t.error() != null) {
                System.out.println("PyTorch: skipped: " + t.error());
                return 0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "PyTorch: %10.1f tokens/s forward+backward (torch %s eager CPU float32, %d threads, same weights)%n",
                    t.tokensPerS(),
                    t.version(),
                    t.threads());
            System.out.printf(
                    Locale.ROOT,
                    "ratio Java/PyTorch: %.2fx (goal >= 1.0x)%s%n",
                    javaTps / t.tokensPerS(),
                    javaTps >= t.tokensPerS() ? "" : "  MISSED");
        } finally {
            TempFiles.deleteTree(dir);
        }
        return 0;
    }

    ModelConfig config(int v, int h, int l) {
        return SyntheticCheckpoint.config(v, h, l, heads, heads, experts, activeExperts, h, 2 * h, indexTopk, 163840);
    }

    /** Forward+backward of one random sequence, best of {@code iters} after {@code warmup} untimed passes. */
    static double javaTokensPerSecond(TrainableModel model, int seqLen, int warmup, int iters) {
        Rng r = new Rng(1);
        int[] tokens = new int[seqLen];
        for (int i = 0; i < seqLen; i++) {
            tokens[i] = r.nextInt(model.config().vocabSize());
        }
        float[] w = new float[seqLen - 1];
        Arrays.fill(w, 1f);
        for (int i = 0; i < warmup; i++) {
            pass(model, tokens, w);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            pass(model, tokens, w);
        }
        double secs = (System.nanoTime() - t0) / 1e9 / iters;
        return seqLen / secs;
    }

    private static void pass(TrainableModel model, int[] tokens, float[] w) {
        for (Parameter p : model.parameters()) {
            p.zeroGrad();
        }
        model.forwardBackward(tokens, w, Stage.SPARSE);
    }

    /** Why the PyTorch side cannot run here, or null. */
    private String torchMissing() {
        if (!Files.isRegularFile(TORCH_SCRIPT)) {
            return TORCH_SCRIPT + " not found (run from the repository root)";
        }
        if (!Files.isRegularFile(TORCH_MODEL)) {
            return TORCH_MODEL + " (the PyTorch reference model) not found in this checkout";
        }
        if (!Files.isExecutable(Path.of(python))) {
            return python + " not found";
        }
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch")
                    .redirectErrorStream(true)
                    .start();
            String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                return python + " cannot import torch ("
                        + outText.lines().reduce((a, b) -> b).orElse("") + ")";
            }
        } catch (IOException e) {
            return "cannot run " + python + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    record TorchResult(double tokensPerS, int threads, String version, String error) {}

    private TorchResult runTorch(Path checkpoint, int n) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                python,
                TORCH_SCRIPT.toString(),
                "--checkpoint",
                checkpoint.toString(),
                "--seq-len",
                Integer.toString(seqLen),
                "--threads",
                Integer.toString(n),
                "--iters",
                Integer.toString(iters),
                "--warmup",
                Integer.toString(Math.min(warmup, 1))));
        Path log = Files.createTempFile("thinkloop-perf-train-torch-", ".log");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                    .start();
            String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(1, TimeUnit.HOURS)) {
                p.destroyForcibly();
                return new TorchResult(0, 0, "", "the PyTorch run did not finish within an hour");
            }
            String last = outText.lines()
                    .filter(l -> !l.isBlank())
                    .reduce((a, b) -> b)
                    .orElse("");
            JsonNode j;
            try {
                j = Json.MAPPER.readTree(last);
            } catch (IOException e) {
                String err = Files.readString(log).lines().reduce((a, b) -> b).orElse("no output");
                return new TorchResult(0, 0, "", "the PyTorch run failed (exit " + p.exitValue() + "): " + err);
            }
            if (j == null || j.has("error") || !j.has("tokens_per_s")) {
                return new TorchResult(
                        0, 0, "", j == null ? "no result" : j.path("error").asText("no result"));
            }
            return new TorchResult(
                    j.path("tokens_per_s").asDouble(),
                    j.path("threads").asInt(),
                    j.path("torch").asText(),
                    null);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Parameters and forward cost of the candidate sizes: vocabulary 8k/16k/32k, hidden 128/256, 2/4 layers. */
    private void sweep(int n) {
        System.out.printf(
                Locale.ROOT,
                "size sweep (heads %d, %d experts top-%d, MoE inter = hidden, dense inter = 2 x hidden;"
                        + " attention at %d tokens, DSA top-k %d)%n",
                heads,
                experts,
                activeExperts,
                seqLen,
                indexTopk);
        System.out.printf(
                Locale.ROOT,
                "%7s %6s %6s %12s %9s %12s %11s %9s %11s%s%n",
                "vocab",
                "hidden",
                "layers",
                "params",
                "emb+head",
                "active/tok",
                "fwd MFLOP",
                "head",
                "attn MFLOP",
                sweepMeasure ? "   Java f+b tok/s" : "");
        for (int v : new int[] {8192, 16384, 32768}) {
            for (int h : new int[] {128, 256}) {
                for (int l : new int[] {2, 4}) {
                    ModelConfig c = config(v, h, l);
                    ModelCost cost = ModelCost.of(c);
                    String measured = "";
                    if (sweepMeasure) {
                        try (TrainableModel m = TrainableModel.create(c, 1, n)) {
                            measured = String.format(
                                    Locale.ROOT, "   %14.1f", javaTokensPerSecond(m, seqLen, 1, Math.max(1, iters)));
                        }
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "%7d %6d %6d %11.2fM %8.0f%% %11.2fM %11.2f %8.0f%% %11.2f%s%n",
                            v,
                            h,
                            l,
                            cost.parameters() / 1e6,
                            100.0 * cost.embeddingAndHead() / cost.parameters(),
                            cost.activeMatmulWeights() / 1e6,
                            cost.forwardFlopsPerToken() / 1e6,
                            100 * cost.headShare(),
                            cost.attentionFlopsPerToken(seqLen) / 1e6,
                            measured);
                }
            }
        }
        ModelCost today = ModelCost.of(config(129280, 256, 4));
        System.out.printf(
                Locale.ROOT,
                "for reference, today's default (vocab 129280, hidden 256, 4 layers): %.1fM parameters, %.1f MFLOP/token"
                        + " forward (%.0f%% output head)%n",
                today.parameters() / 1e6,
                today.forwardFlopsPerToken() / 1e6,
                100 * today.headShare());
    }
}
