package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code thinkloop train ...}: training the DeepSeek-V3.2 architecture. Subcommands: {@code sft} (supervised
 * fine-tuning) and {@code gradcheck} (gradients against the PyTorch reference, class
 * {@code TrainGradcheckCommand}, added to the list below when its branch is merged); {@code grpo} and
 * {@code pipeline} follow.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train the DeepSeek-V3.2 architecture in Java (supervised fine-tuning; gradient checks).",
        subcommands = {
            TrainSftCommand.class,
            // TrainGradcheckCommand.class (gradref), then grpo and pipeline
        })
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
