package io.thinkloop.cli;

import io.smallrye.mutiny.Multi;
import io.thinkloop.backend.embedded.EmbeddedDefault;
import io.thinkloop.backend.embedded.GenerationEngine;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.engine.InferenceState;
import io.thinkloop.engine.Model;
import io.thinkloop.engine.Vocabulary;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.tokenizer.BundledTokenizer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop engine generate}: a quick prompt through the embedded engine. With {@code --prompt},
 * the text is encoded as a user message by the codec (chat or thinking mode; {@code --raw} sends it as
 * is), tokenized, and the completion is streamed to stdout, speed on stderr. Without {@code --checkpoint}
 * the untrained embedded default is used (generated if missing), and the command says so. With
 * {@code --tokens} it is greedy decoding over token ids (no tokenizer), printing one id per line.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Generate from a prompt (--prompt TEXT) or greedily over token ids (--tokens 1,2,3).")
public final class EngineGenerateCommand implements Callable<Integer> {
    @Option(
            names = "--checkpoint",
            description = "Checkpoint directory (default: the embedded default model, generated if missing).")
    Path checkpoint;

    @Option(names = "--prompt", description = "Prompt text (a user message unless --raw).")
    String prompt;

    @Option(names = "--raw", description = "Send --prompt to the model as is, without the chat template.")
    boolean raw;

    /** The chat template's mode; picocli rejects anything else before the command runs. */
    enum Mode {
        chat,
        thinking
    }

    @Option(
            names = "--mode",
            defaultValue = "thinking",
            description = "Chat template mode: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--tokens", split = ",", description = "Prompt token ids, comma-separated (greedy, prints ids).")
    int[] tokens;

    @Option(
            names = {"--max-tokens", "--max"},
            defaultValue = "32",
            description = "Tokens to generate (default ${DEFAULT-VALUE}).")
    int max;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling (default ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "Top-k sampling, 0 = off (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", description = "Sampling seed (default: random).")
    Long seed;

    @Option(
            names = "--stop",
            split = ",",
            description = "Token ids that end generation in --tokens mode (e.g. the EOS id).")
    int[] stop;

    @Option(
            names = "--data-dir",
            description = "Data directory holding models/embedded-SEED (default: thinkloop.data-dir, "
                    + "THINKLOOP_DATA_DIR or ~/.local/share/thinkloop).")
    Path dataDir;

    @Option(
            names = "--model-seed",
            defaultValue = "" + EmbeddedDefault.DEFAULT_SEED,
            description = "Seed of the embedded default model's weights (default ${DEFAULT-VALUE}).")
    long modelSeed;

    @Option(names = "--threads", description = "Worker threads (default: available processors).")
    Integer threads;

    @Override
    public Integer call() {
        if ((tokens == null) == (prompt == null)) {
            System.err.println("error: give exactly one of --prompt TEXT or --tokens IDS");
            return 2;
        }
        // Before the default checkpoint is generated: bad values cost nothing.
        String bad = max < 1
                ? "--max-tokens must be at least 1, got " + max
                : !(temperature >= 0)
                        ? "--temperature must be >= 0, got " + temperature
                        : !(topP > 0 && topP <= 1)
                                ? "--top-p must be in (0, 1], got " + topP
                                : topK < 0
                                        ? "--top-k must be >= 0, got " + topK
                                        : threads != null && threads < 1
                                                ? "--threads must be at least 1, got " + threads
                                                : null;
        if (bad != null) {
            System.err.println("error: " + bad);
            return 2;
        }
        try {
            Path dir = resolveCheckpoint();
            return tokens != null ? generateIds(dir) : generateText(dir);
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private Path resolveCheckpoint() {
        if (checkpoint != null) {
            if (EmbeddedDefault.isUntrained(checkpoint)) {
                System.err.println("WARNING: " + EmbeddedDefault.UNTRAINED_NOTICE);
            }
            return checkpoint;
        }
        Path data = dataDir != null ? dataDir : defaultDataDir();
        boolean existed =
                Files.exists(EmbeddedDefault.directory(data, modelSeed).resolve("model.safetensors"));
        long t0 = System.nanoTime();
        Path dir = EmbeddedDefault.ensure(data, modelSeed);
        if (!existed) {
            System.err.printf(
                    "generated the embedded default checkpoint in %s (%.1f s)%n", dir, (System.nanoTime() - t0) / 1e9);
        }
        System.err.println("WARNING: " + EmbeddedDefault.UNTRAINED_NOTICE);
        return dir;
    }

    static Path defaultDataDir() {
        String p = System.getProperty("thinkloop.data-dir");
        if (p == null) {
            p = System.getenv("THINKLOOP_DATA_DIR");
        }
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".local", "share", "thinkloop");
    }

    private Model load(Path dir) {
        return threads == null ? Model.load(dir) : Model.load(dir, threads);
    }

    private int generateText(Path dir) {
        long t0 = System.nanoTime();
        Model m = load(dir);
        long t1 = System.nanoTime();
        String text = raw
                ? prompt
                : DeepSeekV32Codec.encode(
                        List.of(ChatMessage.user(prompt)),
                        mode == Mode.chat ? ThinkingMode.CHAT : ThinkingMode.THINKING,
                        true,
                        true);
        ThinkingMode tm = mode == Mode.chat || raw ? ThinkingMode.CHAT : ThinkingMode.THINKING;
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (GenerationEngine engine =
                new GenerationEngine(m, Vocabulary.forCheckpoint(dir, BundledTokenizer.get()), 1 << 16, 128, 0)) {
            long t2 = System.nanoTime();
            long[] firstToken = {0};
            ModelChunk.Usage usage = Multi.createBy()
                    .concatenating()
                    .streams(engine.stream(new CompletionRequest(
                            List.of(),
                            List.of(),
                            tm,
                            text,
                            new CompletionRequest.Sampling(max, temperature, topP, topK, seed, List.of()))))
                    .onItem()
                    .invoke(c -> {
                        if (c instanceof ModelChunk.Text t) {
                            if (firstToken[0] == 0) {
                                firstToken[0] = System.nanoTime();
                            }
                            out.print(t.text());
                        }
                    })
                    .select()
                    .where(c -> c instanceof ModelChunk.Usage)
                    .map(c -> (ModelChunk.Usage) c)
                    .toUni()
                    .await()
                    .indefinitely();
            long t3 = System.nanoTime();
            out.println();
            double decodeS = (t3 - firstToken[0]) / 1e9;
            System.err.printf(
                    "load %.2f s; prompt %d tokens, first token after %.2f s; %d tokens generated, "
                            + "%.1f tokens/s after the first%n",
                    (t1 - t0) / 1e9,
                    usage.promptTokens(),
                    (firstToken[0] - t2) / 1e9,
                    usage.completionTokens(),
                    usage.completionTokens() > 1 ? (usage.completionTokens() - 1) / decodeS : 0.0);
        }
        return 0;
    }

    private int generateIds(Path dir) {
        try (Model m = load(dir)) {
            InferenceState s = m.newState(tokens.length + max);
            long t0 = System.nanoTime();
            float[] logits = m.prefill(s, tokens);
            long t1 = System.nanoTime();
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                int next = argmax(logits);
                out.add(next);
                System.out.println(next);
                if (stop != null && Arrays.stream(stop).anyMatch(x -> x == next)) {
                    break;
                }
                if (i + 1 < max) {
                    logits = m.decode(s, next);
                }
            }
            long t2 = System.nanoTime();
            System.err.printf(
                    "prefill %d tokens in %.1f ms; %d generated in %.1f ms (%.2f tokens/s)%n",
                    tokens.length, (t1 - t0) / 1e6, out.size(), (t2 - t1) / 1e6, out.size() / ((t2 - t1) / 1e9));
            return 0;
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
