package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thinkloop perf NAME}: benchmarks that print figures against a baseline run side by side. */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures (ratios against a baseline measured in the same run).",
        subcommands = {McpPerfCommand.class})
public final class PerfCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
