package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.tools.ServerContent;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolServerDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

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

    /**
     * Beside the tools: the database's cities as resources ({@code trip://cities}, the list, and
     * {@code trip://cities/{city}}, one city with its hotels, attractions and restaurants, city names
     * completed), and the trip-planning task as a prompt template ({@code plan_trip}: origin, destination,
     * days, people, budget; city arguments completed).
     */
    @Override
    public ServerContent content(Map<String, String> options) {
        Map<String, String> readOnly = new HashMap<>(options);
        readOnly.remove("export");
        readOnly.remove("record");
        TripDatabase db = environment(readOnly).database();
        Function<String, List<String>> cityNames = prefix -> db.cities().stream()
                .map(City::name)
                .filter(n -> n.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT)))
                .toList();
        ServerContent.Resource cities = new ServerContent.Resource(
                "trip://cities",
                "cities",
                "Every city of the travel database: name, province, description, highlights, average daily budget",
                "application/json",
                () -> ServerContent.Contents.text(
                        Json.MAPPER.valueToTree(db.cities()).toString()));
        ServerContent.ResourceTemplate city = new ServerContent.ResourceTemplate(
                "trip://cities/{city}",
                "city",
                "One city with its hotels, attractions and restaurants",
                "application/json",
                vars -> {
                    City c = db.city(vars.get("city"))
                            .orElseThrow(() -> new IllegalArgumentException("no city named " + vars.get("city")));
                    ObjectNode o = Json.MAPPER.valueToTree(c);
                    o.set("hotels", Json.MAPPER.valueToTree(db.hotelsIn(c.name())));
                    o.set("attractions", Json.MAPPER.valueToTree(db.attractionsIn(c.name())));
                    o.set("restaurants", Json.MAPPER.valueToTree(db.restaurantsIn(c.name())));
                    return ServerContent.Contents.text(o.toString());
                },
                Map.of("city", cityNames));
        ServerContent.Prompt plan = new ServerContent.Prompt(
                "plan_trip",
                "Plan a trip",
                "The trip-planning task: an itinerary from the database, checked against its constraints, submitted with submit_result",
                List.of(
                        new ServerContent.PromptArgument("origin", "City the trip starts from", true),
                        new ServerContent.PromptArgument("destination", "City to visit", true),
                        new ServerContent.PromptArgument("days", "Number of days (default 3)", false),
                        new ServerContent.PromptArgument("people", "Number of travellers (default 2)", false),
                        new ServerContent.PromptArgument("budget", "Total budget for everything (optional)", false)),
                args -> {
                    for (String arg : List.of("origin", "destination")) {
                        if (db.city(args.get(arg)).isEmpty()) {
                            throw new IllegalArgumentException(
                                    arg + ": no city named " + args.get(arg) + " (see trip://cities)");
                        }
                    }
                    String budget = args.getOrDefault("budget", "");
                    return ServerContent.userText(
                            "Plan a " + args.getOrDefault("days", "3") + "-day trip for "
                                    + args.getOrDefault("people", "2")
                                    + " people from " + args.get("origin") + " to " + args.get("destination")
                                    + ", starting " + db.startDate() + "."
                                    + (budget.isBlank() ? "" : " The total budget is " + budget + ".")
                                    + " Use the travel database tools for transport, hotels, attractions, restaurants and weather;"
                                    + " each day needs a place to stay, at least one attraction and meals. When the plan is complete, submit it with submit_result.");
                },
                Map.of("origin", cityNames, "destination", cityNames));
        return new ServerContent(List.of(cities), List.of(city), List.of(plan));
    }

    /** The environment the options describe; throws IllegalArgumentException with a clear message on bad options. */
    public static TripEnvironment environment(Map<String, String> options) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(OPTIONS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown trip-planning option(s) " + unknown + "; known: " + new TreeSet<>(OPTIONS));
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
                LocalDate start = options.containsKey("start_date")
                        ? parseDate(options.get("start_date"))
                        : TripDatabase.DEFAULT_START_DATE;
                int days =
                        options.containsKey("days") ? (int) parseLong(options.get("days"), "days") : size.weatherDays;
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
