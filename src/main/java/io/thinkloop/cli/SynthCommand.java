package io.thinkloop.cli;

import io.thinkloop.synth.Domains;
import io.thinkloop.synth.Synthesizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./thinkloop synth}: generates a validated, seeded task suite (JSONL) and prints its validation figures. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description = "Synthesize verifiable agent tasks (reference solution + verifier per task) into a suite JSONL.")
public final class SynthCommand implements Callable<Integer> {
    @Option(
            names = "--domain",
            defaultValue = "trip-planning",
            description = "trip-planning or retail (default ${DEFAULT-VALUE})")
    String domain;

    @Option(names = "--seed", defaultValue = "1", description = "task generator seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--env-seed",
            defaultValue = "42",
            description = "database seed of the environment (default ${DEFAULT-VALUE})")
    long envSeed;

    @Option(
            names = "--per-difficulty",
            defaultValue = "10",
            description = "tasks per difficulty level (default ${DEFAULT-VALUE})")
    int perDifficulty;

    @Option(names = "--name", description = "suite name and task id prefix (default DOMAIN-sSEED)")
    String name;

    @Option(names = "--out", required = true, description = "suite file to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Domains.NAMES.contains(domain)) {
            System.err.println("unknown domain '" + domain + "'; known: " + Domains.NAMES);
            return 2;
        }
        if (perDifficulty < 1 || perDifficulty > 1000) {
            System.err.println("--per-difficulty must be 1..1000");
            return 2;
        }
        String suiteName = name == null ? domain + "-s" + seed : name;
        Synthesizer.Result r = Synthesizer.synthesize(suiteName, domain, seed, envSeed, perDifficulty);
        r.suite().write(out);
        System.out.println("synth " + suiteName + ": " + r.stats());
        System.out.println(
                "environment: " + r.suite().header().env().serverSpec() + "  (serve it with thinkloop.tools.servers="
                        + r.suite().header().env().serverSpec() + ")");
        System.out.println("wrote " + r.suite().tasks().size() + " tasks to " + out);
        return r.stats().checksFailed() == 0 ? 0 : 1;
    }
}
