package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thinkloop perf <name>}: benchmark commands that print measured figures against baselines. */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Performance benchmarks (figures with baselines measured in the same run).",
        subcommands = {EnginePerfCommand.class})
public final class PerfCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
