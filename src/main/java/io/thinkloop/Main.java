package io.thinkloop;

import io.quarkus.runtime.annotations.QuarkusMain;
import io.thinkloop.cli.ThinkloopCli;

/**
 * The process entry point. Every subcommand is parsed here before Quarkus starts, so that offline
 * commands (codec check, engine golden, ...) run without binding ports; only {@code serve} boots the
 * Quarkus service.
 */
@QuarkusMain
public final class Main {
    public static void main(String... args) {
        int exit = ThinkloopCli.execute(args);
        if (exit != ThinkloopCli.KEEP_RUNNING) {
            System.exit(exit);
        }
    }
}
