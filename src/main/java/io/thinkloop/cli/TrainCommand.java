package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code thinkloop train ...}: training the DeepSeek-V3.2 architecture in Java: {@code sft} (supervised
 * fine-tuning), {@code gradcheck} (gradients against the PyTorch reference), {@code data} and {@code vocab}
 * (SFT trajectories and the vocabulary subset).
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train the DeepSeek-V3.2 architecture in Java (supervised fine-tuning; gradient checks).",
        subcommands = {
            TrainSftCommand.class,
            TrainGradcheckCommand.class,
            TrainDataCommand.class,
            TrainVocabCommand.class
        })
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
