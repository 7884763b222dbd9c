package io.thinkloop.mcptools.trip;

import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolServerDefinition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code ./thinkloop tool-server trip-planning}: the trip-planning environment as a tool server.
 * Options ({@code --opt key=value}): {@code seed} (default 42), {@code size} (small, medium, large; default
 * medium), {@code start_date} and {@code days} (the weather window), {@code data=FILE} (load the database
 * from a JSON file instead of generating it), {@code export=FILE} (write the database in use to FILE) and
 * {@code record=FILE} (append each submitted plan to FILE as a JSON line).
 */
public final class TripPlanningServer implements ToolServerDefinition {
    public static final String NAME = "trip-planning";
    public static final long DEFAULT_SEED = 42;
    private static final Set<String> OPTIONS = Set.of("seed", "size", "start_date", "days", "data", "export", "record");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Trip planning after the DeepSeek-V3.2 paper: cities, hotels, attractions, restaurants, transport and weather "
                + "from a seeded database, and submit_result for the final itinerary.";
    }

    @Override
    public List<Tool> tools(Map<String, String> options) {
        return environment(options).tools();
    }

    /** The environment the options describe; throws IllegalArgumentException with a clear message on bad options. */
    public static TripEnvironment environment(Map<String, String> options) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(OPTIONS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown trip-planning option(s) " + unknown + "; known: " + new TreeSet<>(OPTIONS));
        }
        TripDatabase db;
        try {
            if (options.containsKey("data")) {
                if (options.containsKey("seed") || options.containsKey("size")) {
                    throw new IllegalArgumentException("give either data=FILE or seed/size, not both");
                }
                db = TripDatabase.load(Path.of(options.get("data")));
            } else {
                long seed = parseLong(options.getOrDefault("seed", String.valueOf(DEFAULT_SEED)), "seed");
                TripDatabase.Size size = TripDatabase.Size.parse(options.getOrDefault("size", "medium"));
                LocalDate start = options.containsKey("start_date") ? parseDate(options.get("start_date")) : TripDatabase.DEFAULT_START_DATE;
                int days = options.containsKey("days") ? (int) parseLong(options.get("days"), "days") : size.weatherDays;
                db = TripDatabase.generate(seed, size, start, days);
            }
            if (options.containsKey("export")) {
                db.save(Path.of(options.get("export")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("trip-planning: " + e.getMessage(), e);
        }
        return new TripEnvironment(db, options.containsKey("record") ? Path.of(options.get("record")) : null);
    }

    private static long parseLong(String text, String what) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be an integer, got '" + text + "'");
        }
    }

    private static LocalDate parseDate(String text) {
        try {
            return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("start_date must be YYYY-MM-DD, got '" + text + "'");
        }
    }
}
