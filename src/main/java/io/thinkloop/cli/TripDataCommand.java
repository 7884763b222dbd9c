package io.thinkloop.cli;

import io.thinkloop.mcptools.trip.TripDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop trip-data}: writes a generated trip-planning database to a JSON file (the format that
 * {@code tool-server trip-planning --opt data=FILE} loads), or checks such a file; offline, no Quarkus.
 */
@Command(
        name = "trip-data",
        mixinStandardHelpOptions = true,
        description = "Export a generated trip-planning database as JSON, or check a database file.")
public final class TripDataCommand implements Callable<Integer> {

    @Option(names = "--seed", description = "Generator seed (default ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(
            names = "--size",
            description = "small, medium or large (default ${DEFAULT-VALUE}).",
            defaultValue = "medium")
    String size;

    @Option(names = "--start-date", description = "First date with weather, YYYY-MM-DD (default 2025-10-01).")
    LocalDate startDate;

    @Option(names = "--days", description = "Number of dates with weather (default: by size).")
    Integer days;

    @Option(
            names = {"-o", "--out"},
            description = "Write the database to this file (default: standard output).")
    Path out;

    @Option(names = "--check", description = "Instead of generating, load this file and report what it holds.")
    Path check;

    @Override
    public Integer call() throws Exception {
        TripDatabase db;
        try {
            if (check != null) {
                db = TripDatabase.load(check);
            } else {
                TripDatabase.Size s = TripDatabase.Size.parse(size);
                db = TripDatabase.generate(
                        seed,
                        s,
                        startDate == null ? TripDatabase.DEFAULT_START_DATE : startDate,
                        days == null ? s.weatherDays : days);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("thinkloop trip-data: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("thinkloop trip-data: cannot read " + check + ": " + e);
            return 2;
        }
        if (check == null && out == null) {
            System.out.print(db.toJson());
            return 0;
        }
        if (out != null) {
            db.save(out);
        }
        System.err.printf(
                "%s: %d cities, %d hotels, %d attractions, %d restaurants, %d inter-city departures, weather %s + %d days%n",
                check != null ? check : out,
                db.cities().size(),
                db.data().hotels().size(),
                db.data().attractions().size(),
                db.data().restaurants().size(),
                db.data().interCityTransport().size(),
                db.startDate(),
                db.data().days());
        return 0;
    }
}
