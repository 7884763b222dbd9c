package io.thinkloop.cli;

import io.thinkloop.openai.GoldenCases;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thinkloop codec ...}: offline tools for the DeepSeek-V3.2 conversation codec. */
@Command(
        name = "codec",
        mixinStandardHelpOptions = true,
        description = "DeepSeek-V3.2 conversation codec tools.",
        subcommands = {CodecCommand.Check.class})
public final class CodecCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code thinkloop codec check FILE}: runs the codec over golden cases; the last line is the tally. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "Check the codec against a golden file (cases.jsonl format): encode, batch parse and "
                    + "streaming parse. Prints each failing case, then 'N passed, M failed'; exit 0 only when M = 0.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "Golden cases, one JSON object per line.")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            GoldenCases.Report report;
            try {
                if (!Files.isReadable(file)) {
                    throw new IOException("cannot read " + file);
                }
                report = GoldenCases.check(file);
            } catch (IOException | RuntimeException e) {
                // The file itself counts as the one failure, so the tally line stays the last word.
                out.println("FAIL " + file + ": " + e.getMessage());
                out.println("0 passed, 1 failed");
                out.flush();
                return 1;
            }
            for (GoldenCases.Failure f : report.failures()) {
                String reason = f.reason().length() > 300 ? f.reason().substring(0, 300) + "..." : f.reason();
                out.println("FAIL " + f.id() + ": " + reason);
            }
            out.println(report.passed() + " passed, " + report.failures().size() + " failed");
            out.flush();
            return report.failures().isEmpty() ? 0 : 1;
        }
    }
}
