package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thinkloop perf <name>}: benchmarks that print figures; each is its own subcommand class. */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Run a performance benchmark and print its figures.",
        subcommands = {
                TokenizerPerfCommand.class,
                SamplerPerfCommand.class,
        })
public final class PerfCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
