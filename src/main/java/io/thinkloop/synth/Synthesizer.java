package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates a validated suite: for each difficulty, candidate tasks until enough are kept. A candidate is kept
 * when its reference solution (run through the tools) passes the verifier and at least three perturbed wrong
 * answers fail it (and none passes). Deterministic: {@link Random} with the suite seed, databases from the
 * environment seed.
 */
public final class Synthesizer {
    /** Validation figures. {@code checksPassed}: verifier decisions as expected; {@code checksFailed}: not. */
    public record Stats(
            int generated,
            int kept,
            int infeasible,
            int rejected,
            int checksPassed,
            int checksFailed,
            Map<Integer, Integer> keptByDifficulty) {
        @Override
        public String toString() {
            return "generated " + generated + ", kept " + kept + " (by difficulty " + keptByDifficulty
                    + "), infeasible "
                    + infeasible + ", rejected by validation " + rejected + "; verifier checks passed " + checksPassed
                    + ", failed " + checksFailed;
        }
    }

    public record Result(Suite suite, Stats stats) {}

    private Synthesizer() {}

    public static Result synthesize(String name, String domain, long seed, long envSeed, int perDifficulty) {
        TaskEnvironment env = Domains.open(domain, Domains.defaultOptions(domain, envSeed));
        SynthTask.Env envRef = new SynthTask.Env(domain, env.options());
        Random random = new Random(seed);
        List<SynthTask> tasks = new ArrayList<>();
        int generated = 0, infeasible = 0, rejected = 0, passed = 0, failed = 0;
        Map<Integer, Integer> byDifficulty = new LinkedHashMap<>();
        for (int difficulty = 1; difficulty <= env.maxDifficulty(); difficulty++) {
            int kept = 0;
            for (int attempt = 0; kept < perDifficulty && attempt < perDifficulty * 50; attempt++) {
                generated++;
                String id = String.format("%s-%03d", name, tasks.size() + 1);
                JsonNode spec;
                JsonNode answer;
                DirectInvoker tools = new DirectInvoker(env.tools());
                try {
                    spec = env.newSpec(random, difficulty);
                    answer = env.solve(spec, tools);
                } catch (Infeasible e) {
                    infeasible++;
                    continue;
                }
                boolean ok = true;
                if (env.check(spec, answer).passed()) {
                    passed++;
                } else {
                    failed++;
                    ok = false;
                }
                int rejectedWrong = 0;
                for (TaskEnvironment.Perturbation p : env.perturb(spec, answer, random)) {
                    if (env.check(spec, p.submission()).passed()) {
                        failed++;
                        ok = false;
                    } else {
                        passed++;
                        rejectedWrong++;
                    }
                }
                if (!ok || rejectedWrong < 3) {
                    rejected++;
                    continue;
                }
                tasks.add(new SynthTask(
                        id,
                        domain,
                        difficulty,
                        envRef,
                        env.prompt(id, spec),
                        spec,
                        new SynthTask.Reference(tools.calls() + 1, tools.batches() + 1, answer)));
                kept++;
            }
            byDifficulty.put(difficulty, kept);
        }
        Suite.Header header = new Suite.Header(
                "suite",
                Suite.SUITE_VERSION,
                name,
                domain,
                seed,
                envRef,
                tasks.size(),
                byDifficulty,
                "thinkloop-synth/1");
        return new Result(
                new Suite(header, tasks),
                new Stats(generated, tasks.size(), infeasible, rejected, passed, failed, byDifficulty));
    }
}
