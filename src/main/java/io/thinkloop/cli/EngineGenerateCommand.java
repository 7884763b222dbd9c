package io.thinkloop.cli;

import io.thinkloop.engine.InferenceState;
import io.thinkloop.engine.Model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop engine generate --checkpoint DIR --tokens 1,2,3 --max 20}: greedy decoding over
 * token ids (no tokenizer), printing the generated ids and the speed.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Greedy generation over token ids (prompt as comma-separated ids).")
public final class EngineGenerateCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory.")
    Path checkpoint;

    @Option(names = "--tokens", required = true, split = ",", description = "Prompt token ids, comma-separated.")
    int[] tokens;

    @Option(names = "--max", defaultValue = "32", description = "Tokens to generate (default ${DEFAULT-VALUE}).")
    int max;

    @Option(names = "--stop", split = ",", description = "Token ids that end generation (e.g. the EOS id).")
    int[] stop;

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    Integer threads;

    @Override
    public Integer call() {
        try (Model m = threads == null ? Model.load(checkpoint) : Model.load(checkpoint, threads)) {
            InferenceState s = m.newState(tokens.length + max);
            long t0 = System.nanoTime();
            float[] logits = m.prefill(s, tokens);
            long t1 = System.nanoTime();
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                int next = argmax(logits);
                out.add(next);
                System.out.println(next);
                if (stop != null && java.util.Arrays.stream(stop).anyMatch(x -> x == next)) {
                    break;
                }
                if (i + 1 < max) {
                    logits = m.decode(s, next);
                }
            }
            long t2 = System.nanoTime();
            System.err.printf("prefill %d tokens in %.1f ms; %d generated in %.1f ms (%.2f tokens/s)%n", tokens.length,
                    (t1 - t0) / 1e6, out.size(), (t2 - t1) / 1e6, out.size() / ((t2 - t1) / 1e9));
            return 0;
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static int argmax(float[] x) {
        int a = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[a]) {
                a = i;
            }
        }
        return a;
    }
}
