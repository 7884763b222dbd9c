package io.thinkloop.cli;

import io.thinkloop.train.GradientCheck;
import io.thinkloop.train.GradientReference;
import io.thinkloop.train.model.Stage;
import io.thinkloop.train.model.TrainableModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop train gradcheck --checkpoint DIR [--reference DIR]}: runs the Java trainer's
 * forward and backward pass in each DSA stage over the reference's tokens and compares every gradient
 * with PyTorch autograd's (relative L2 error below 1e-4), one line per tensor and loss, then
 * {@code N passed, M failed}. Exit status 0 when all pass, 1 when any fails, 2 on bad input.
 */
@Command(
        name = "gradcheck",
        mixinStandardHelpOptions = true,
        description = "Compare the trainer's gradients with reference gradients (PyTorch autograd) per tensor.")
public final class TrainGradcheckCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory (config.json, safetensors).")
    Path checkpoint;

    @Option(
            names = "--reference",
            description = "Reference gradients directory (reference.json, sparse.safetensors,"
                    + " dense_warmup.safetensors); default: the checkpoint's sibling in a '-gradients'"
                    + " folder, e.g. golden/dsv32-tiny/sparse -> golden/dsv32-tiny-gradients/sparse.")
    Path reference;

    @Option(names = "--tolerance", description = "Largest relative error that passes (default: ${DEFAULT-VALUE}).")
    double tolerance = GradientCheck.DEFAULT_TOLERANCE;

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    Integer threads;

    @Option(names = "--failures-only", description = "Print only the failing lines (and the summary).")
    boolean failuresOnly;

    /** The default place of a checkpoint's reference gradients. */
    static Path defaultReference(Path checkpoint) {
        Path abs = checkpoint.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || parent.getParent() == null) {
            return abs.resolve("gradients");
        }
        return parent.resolveSibling(parent.getFileName() + "-gradients").resolve(abs.getFileName());
    }

    @Override
    public Integer call() {
        Path ref = reference != null ? reference : defaultReference(checkpoint);
        if (!Files.isDirectory(checkpoint)) {
            System.out.println("error: no checkpoint directory " + checkpoint);
            System.out.println("0 passed, 1 failed");
            return ThinkloopCli.EXIT_USAGE;
        }
        GradientReference r;
        try {
            r = GradientReference.read(ref);
        } catch (RuntimeException e) {
            System.out.println("error: " + e.getMessage() + " (give --reference DIR)");
            System.out.println("0 passed, 1 failed");
            return ThinkloopCli.EXIT_USAGE;
        }
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        GradientCheck.Result result;
        try (TrainableModel m = TrainableModel.load(checkpoint, n)) {
            System.out.printf(
                    "checkpoint %s, reference %s (%s), %d tokens, tolerance %.1e%n",
                    checkpoint, ref, r.generator(), r.tokens().length, tolerance);
            result = GradientCheck.run(
                    m.parameters(),
                    (stage, tokens, weights) -> m.forwardBackward(tokens, weights, stage(stage)),
                    r,
                    tolerance);
        } catch (RuntimeException e) {
            System.out.println("error: " + e.getMessage());
            System.out.println("0 passed, 1 failed");
            return ThinkloopCli.EXIT_FAILED;
        }
        for (GradientCheck.Line line : result.lines()) {
            if (!failuresOnly || !line.passed()) {
                System.out.println(line.format());
            }
        }
        System.out.println(result.summary());
        return result.failed() == 0 ? 0 : ThinkloopCli.EXIT_FAILED;
    }

    static Stage stage(String name) {
        try {
            return Stage.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the reference names an unknown stage '" + name + "'", e);
        }
    }
}
