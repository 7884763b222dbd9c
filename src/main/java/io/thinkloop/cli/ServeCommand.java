package io.thinkloop.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code thinkloop serve}: runs the service until SIGINT/SIGTERM, then shuts down gracefully. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Run the Thinkloop service (HTTP, WebSocket, MCP) on its configured model backend.")
public final class ServeCommand implements Callable<Integer> {

    @Option(
            names = {"-p", "--port"},
            description = "HTTP port (default: quarkus.http.port, 8080).")
    Integer port;

    @Option(names = "--host", description = "Interface to bind (default: quarkus.http.host).")
    String host;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // Checked before Quarkus starts: a bad value must not leave a data directory or a generated API key behind.
        if (port != null && (port < 1 || port > 65535)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 1..65535, got " + port);
        }
        if (host != null && (host.isBlank() || host.chars().anyMatch(Character::isWhitespace))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--host must be an interface name or address, got '" + host + "'");
        }
        if (port != null) {
            System.setProperty("quarkus.http.port", Integer.toString(port));
        }
        if (host != null) {
            System.setProperty("quarkus.http.host", host);
        }
        Quarkus.run();
        return 0;
    }
}
