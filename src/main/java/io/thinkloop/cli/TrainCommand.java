package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code thinkloop train ...}: training the embedded model's architecture (checks, fine-tuning). */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Training: gradient checks, fine-tuning.",
        subcommands = {TrainGradcheckCommand.class})
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
