package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.thinkloop.json.Json;
import io.thinkloop.mcptools.support.SchemaTool;
import io.thinkloop.mcptools.support.ToolFailure;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One trip-planning environment: a {@link TripDatabase}, the fifteen tools that query it, and the plans
 * submitted through {@code submit_result} (readable with {@link #submissions()} by a verifier in the same
 * process, and appended as JSON lines to a record file when one is set, for verifiers in another).
 * The query tools are pure functions of the database; the environment is safe to use from many threads.
 */
public final class TripEnvironment {
    /** The tool names, in the order {@link #tools()} lists them. */
    public static final List<String> TOOL_NAMES = List.of(
            "get_all_cities",
            "get_all_attractions_by_city",
            "get_all_hotels_by_city",
            "get_all_restaurants_by_city",
            "get_city_by_attraction",
            "get_city_by_hotel",
            "get_city_by_restaurant",
            "get_city_transport",
            "get_inter_city_transport",
            "get_infos_by_attraction",
            "get_infos_by_city",
            "get_infos_by_hotel",
            "get_infos_by_restaurant",
            "get_weather_by_city_date",
            "submit_result");

    private final TripDatabase db;
    private final Path recordFile;
    private final List<Submission> submissions = new ArrayList<>();
    private final List<Tool> tools;

    public TripEnvironment(TripDatabase db) {
        this(db, null);
    }

    /** @param recordFile where each submission is appended as one JSON line, or null */
    public TripEnvironment(TripDatabase db, Path recordFile) {
        this.db = db;
        this.recordFile = recordFile;
        this.tools = List.copyOf(buildTools());
    }

    public TripDatabase database() {
        return db;
    }

    /** The fifteen tools, in {@link #TOOL_NAMES} order. */
    public List<Tool> tools() {
        return tools;
    }

    public Optional<Tool> tool(String name) {
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst();
    }

    /** Every plan submitted so far, oldest first. */
    public synchronized List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    public synchronized Optional<Submission> lastSubmission() {
        return submissions.isEmpty() ? Optional.empty() : Optional.of(submissions.getLast());
    }

    public synchronized Optional<Submission> submission(String id) {
        return submissions.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** Forgets the submissions (between episodes that share one environment). */
    public synchronized void clearSubmissions() {
        submissions.clear();
    }

    /** Records a plan as {@code submit_result} does; {@code arguments} must match its input schema. */
    public Submission submit(JsonNode arguments, ToolCallContext context) {
        TripPlan plan;
        try {
            plan = Json.MAPPER.treeToValue(arguments, TripPlan.class);
        } catch (JsonProcessingException e) {
            throw new ToolFailure("The plan could not be read: " + e.getOriginalMessage());
        }
        Submission s;
        synchronized (this) {
            int seq = submissions.size() + 1;
            s = new Submission(
                    "sub-" + seq,
                    seq,
                    context == null ? null : context.sessionId(),
                    context == null ? null : context.toolCallId(),
                    plan,
                    arguments.deepCopy());
            if (recordFile != null) {
                // The file first: a plan that could not be recorded is not acknowledged, in memory or on disk.
                try {
                    Files.writeString(
                            recordFile,
                            SchemaTool.text(Json.MAPPER.valueToTree(s)) + "\n",
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND,
                            StandardOpenOption.WRITE);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot record submission to " + recordFile, e);
                }
            }
            submissions.add(s);
        }
        return s;
    }

    private List<Tool> buildTools() {
        List<Tool> list = new ArrayList<>();
        list.add(query(
                "get_all_cities",
                "List the names of all cities in the travel database.",
                TripSchemas.NO_ARGS,
                TripSchemas.nameList(null, "cities"),
                args -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    List<String> names = db.cities().stream().map(City::name).toList();
                    out.set("cities", Json.MAPPER.valueToTree(names));
                    out.put("count", names.size());
                    return out;
                }));
        list.add(listByCity(
                "get_all_attractions_by_city",
                "attractions",
                "List the names of all attractions in a city.",
                c -> db.attractionsIn(c).stream().map(Attraction::name).toList()));
        list.add(listByCity(
                "get_all_hotels_by_city",
                "hotels",
                "List the names of all hotels in a city.",
                c -> db.hotelsIn(c).stream().map(Hotel::name).toList()));
        list.add(listByCity(
                "get_all_restaurants_by_city",
                "restaurants",
                "List the names of all restaurants in a city.",
                c -> db.restaurantsIn(c).stream().map(Restaurant::name).toList()));
        list.add(cityOf(
                "get_city_by_attraction",
                "attraction",
                "Find which city an attraction is in.",
                db::attraction,
                () -> db.data().attractions().stream().map(Attraction::name).toList(),
                "get_all_attractions_by_city"));
        list.add(cityOf(
                "get_city_by_hotel",
                "hotel",
                "Find which city a hotel is in.",
                db::hotel,
                () -> db.data().hotels().stream().map(Hotel::name).toList(),
                "get_all_hotels_by_city"));
        list.add(cityOf(
                "get_city_by_restaurant",
                "restaurant",
                "Find which city a restaurant is in.",
                db::restaurant,
                () -> db.data().restaurants().stream().map(Restaurant::name).toList(),
                "get_all_restaurants_by_city"));
        list.add(query(
                "get_city_transport",
                "Get the ways of getting around inside a city (metro, bus, taxi, bike sharing) with fares in CNY and operating hours.",
                TripSchemas.CITY_ARG,
                TripSchemas.CITY_TRANSPORT,
                args -> {
                    City city = requireCity(args.get("city").asText());
                    CityTransport t = db.cityTransport(city.name()).orElse(new CityTransport(city.name(), List.of()));
                    return Json.MAPPER.valueToTree(t);
                }));
        list.add(query(
                "get_inter_city_transport",
                "Get the daily departures (flights, high-speed rail, trains, coaches) from one city to another, with service id, "
                        + "departure and arrival times, duration, price in CNY and distance. An empty list means no direct connection.",
                TripSchemas.INTER_CITY_ARGS,
                TripSchemas.INTER_CITY,
                args -> {
                    City from = requireCity(args.get("from_city").asText());
                    City to = requireCity(args.get("to_city").asText());
                    if (from.equals(to)) {
                        throw new ToolFailure("from_city and to_city are both " + from.name()
                                + "; use get_city_transport for travel inside a city");
                    }
                    List<InterCityTransport> options = db.interCityTransport(from.name(), to.name());
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    out.put("from_city", from.name());
                    out.put("to_city", to.name());
                    out.put("count", options.size());
                    out.set("options", Json.MAPPER.valueToTree(options));
                    return out;
                }));
        list.add(infos(
                "get_infos_by_attraction",
                "attraction",
                "Get details of an attraction: city, type, ticket price (CNY, 0 = free), rating, opening hours, weekdays closed, "
                        + "recommended hours, whether it is indoors.",
                TripSchemas.ATTRACTION,
                db::attraction,
                () -> db.data().attractions().stream().map(Attraction::name).toList(),
                "get_all_attractions_by_city"));
        list.add(query(
                "get_infos_by_city",
                "Get details of a city: province, coordinates, description, highlights and a typical daily budget in CNY.",
                TripSchemas.CITY_ARG,
                TripSchemas.CITY,
                args -> Json.MAPPER.valueToTree(requireCity(args.get("city").asText()))));
        list.add(infos(
                "get_infos_by_hotel",
                "hotel",
                "Get details of a hotel: city, stars, price per night (CNY), rating, amenities, address, check-in and check-out times.",
                TripSchemas.HOTEL,
                db::hotel,
                () -> db.data().hotels().stream().map(Hotel::name).toList(),
                "get_all_hotels_by_city"));
        list.add(infos(
                "get_infos_by_restaurant",
                "restaurant",
                "Get details of a restaurant: city, cuisine, average price per person (CNY), rating, opening hours, meals served, "
                        + "features, signature dishes.",
                TripSchemas.RESTAURANT,
                db::restaurant,
                () -> db.data().restaurants().stream().map(Restaurant::name).toList(),
                "get_all_restaurants_by_city"));
        list.add(query(
                "get_weather_by_city_date",
                "Get the weather forecast of a city on a date (YYYY-MM-DD): condition, high and low temperature (Celsius), "
                        + "chance of precipitation (%), wind, and the weekday (attractions list the weekdays they are closed).",
                TripSchemas.WEATHER_ARGS,
                TripSchemas.WEATHER,
                args -> {
                    City city = requireCity(args.get("city").asText());
                    String text = args.get("date").asText();
                    LocalDate date;
                    try {
                        date = LocalDate.parse(text);
                    } catch (DateTimeParseException e) {
                        throw new ToolFailure("'" + text + "' is not a valid date; use YYYY-MM-DD");
                    }
                    return db.weather(city.name(), date)
                            .map(w -> (JsonNode) ((ObjectNode) Json.MAPPER.valueToTree(w))
                                    .put("weekday", TripGenerator.weekday(date)))
                            .orElseThrow(() -> new ToolFailure("No forecast for " + city.name() + " on " + date
                                    + "; forecasts cover " + db.startDate() + " to "
                                    + db.startDate().plusDays(db.data().days() - 1)));
                }));
        list.add(
                new SchemaTool(
                        "submit_result",
                        "Submit the final trip plan: one entry per day with the city, the hotel for the night, attractions with time slots "
                                + "(morning/afternoon/evening), meals with restaurants (breakfast/lunch/dinner) and the inter-city transport "
                                + "taken that day. Call it once, when the plan is complete.",
                        TripSchemas.SUBMIT_ARGS,
                        TripSchemas.SUBMIT_RESULT) {
                    @Override
                    protected Uni<ToolResult> execute(JsonNode args, ToolCallContext context) {
                        Uni<ToolResult> result = Uni.createFrom().item(() -> {
                            Submission s = submit(args, context);
                            ObjectNode out = object();
                            out.put("submission_id", s.id());
                            out.put("status", "accepted");
                            out.put("day_count", s.plan().days().size());
                            out.put(
                                    "message",
                                    "Plan recorded with " + s.plan().days().size() + " day(s).");
                            return ok(out);
                        });
                        // Recording appends to a file: keep that off the caller's (possibly event loop) thread.
                        return recordFile == null
                                ? result
                                : result.runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
                    }
                });
        return list;
    }

    /** A read-only query: the body maps validated arguments to structured content, or throws ToolFailure. */
    private static Tool query(
            String name, String description, String input, String output, Function<JsonNode, JsonNode> body) {
        return new SchemaTool(name, description, input, output) {
            @Override
            protected Uni<ToolResult> execute(JsonNode args, ToolCallContext context) {
                return Uni.createFrom().item(() -> ok(body.apply(args)));
            }
        };
    }

    private Tool listByCity(String name, String field, String description, Function<String, List<String>> names) {
        return query(name, description, TripSchemas.CITY_ARG, TripSchemas.nameList("city", field), args -> {
            City city = requireCity(args.get("city").asText());
            List<String> list = names.apply(city.name());
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("city", city.name());
            out.set(field, Json.MAPPER.valueToTree(list));
            out.put("count", list.size());
            return out;
        });
    }

    private Tool cityOf(
            String name,
            String field,
            String description,
            Function<String, Optional<? extends Venue>> find,
            Supplier<Collection<String>> allNames,
            String listTool) {
        return query(
                name,
                description,
                TripSchemas.oneString(field, capitalize(field) + " name"),
                TripSchemas.cityOf(field),
                args -> {
                    String wanted = args.get(field).asText();
                    Venue found =
                            find.apply(wanted).orElseThrow(() -> unknown(field, wanted, allNames.get(), listTool));
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    out.put(field, found.name());
                    out.put("city", found.city());
                    return out;
                });
    }

    private Tool infos(
            String name,
            String field,
            String description,
            String output,
            Function<String, Optional<? extends Venue>> find,
            Supplier<Collection<String>> allNames,
            String listTool) {
        return query(name, description, TripSchemas.oneString(field, capitalize(field) + " name"), output, args -> {
            String wanted = args.get(field).asText();
            Venue found = find.apply(wanted).orElseThrow(() -> unknown(field, wanted, allNames.get(), listTool));
            return Json.MAPPER.valueToTree(found);
        });
    }

    private City requireCity(String name) {
        return db.city(name)
                .orElseThrow(() -> new ToolFailure("Unknown city '" + name + "'. Known cities: "
                        + db.cities().stream().map(City::name).collect(Collectors.joining(", ")) + "."));
    }

    /** An unknown-name failure that points at the listing tool and at up to three similar names. */
    static ToolFailure unknown(String what, String wanted, Collection<String> names, String listTool) {
        String key = TripDatabase.key(wanted);
        List<String> similar = names.stream()
                .filter(n -> similar(TripDatabase.key(n), key))
                .limit(3)
                .toList();
        return new ToolFailure("Unknown " + what + " '" + wanted + "'. Use " + listTool + " to list the names"
                + (similar.isEmpty() ? "." : "; similar names: " + String.join(", ", similar) + "."));
    }

    private static boolean similar(String name, String wanted) {
        if (wanted.length() >= 3 && (name.contains(wanted) || wanted.contains(name))) {
            return true;
        }
        long shared = Arrays.stream(wanted.split(" "))
                .filter(w -> w.length() >= 4 && name.contains(w))
                .count();
        return shared >= 2;
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
