package io.thinkloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thinkloop.mcptools.trip.TripDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TripDataCommandTest {
    @Test
    void exportsTheGeneratedDatabaseAndChecksFiles(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("trip.json");
        assertEquals(0, ThinkloopCli.execute("trip-data", "--seed", "9", "--size", "small", "--out", out.toString()));
        assertEquals(TripDatabase.generate(9, TripDatabase.Size.SMALL).toJson(), Files.readString(out));
        assertEquals(0, ThinkloopCli.execute("trip-data", "--check", out.toString()));

        Files.writeString(dir.resolve("bad.json"), "{\"start_date\": \"soon\"}");
        assertEquals(
                2,
                ThinkloopCli.execute(
                        "trip-data", "--check", dir.resolve("bad.json").toString()));
        assertEquals(2, ThinkloopCli.execute("trip-data", "--size", "enormous", "--out", out.toString()));
        assertEquals(
                2,
                ThinkloopCli.execute(
                        "trip-data", "--check", dir.resolve("missing.json").toString()));
    }
}
