package io.thinkloop.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code thinkloop perf <name>}: benchmarks that print their figures, each against a baseline run side by side. */
@Command(
        name = "perf",
        mixinStandardHelpOptions = true,
        description = "Performance benchmarks (figures printed side by side with their baselines).",
        subcommands = {
            CodecPerfCommand.class,
            TokenizerPerfCommand.class,
            SamplerPerfCommand.class,
            McpPerfCommand.class,
            PerfLoadCommand.class,
            PerfSessionsCommand.class,
            PerfScaleOutCommand.class,
            EnginePerfCommand.class,
            TrainPerfCommand.class,
            GemmPerfCommand.class,
        })
public final class PerfCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
