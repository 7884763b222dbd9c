package io.thinkloop.cli;

import io.thinkloop.synth.Domains;
import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.Tokenizer;
import io.thinkloop.train.sft.Rendering;
import io.thinkloop.train.sft.SftData;
import io.thinkloop.train.sft.TrainingExample;
import io.thinkloop.train.sft.Trajectory;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./thinkloop train data}: writes the supervised data set, trajectories of synthesized tasks rendered as the
 * agent prompts the model, as {@link TrainingExample} JSONL (train and eval split by database seed).
 */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Write SFT examples (JSONL: id, split, db_seed, tokens, loss_weight) from synthesized tasks.")
public final class TrainDataCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "JSONL file to write")
    Path out;

    @Option(names = "--tasks", defaultValue = "96", description = "train examples (default ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--eval-tasks", description = "eval examples (default: a tenth of --tasks, at least 6)")
    Integer evalTasks;

    @Option(
            names = "--seeds",
            defaultValue = "1-16",
            description = "train database seeds, e.g. 1-16 or 1,2,5 (default ${DEFAULT-VALUE})")
    String seeds;

    @Option(
            names = "--eval-seeds",
            defaultValue = "42,43",
            description =
                    "eval database seeds, disjoint from --seeds (default ${DEFAULT-VALUE}; 42 is the pinned suites')")
    String evalSeeds;

    @Option(names = "--domains", split = ",", description = "task domains (default: all, trip-planning,retail)")
    List<String> domains;

    @Option(
            names = "--system-prompt",
            description = "the agent's system prompt (thinkloop.agent.system-prompt; default none, as the service)")
    String systemPrompt;

    @Option(names = "--text", description = "also write each example's rendered text here (for reading)")
    Path text;

    @Override
    public Integer call() throws Exception {
        if (tasks < 0 || (evalTasks != null && evalTasks < 0)) {
            System.err.println("--tasks and --eval-tasks must not be negative");
            return ThinkloopCli.EXIT_USAGE;
        }
        SftData.Options options;
        try {
            options = new SftData.Options(
                    parseSeeds(seeds),
                    parseSeeds(evalSeeds),
                    tasks,
                    evalTasks == null ? Math.max(6, tasks / 10) : evalTasks,
                    domains == null ? Domains.NAMES : domains,
                    systemPrompt);
        } catch (IllegalArgumentException e) {
            System.err.println("train data: " + e.getMessage());
            return ThinkloopCli.EXIT_USAGE;
        }
        long t0 = System.nanoTime();
        Tokenizer tokenizer = BundledTokenizer.get();
        List<TrainingExample> examples = new ArrayList<>();
        BufferedWriter texts = text == null ? null : Files.newBufferedWriter(text, StandardCharsets.UTF_8);
        try {
            for (String split : List.of(SftData.TRAIN, SftData.EVAL)) {
                boolean train = split.equals(SftData.TRAIN);
                List<Trajectory> ts = SftData.trajectories(
                        train ? options.trainSeeds() : options.evalSeeds(),
                        train ? options.trainTasks() : options.evalTasks(),
                        options.domains(),
                        options.systemPrompt());
                for (Trajectory t : ts) {
                    Rendering r = Rendering.of(t.conversation(), tokenizer);
                    examples.add(r.example(t.task().id(), split, t.dbSeed()));
                    if (texts != null) {
                        texts.write("===== " + t.task().id() + " (" + split + ", db seed " + t.dbSeed() + ")\n");
                        texts.write(r.text());
                        texts.write("\n\n");
                    }
                }
            }
        } finally {
            if (texts != null) {
                texts.close();
            }
        }
        TrainingExample.writeJsonl(out, examples);
        for (String split : List.of(SftData.TRAIN, SftData.EVAL)) {
            List<TrainingExample> part =
                    examples.stream().filter(e -> e.split().equals(split)).toList();
            long tokens = part.stream().mapToLong(e -> e.tokens().length).sum();
            long weighted =
                    part.stream().mapToLong(TrainingExample::weightedPositions).sum();
            int longest = part.stream().mapToInt(e -> e.tokens().length).max().orElse(0);
            System.out.printf(
                    "%-5s %4d examples, %9d tokens (%d written by the model, %.1f%%), longest %d; seeds %s%n",
                    split,
                    part.size(),
                    tokens,
                    weighted,
                    tokens == 0 ? 0.0 : 100.0 * weighted / tokens,
                    longest,
                    split.equals(SftData.TRAIN) ? options.trainSeeds() : options.evalSeeds());
        }
        System.out.printf(
                "every submission passed its task's verifier; wrote %s in %.1f s%n",
                out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** {@code 1-16}, {@code 1,2,5} or a mix ({@code 1-4,9}). */
    static List<Long> parseSeeds(String spec) {
        List<Long> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-', 1);
            try {
                if (dash > 0) {
                    long from = Long.parseLong(p.substring(0, dash).trim());
                    long to = Long.parseLong(p.substring(dash + 1).trim());
                    if (to < from || to - from > 100_000) {
                        throw new IllegalArgumentException("bad seed range '" + p + "'");
                    }
                    for (long s = from; s <= to; s++) {
                        out.add(s);
                    }
                } else {
                    out.add(Long.parseLong(p));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not a seed or a range of seeds");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no seeds in '" + spec + "'");
        }
        return out;
    }
}
