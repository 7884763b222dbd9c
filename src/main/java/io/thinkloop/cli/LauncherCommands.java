package io.thinkloop.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code test} and {@code build} are run by the {@code ./thinkloop} launcher script itself (they need Maven and
 * the source tree, not the packaged service), so the launcher never passes them here. They are declared so that
 * {@code ./thinkloop help test} and {@code --help} list every subcommand; reached through {@code java -jar} they
 * say where they run and exit 2.
 */
final class LauncherCommands {
    private LauncherCommands() {}

    private static int notHere(String name) {
        System.err.println(name
                + ": run by the ./thinkloop launcher in the source tree (it needs Maven), not by the packaged jar: "
                + "./thinkloop " + name);
        return ThinkloopCli.EXIT_USAGE;
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description = {
                "Run the whole test suite (what CI runs): installs the npm peers and Chromium the tests drive "
                        + "(src/test/setup.sh), then 'mvn verify' with any extra Maven arguments, "
                        + "e.g. ./thinkloop test -Dtest=SessionApiTest.",
                "Run by the ./thinkloop launcher; needs Maven 3.9 (fetched when older) and a JDK 22+."
            })
    static final class Test implements Callable<Integer> {
        @Unmatched
        List<String> mavenArgs;

        @Override
        public Integer call() {
            return notHere("test");
        }
    }

    @Command(
            name = "build",
            mixinStandardHelpOptions = true,
            description = {
                "Build the service without running the tests ('mvn package -DskipTests', extra Maven arguments "
                        + "appended). Other commands build by themselves when the sources changed.",
                "Run by the ./thinkloop launcher; needs Maven 3.9 (fetched when older) and a JDK 22+."
            })
    static final class Build implements Callable<Integer> {
        @Unmatched
        List<String> mavenArgs;

        @Override
        public Integer call() {
            return notHere("build");
        }
    }
}
