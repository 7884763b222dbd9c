package io.thinkloop.train.sft;

import io.thinkloop.synth.Domains;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.synth.Synthesizer;
import io.thinkloop.synth.Verdict;
import io.thinkloop.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * The supervised data set: tasks synthesized per database seed and domain (every difficulty), solved into
 * trajectories, rendered and tokenized. A task's split is its database's: the train and eval seeds are disjoint,
 * so no eval database (its cities, venues, customers) is ever seen in training. The default eval seeds are 42
 * (the database of the pinned bench suites) and 43; the default train seeds are 1 to 16.
 */
public final class SftData {
    public static final String TRAIN = "train";
    public static final String EVAL = "eval";
    public static final List<Long> DEFAULT_EVAL_SEEDS = List.of(42L, 43L);
    public static final List<Long> DEFAULT_TRAIN_SEEDS =
            LongStream.rangeClosed(1, 16).boxed().toList();

    /**
     * What to generate: {@code trainTasks} trajectories over {@code trainSeeds} and {@code evalTasks} over
     * {@code evalSeeds}, for {@code domains}; {@code systemPrompt} is the agent's configured one (null: none).
     */
    public record Options(
            List<Long> trainSeeds,
            List<Long> evalSeeds,
            int trainTasks,
            int evalTasks,
            List<String> domains,
            String systemPrompt) {
        public Options {
            trainSeeds = List.copyOf(trainSeeds);
            evalSeeds = List.copyOf(evalSeeds);
            domains = List.copyOf(domains);
            Set<Long> both = new HashSet<>(trainSeeds);
            both.retainAll(evalSeeds);
            if (!both.isEmpty()) {
                throw new IllegalArgumentException("database seeds " + both + " are in both the train and eval split");
            }
            for (String d : domains) {
                if (!Domains.NAMES.contains(d)) {
                    throw new IllegalArgumentException("unknown domain '" + d + "'; known: " + Domains.NAMES);
                }
            }
        }

        public static Options defaults(int trainTasks, int evalTasks) {
            return new Options(DEFAULT_TRAIN_SEEDS, DEFAULT_EVAL_SEEDS, trainTasks, evalTasks, Domains.NAMES, null);
        }
    }

    private SftData() {}

    /** Both splits' examples, train first; every trajectory's submission has passed its verifier. */
    public static List<TrainingExample> generate(Options o, Tokenizer tokenizer) {
        List<TrainingExample> out = new ArrayList<>();
        for (Trajectory t : trajectories(o.trainSeeds(), o.trainTasks(), o.domains(), o.systemPrompt())) {
            out.add(example(t, TRAIN, tokenizer));
        }
        for (Trajectory t : trajectories(o.evalSeeds(), o.evalTasks(), o.domains(), o.systemPrompt())) {
            out.add(example(t, EVAL, tokenizer));
        }
        return out;
    }

    static TrainingExample example(Trajectory t, String split, Tokenizer tokenizer) {
        return Rendering.of(t.conversation(), tokenizer).example(t.task().id(), split, t.dbSeed());
    }

    /**
     * {@code count} trajectories over the seeds and domains, taken round-robin over (seed, domain) suites and,
     * within one, in suite order (difficulty 1 first), so a small count still covers every database and domain.
     */
    public static List<Trajectory> trajectories(
            List<Long> seeds, int count, List<String> domains, String systemPrompt) {
        if (count <= 0 || seeds.isEmpty() || domains.isEmpty()) {
            return List.of();
        }
        int suites = seeds.size() * domains.size();
        List<List<SynthTask>> perSuite = new ArrayList<>();
        List<Long> seedOf = new ArrayList<>();
        for (long seed : seeds) {
            for (String domain : domains) {
                int levels = Domains.open(domain, Domains.defaultOptions(domain, seed))
                        .maxDifficulty();
                int perDifficulty = Math.max(1, ceilDiv(ceilDiv(count, suites), levels));
                String name = "sft-" + (domain.equals("retail") ? "retail" : "trip") + "-db" + seed;
                List<SynthTask> tasks = new ArrayList<>(Synthesizer.synthesize(name, domain, seed, seed, perDifficulty)
                        .suite()
                        .tasks());
                // Interleave difficulties: 1, 2, 3, 1, 2, 3, ...
                perSuite.add(interleaveByDifficulty(tasks));
                seedOf.add(seed);
            }
        }
        List<Trajectory> out = new ArrayList<>(count);
        for (int k = 0; out.size() < count; k++) {
            boolean any = false;
            for (int s = 0; s < perSuite.size() && out.size() < count; s++) {
                if (k < perSuite.get(s).size()) {
                    any = true;
                    Trajectory t = Trajectory.build(perSuite.get(s).get(k), seedOf.get(s), systemPrompt);
                    Verdict v = t.verdict();
                    if (!v.passed()) {
                        throw new IllegalStateException(
                                "trajectory of " + t.task().id() + " fails its verifier: " + v.failures());
                    }
                    out.add(t);
                }
            }
            if (!any) {
                break; // every suite used up: fewer tasks than asked for
            }
        }
        return out;
    }

    private static List<SynthTask> interleaveByDifficulty(List<SynthTask> tasks) {
        int max = tasks.stream().mapToInt(SynthTask::difficulty).max().orElse(0);
        List<List<SynthTask>> by = new ArrayList<>();
        for (int d = 1; d <= max; d++) {
            int level = d;
            by.add(tasks.stream().filter(t -> t.difficulty() == level).toList());
        }
        List<SynthTask> out = new ArrayList<>(tasks.size());
        for (int i = 0; out.size() < tasks.size(); i++) {
            for (List<SynthTask> l : by) {
                if (i < l.size()) {
                    out.add(l.get(i));
                }
            }
        }
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
