package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thinkloop engine ...}: offline commands of the embedded inference engine. */
@Command(
        name = "engine",
        mixinStandardHelpOptions = true,
        description = "The embedded DeepSeek-V3.2 inference engine (offline checks and runs).",
        subcommands = {EngineGoldenCommand.class, EngineGenerateCommand.class})
public final class EngineCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
