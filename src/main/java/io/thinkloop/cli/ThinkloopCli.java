package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the {@code ./thinkloop} command line; each subcommand is its own class. */
@Command(
        name = "thinkloop",
        mixinStandardHelpOptions = true,
        versionProvider = ThinkloopCli.Version.class,
        description = "Thinkloop: a reactive streaming agent runtime for DeepSeek-V3.2-style models.",
        subcommands = {
            ServeCommand.class,
            EngineCommand.class,
            TrainCommand.class,
            PerfCommand.class,
            CodecCommand.class,
            TripDataCommand.class,
            SynthCommand.class,
            BenchCommand.class,
            ToolServerCommand.class,
            LauncherCommands.Test.class,
            LauncherCommands.Build.class,
            CommandLine.HelpCommand.class,
        })
public final class ThinkloopCli implements Runnable {
    /** Exit code meaning "the service is running; do not exit the JVM". */
    public static final int KEEP_RUNNING = Integer.MIN_VALUE;
    /** Exit status of a bad option, argument or input file: nothing was done. */
    public static final int EXIT_USAGE = 2;
    /** Exit status of a command that started and could not finish (service unreachable, key rejected, ...). */
    public static final int EXIT_FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        // A repeated option overrides the earlier one (last wins), as in most CLIs and scripts that append defaults.
        return new CommandLine(new ThinkloopCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOverwrittenOptionsAllowed(true)
                .setParameterExceptionHandler(ThinkloopCli::badInput)
                .setExecutionExceptionHandler(ThinkloopCli::failed);
    }

    /**
     * A bad option or argument: one line that says what is wrong and where the usage is, exit status 2. Nothing
     * has run yet (picocli validates before {@code call()}), so no side effect happened.
     */
    static int badInput(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName(" ");
        cmd.getErr().println(name + ": " + e.getMessage());
        cmd.getErr().println("(usage: ./" + name + " --help)");
        return EXIT_USAGE;
    }

    /**
     * A command that failed with an exception: its one-line cause, exit status 1; the stack trace only with
     * {@code THINKLOOP_DEBUG=1} (users get the cause, developers can ask for the trace).
     */
    static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName(" ");
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        cmd.getErr().println(name + ": " + msg.lines().findFirst().orElse(msg));
        if (System.getenv("THINKLOOP_DEBUG") != null) {
            e.printStackTrace(cmd.getErr());
        }
        return EXIT_FAILED;
    }

    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ThinkloopCli.class.getPackage().getImplementationVersion();
            return new String[] {"thinkloop " + (v == null ? "dev" : v)};
        }
    }
}
