package io.thinkloop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The root of the {@code ./thinkloop} command line; each subcommand is its own class. */
@Command(name = "thinkloop",
        mixinStandardHelpOptions = true,
        versionProvider = ThinkloopCli.Version.class,
        description = "Thinkloop: a reactive streaming agent runtime for DeepSeek-V3.2-style models.",
        subcommands = {
                ServeCommand.class,
                CodecCommand.class,
                PerfCommand.class,
                TripDataCommand.class,
                SynthCommand.class,
                BenchCommand.class,
                ToolServerCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class ThinkloopCli implements Runnable {
    /** Exit code meaning "the service is running; do not exit the JVM". */
    public static final int KEEP_RUNNING = Integer.MIN_VALUE;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        return new CommandLine(new ThinkloopCli()).setCaseInsensitiveEnumValuesAllowed(true);
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
