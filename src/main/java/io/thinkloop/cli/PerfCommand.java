package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thinkloop perf NAME}: performance benchmarks that print figures (one subcommand class each). */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Performance benchmarks that print their figures.",
        subcommands = {PerfLoadCommand.class, CommandLine.HelpCommand.class})
public final class PerfCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
