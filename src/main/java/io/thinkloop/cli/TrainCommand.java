package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code thinkloop train ...}: training offline. Owned by the training loop's work ({@code sft}, {@code gradcheck},
 * ...); this branch adds only its data subcommands, {@code data} and {@code vocab}.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Training: supervised data, vocabulary subsets (and, with the trainer, sft and gradcheck).",
        subcommands = {TrainDataCommand.class, TrainVocabCommand.class})
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
