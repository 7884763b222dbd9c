package io.thinkloop.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thinkloop.cli.PerfSessionsCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The CI-sized run of {@code thinkloop perf sessions} against the packaged service: 2,000 sessions
 * created and abandoned (descriptors and heap bounded, new sessions still served) and 50
 * {@code lastSeq=0} replay clients that do not read, each holding far less than the stream (the figures
 * against the configured per-client bound are printed). The full
 * size (20,000 sessions, 300 clients) is {@code ./thinkloop perf sessions}.
 */
class SessionBoundsIT {
    @Test
    void abandonedSessionsAndReplayClientsStayWithinTheirBounds() {
        int code = new CommandLine(new PerfSessionsCommand())
                .execute("--sessions", "2000", "--clients", "50", "--events", "8000", "--max-loaded", "200");
        assertEquals(0, code, "a bound was broken (see the figures above)");
    }
}
