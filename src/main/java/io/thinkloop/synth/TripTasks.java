package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcptools.trip.Attraction;
import io.thinkloop.mcptools.trip.City;
import io.thinkloop.mcptools.trip.Hotel;
import io.thinkloop.mcptools.trip.InterCityTransport;
import io.thinkloop.mcptools.trip.Restaurant;
import io.thinkloop.mcptools.trip.TripDatabase;
import io.thinkloop.mcptools.trip.TripEnvironment;
import io.thinkloop.mcptools.trip.TripPlanningServer;
import io.thinkloop.mcptools.trip.Weather;
import io.thinkloop.tools.Tool;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Trip-planning tasks after the DeepSeek-V3.2 paper's example, over the {@code trip-planning} environment.
 * Difficulty adds constraints step by step: 1) one city, two days, one attraction a day, lunch and dinner,
 * no venue twice; 2) three days, two attractions a day, attractions open on the day and rated at least R,
 * a hotel price cap and a restaurant budget that depends on the hotel's price; 3) two cities joined by a
 * direct connection with a price cap, indoor attractions only on wet days and a cap on all tickets together.
 */
public final class TripTasks implements TaskEnvironment {
    public static final String DOMAIN = TripPlanningServer.NAME;
    private static final String[] SLOTS = {"morning", "afternoon", "evening"};

    private final Map<String, String> options;
    private final TripDatabase db;
    private final TripEnvironment env;

    public TripTasks(Map<String, String> options) {
        this.options = Map.copyOf(options);
        this.env = TripPlanningServer.environment(options);
        this.db = env.database();
    }

    /** The options of a generated environment: a seed and a size. */
    public static Map<String, String> options(long seed, String size) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("seed", Long.toString(seed));
        o.put("size", size);
        return o;
    }

    @Override
    public String domain() {
        return DOMAIN;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public List<Tool> tools() {
        return env.tools();
    }

    @Override
    public int maxDifficulty() {
        return 3;
    }

    // ------------------------------------------------------------------ the spec

    /** A stay: {@code days} consecutive days in {@code city}. */
    public record Stay(String city, int days) {}

    /** The restaurant budget: average price per person at most {@code capIfAbove} when the hotel costs at least {@code hotelPriceThreshold} a night, else {@code capOtherwise}. */
    public record MealBudget(int hotelPriceThreshold, int capIfAbove, int capOtherwise) {
        int capFor(int hotelPrice) {
            return hotelPrice >= hotelPriceThreshold ? capIfAbove : capOtherwise;
        }
    }

    /** A task's constraints; null fields are not constrained. */
    public record Spec(
            String startDate,
            List<Stay> stays,
            int attractionsPerDay,
            List<String> meals,
            Double minAttractionRating,
            Integer maxHotelPrice,
            MealBudget mealBudget,
            Boolean mustBeOpen,
            Boolean indoorWhenWet,
            Integer maxTicketTotal,
            Integer maxLegPrice) {
        int totalDays() {
            return stays.stream().mapToInt(Stay::days).sum();
        }

        String cityOfDay(int dayIndex) {
            int d = dayIndex;
            for (Stay s : stays) {
                if (d < s.days()) {
                    return s.city();
                }
                d -= s.days();
            }
            throw new IllegalArgumentException("day " + (dayIndex + 1) + " is past the trip");
        }

        /** The stay index a day's city starts, or -1 when the day is not the first of a later stay. */
        int arrivalStay(int dayIndex) {
            int d = 0;
            for (int i = 0; i < stays.size(); i++) {
                if (d == dayIndex && i > 0) {
                    return i;
                }
                d += stays.get(i).days();
            }
            return -1;
        }

        LocalDate date(int dayIndex) {
            return LocalDate.parse(startDate).plusDays(dayIndex);
        }
    }

    static Spec spec(JsonNode node) {
        try {
            return Json.MAPPER.treeToValue(node, Spec.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a trip task spec: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ generation

    @Override
    public JsonNode newSpec(Random random, int difficulty) {
        List<City> cities = db.cities();
        List<LocalDate> dates = db.dates();
        City first = cities.get(random.nextInt(cities.size()));
        List<Stay> stays = new ArrayList<>();
        int days = difficulty == 1 ? 2 : difficulty == 2 ? 3 : 4;
        Integer maxLegPrice = null;
        if (difficulty >= 3) {
            List<City> linked = cities.stream()
                    .filter(c -> !c.equals(first)
                            && !db.interCityTransport(first.name(), c.name()).isEmpty())
                    .toList();
            if (linked.isEmpty()) {
                throw new Infeasible("no direct connection from " + first.name());
            }
            City second = linked.get(random.nextInt(linked.size()));
            stays.add(new Stay(first.name(), 2));
            stays.add(new Stay(second.name(), 2));
            List<Integer> prices = db.interCityTransport(first.name(), second.name()).stream()
                    .map(InterCityTransport::price)
                    .sorted()
                    .toList();
            maxLegPrice = prices.get(random.nextInt((prices.size() + 1) / 2)); // the cheaper half
        } else {
            stays.add(new Stay(first.name(), days));
        }
        LocalDate start = dates.get(random.nextInt(dates.size() - days + 1));
        int perDay = difficulty == 1 ? 1 : 2;
        List<String> meals = List.of("lunch", "dinner");
        Double minRating = null;
        Integer maxHotel = null;
        MealBudget budget = null;
        Boolean open = null;
        Boolean indoor = null;
        Integer maxTickets = null;
        if (difficulty >= 2) {
            open = true;
            minRating = random.nextBoolean() ? 3.5 : 3.8;
            List<Integer> hotelPrices = db.hotelsIn(first.name()).stream()
                    .map(Hotel::pricePerNight)
                    .sorted()
                    .toList();
            maxHotel = hotelPrices.get(hotelPrices.size() / 2 + random.nextInt((hotelPrices.size() + 1) / 2));
            int threshold = roundTo(hotelPrices.get(hotelPrices.size() / 2), 50);
            List<Integer> mealPrices = db.restaurantsIn(first.name()).stream()
                    .map(Restaurant::averagePrice)
                    .sorted()
                    .toList();
            int low = roundTo(mealPrices.get(mealPrices.size() / 2), 10);
            int high = roundTo(mealPrices.get(mealPrices.size() * 3 / 4), 10) + 20;
            budget = new MealBudget(threshold, low, high);
        }
        if (difficulty >= 3) {
            indoor = true;
            List<Integer> tickets = new ArrayList<>();
            for (Stay s : stays) {
                db.attractionsIn(s.city()).stream()
                        .map(Attraction::ticketPrice)
                        .sorted()
                        .limit((long) s.days() * perDay)
                        .forEach(tickets::add);
            }
            int cheapest = tickets.stream().mapToInt(Integer::intValue).sum();
            maxTickets = roundTo(cheapest + 40 + random.nextInt(120), 10);
        }
        Spec spec = new Spec(
                start.toString(),
                stays,
                perDay,
                meals,
                minRating,
                maxHotel,
                budget,
                open,
                indoor,
                maxTickets,
                maxLegPrice);
        return Json.MAPPER.valueToTree(spec);
    }

    private static int roundTo(int value, int step) {
        return (value + step - 1) / step * step;
    }

    // ------------------------------------------------------------------ prompt

    @Override
    public String prompt(String taskId, JsonNode specNode) {
        Spec s = spec(specNode);
        StringBuilder p = new StringBuilder();
        p.append("Task ")
                .append(taskId)
                .append(" (trip planning). Plan a ")
                .append(s.totalDays())
                .append("-day trip starting on ")
                .append(s.startDate())
                .append(": ");
        List<String> parts = new ArrayList<>();
        for (Stay st : s.stays()) {
            parts.add(st.days() + " day(s) in " + st.city());
        }
        p.append(String.join(", then ", parts)).append(".\nRequirements:\n");
        p.append(
                        "- One entry per day (day numbers from 1, with the date), the city of the day and a hotel for every night; ")
                .append("keep the same hotel for all days in one city.\n");
        p.append("- Exactly ")
                .append(s.attractionsPerDay())
                .append(" attraction(s) per day in that day's city, each in a different ")
                .append("time slot (morning, afternoon, evening).\n");
        p.append("- Meals each day: ")
                .append(String.join(" and ", s.meals()))
                .append(", at restaurants in that day's city that serve that meal.\n");
        p.append("- No attraction and no restaurant may appear twice in the whole trip.\n");
        if (Boolean.TRUE.equals(s.mustBeOpen())) {
            p.append("- Every attraction must be open on the day of the visit (check its closed_on weekdays).\n");
        }
        if (s.minAttractionRating() != null) {
            p.append("- Every attraction must have a rating of at least ")
                    .append(s.minAttractionRating())
                    .append(".\n");
        }
        if (s.maxHotelPrice() != null) {
            p.append("- The first city's hotel may cost at most ")
                    .append(s.maxHotelPrice())
                    .append(" CNY per night")
                    .append(s.stays().size() > 1 ? " (and the same cap applies in every city).\n" : ".\n");
        }
        if (s.mealBudget() != null) {
            MealBudget b = s.mealBudget();
            p.append("- Restaurant budget: if that city's hotel costs ")
                    .append(b.hotelPriceThreshold())
                    .append(" CNY per night or more, every restaurant's average price must be at most ")
                    .append(b.capIfAbove())
                    .append(" CNY; otherwise at most ")
                    .append(b.capOtherwise())
                    .append(" CNY.\n");
        }
        if (Boolean.TRUE.equals(s.indoorWhenWet())) {
            p.append(
                    "- On a day whose forecast in that city has rain, snow or storm in its condition, only indoor attractions.\n");
        }
        if (s.maxTicketTotal() != null) {
            p.append("- All attraction tickets together may cost at most ")
                    .append(s.maxTicketTotal())
                    .append(" CNY.\n");
        }
        if (s.stays().size() > 1) {
            p.append(
                            "- On the first day in each new city, list exactly one direct inter-city departure in that day's transport ")
                    .append("(mode, from_city, to_city, service id, departure_time)");
            if (s.maxLegPrice() != null) {
                p.append(" costing at most ").append(s.maxLegPrice()).append(" CNY");
            }
            p.append("; no transport on other days.\n");
        } else {
            p.append("- No inter-city transport.\n");
        }
        p.append(
                "Use the tools to look everything up. When the plan is complete, call submit_result once with the whole plan.");
        return p.toString();
    }

    // ------------------------------------------------------------------ reference solution

    private static ObjectNode arg(String key, String value) {
        return Json.MAPPER.createObjectNode().put(key, value);
    }

    private record CityData(List<JsonNode> hotels, List<JsonNode> attractions, List<JsonNode> restaurants) {}

    @Override
    public JsonNode solve(JsonNode specNode, ToolInvoker tools) {
        Spec s = spec(specNode);
        // Step 1: list the venues of every city of the trip.
        List<ToolInvoker.Call> lists = new ArrayList<>();
        for (Stay st : s.stays()) {
            lists.add(new ToolInvoker.Call("get_all_hotels_by_city", arg("city", st.city())));
            lists.add(new ToolInvoker.Call("get_all_attractions_by_city", arg("city", st.city())));
            lists.add(new ToolInvoker.Call("get_all_restaurants_by_city", arg("city", st.city())));
        }
        List<JsonNode> listed = tools.callAll(lists);
        // Step 2: details of every venue, the forecasts and the connections.
        List<ToolInvoker.Call> details = new ArrayList<>();
        List<int[]> shape = new ArrayList<>();
        for (int i = 0; i < s.stays().size(); i++) {
            int h = addInfos(
                    details, "get_infos_by_hotel", "hotel", listed.get(3 * i).get("hotels"));
            int a = addInfos(
                    details,
                    "get_infos_by_attraction",
                    "attraction",
                    listed.get(3 * i + 1).get("attractions"));
            int r = addInfos(
                    details,
                    "get_infos_by_restaurant",
                    "restaurant",
                    listed.get(3 * i + 2).get("restaurants"));
            shape.add(new int[] {h, a, r});
        }
        int weatherAt = details.size();
        if (Boolean.TRUE.equals(s.indoorWhenWet())) {
            for (int d = 0; d < s.totalDays(); d++) {
                details.add(new ToolInvoker.Call(
                        "get_weather_by_city_date",
                        arg("city", s.cityOfDay(d)).put("date", s.date(d).toString())));
            }
        }
        int legsAt = details.size();
        for (int i = 1; i < s.stays().size(); i++) {
            details.add(new ToolInvoker.Call(
                    "get_inter_city_transport",
                    arg("from_city", s.stays().get(i - 1).city())
                            .put("to_city", s.stays().get(i).city())));
        }
        List<JsonNode> info = details.isEmpty() ? List.of() : tools.callAll(details);
        List<CityData> data = new ArrayList<>();
        int at = 0;
        for (int[] sh : shape) {
            List<JsonNode> h = info.subList(at, at + sh[0]);
            at += sh[0];
            List<JsonNode> a = info.subList(at, at + sh[1]);
            at += sh[1];
            List<JsonNode> r = info.subList(at, at + sh[2]);
            at += sh[2];
            data.add(new CityData(h, a, r));
        }
        // Decide, day by day.
        Set<String> usedAttractions = new HashSet<>();
        Set<String> usedRestaurants = new HashSet<>();
        ArrayNode days = Json.MAPPER.createArrayNode();
        int tickets = 0;
        int dayIndex = 0;
        for (int i = 0; i < s.stays().size(); i++) {
            Stay st = s.stays().get(i);
            CityData cd = data.get(i);
            JsonNode hotel = cd.hotels().stream()
                    .filter(x -> s.maxHotelPrice() == null
                            || x.get("price_per_night").asInt() <= s.maxHotelPrice())
                    .min(Comparator.comparingDouble(
                                    (JsonNode x) -> -x.get("rating").asDouble())
                            .thenComparingInt(x -> x.get("price_per_night").asInt())
                            .thenComparing(x -> x.get("name").asText()))
                    .orElseThrow(() -> new Infeasible("no hotel within the cap in " + st.city()));
            int hotelPrice = hotel.get("price_per_night").asInt();
            Integer mealCap = s.mealBudget() == null ? null : s.mealBudget().capFor(hotelPrice);
            for (int k = 0; k < st.days(); k++, dayIndex++) {
                LocalDate date = s.date(dayIndex);
                String weekday = date.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                boolean wet = Boolean.TRUE.equals(s.indoorWhenWet())
                        && isWet(info.get(weatherAt + dayIndex).get("condition").asText());
                List<JsonNode> picks = cd.attractions().stream()
                        .filter(x -> !usedAttractions.contains(x.get("name").asText()))
                        .filter(x -> s.minAttractionRating() == null
                                || x.get("rating").asDouble() >= s.minAttractionRating())
                        .filter(x -> !Boolean.TRUE.equals(s.mustBeOpen()) || !contains(x.get("closed_on"), weekday))
                        .filter(x -> !wet || x.get("indoor").asBoolean())
                        .sorted(
                                s.maxTicketTotal() != null
                                        ? Comparator.comparingInt((JsonNode x) ->
                                                        x.get("ticket_price").asInt())
                                                .thenComparing(
                                                        x -> x.get("name").asText())
                                        : Comparator.comparingDouble((JsonNode x) ->
                                                        -x.get("rating").asDouble())
                                                .thenComparing(
                                                        x -> x.get("name").asText()))
                        .limit(s.attractionsPerDay())
                        .toList();
                if (picks.size() < s.attractionsPerDay()) {
                    throw new Infeasible("not enough attractions for day " + (dayIndex + 1));
                }
                ObjectNode day = days.addObject();
                day.put("day", dayIndex + 1)
                        .put("date", date.toString())
                        .put("city", st.city())
                        .put("hotel", hotel.get("name").asText());
                ArrayNode visits = day.putArray("attractions");
                for (int j = 0; j < picks.size(); j++) {
                    String name = picks.get(j).get("name").asText();
                    usedAttractions.add(name);
                    tickets += picks.get(j).get("ticket_price").asInt();
                    visits.addObject().put("name", name).put("time_slot", SLOTS[j]);
                }
                ArrayNode meals = day.putArray("meals");
                for (String meal : s.meals()) {
                    JsonNode r = cd.restaurants().stream()
                            .filter(x -> !usedRestaurants.contains(x.get("name").asText()))
                            .filter(x -> contains(x.get("meals"), meal))
                            .filter(x ->
                                    mealCap == null || x.get("average_price").asInt() <= mealCap)
                            .min(Comparator.comparingDouble(
                                            (JsonNode x) -> -x.get("rating").asDouble())
                                    .thenComparing(x -> x.get("name").asText()))
                            .orElseThrow(() -> new Infeasible("no restaurant for " + meal + " on " + date));
                    usedRestaurants.add(r.get("name").asText());
                    meals.addObject()
                            .put("meal", meal)
                            .put("restaurant", r.get("name").asText());
                }
                ArrayNode transport = day.putArray("transport");
                int arriving = s.arrivalStay(dayIndex);
                if (arriving > 0) {
                    JsonNode leg = stream(info.get(legsAt + arriving - 1).get("options"))
                            .filter(x ->
                                    s.maxLegPrice() == null || x.get("price").asInt() <= s.maxLegPrice())
                            .min(Comparator.comparingInt(
                                            (JsonNode x) -> x.get("price").asInt())
                                    .thenComparing(x -> x.get("departure_time").asText()))
                            .orElseThrow(() -> new Infeasible("no departure within the cap"));
                    transport
                            .addObject()
                            .put("mode", leg.get("mode").asText())
                            .put("from_city", s.stays().get(arriving - 1).city())
                            .put("to_city", st.city())
                            .put("service", leg.get("id").asText())
                            .put("departure_time", leg.get("departure_time").asText());
                }
            }
        }
        if (s.maxTicketTotal() != null && tickets > s.maxTicketTotal()) {
            throw new Infeasible("tickets cost " + tickets + " > " + s.maxTicketTotal());
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("days", days);
        return out;
    }

    private static int addInfos(List<ToolInvoker.Call> calls, String tool, String key, JsonNode names) {
        for (JsonNode n : names) {
            calls.add(new ToolInvoker.Call(tool, arg(key, n.asText())));
        }
        return names.size();
    }

    private static boolean isWet(String condition) {
        return condition.contains("rain") || condition.contains("snow") || condition.contains("storm");
    }

    private static boolean contains(JsonNode array, String value) {
        if (array != null) {
            for (JsonNode n : array) {
                if (n.asText().equals(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list.stream();
    }

    // ------------------------------------------------------------------ verifier

    @Override
    public Verdict verify(JsonNode specNode, JsonNode submission) {
        Spec s = spec(specNode);
        List<String> fail = new ArrayList<>();
        int[] checks = {0};
        BiConsumer<Boolean, String> check = (ok, msg) -> {
            checks[0]++;
            if (!ok) {
                fail.add(msg);
            }
        };
        if (submission == null || !submission.path("days").isArray()) {
            return new Verdict(1, List.of("no plan submitted (submit_result with days)"));
        }
        JsonNode days = submission.get("days");
        check.accept(days.size() == s.totalDays(), "expected " + s.totalDays() + " days, got " + days.size());
        Set<String> attractions = new HashSet<>();
        Set<String> restaurants = new HashSet<>();
        Map<String, String> hotelOfCity = new LinkedHashMap<>();
        int tickets = 0;
        for (int d = 0; d < Math.min(days.size(), s.totalDays()); d++) {
            JsonNode day = days.get(d);
            String where = "day " + (d + 1);
            String city = s.cityOfDay(d);
            LocalDate date = s.date(d);
            check.accept(
                    day.path("day").asInt() == d + 1,
                    where + ": numbered " + day.path("day").asText());
            check.accept(
                    !day.hasNonNull("date") || day.get("date").asText().equals(date.toString()),
                    where + ": date " + day.path("date").asText() + " is not " + date);
            check.accept(city.equalsIgnoreCase(day.path("city").asText().trim()), where + ": city should be " + city);
            // hotel
            Optional<Hotel> hotel = db.hotel(day.path("hotel").asText(null));
            check.accept(
                    hotel.isPresent() && hotel.get().city().equals(city),
                    where + ": hotel '" + day.path("hotel").asText() + "' is not a hotel in " + city);
            Integer mealCap = null;
            if (hotel.isPresent()) {
                String prev = hotelOfCity.putIfAbsent(city, hotel.get().name());
                check.accept(prev == null || prev.equals(hotel.get().name()), where + ": changes hotel within " + city);
                if (s.maxHotelPrice() != null) {
                    check.accept(
                            hotel.get().pricePerNight() <= s.maxHotelPrice(),
                            where + ": hotel costs " + hotel.get().pricePerNight() + " > " + s.maxHotelPrice());
                }
                mealCap = s.mealBudget() == null
                        ? null
                        : s.mealBudget().capFor(hotel.get().pricePerNight());
            }
            // attractions
            JsonNode visits = day.path("attractions");
            check.accept(
                    visits.size() == s.attractionsPerDay(),
                    where + ": " + visits.size() + " attractions, expected " + s.attractionsPerDay());
            Set<String> slots = new HashSet<>();
            boolean wet = Boolean.TRUE.equals(s.indoorWhenWet())
                    && db.weather(city, date).map(Weather::isWet).orElse(false);
            for (JsonNode v : visits) {
                String name = v.path("name").asText();
                Optional<Attraction> a = db.attraction(name);
                check.accept(
                        a.isPresent() && a.get().city().equals(city),
                        where + ": '" + name + "' is not an attraction in " + city);
                check.accept(
                        slots.add(v.path("time_slot").asText()),
                        where + ": time slot " + v.path("time_slot").asText() + " used twice");
                if (a.isEmpty()) {
                    continue;
                }
                check.accept(
                        attractions.add(a.get().name()),
                        where + ": attraction " + a.get().name() + " repeated");
                tickets += a.get().ticketPrice();
                if (s.minAttractionRating() != null) {
                    check.accept(
                            a.get().rating() >= s.minAttractionRating(),
                            where + ": " + a.get().name() + " rated " + a.get().rating());
                }
                if (Boolean.TRUE.equals(s.mustBeOpen())) {
                    check.accept(
                            a.get().isOpenOn(date),
                            where + ": " + a.get().name() + " is closed on " + date.getDayOfWeek());
                }
                if (wet) {
                    check.accept(a.get().indoor(), where + ": " + a.get().name() + " is outdoors on a wet day");
                }
            }
            // meals
            JsonNode meals = day.path("meals");
            List<String> mealNames = new ArrayList<>();
            meals.forEach(m -> mealNames.add(m.path("meal").asText()));
            check.accept(
                    mealNames.size() == s.meals().size() && new HashSet<>(mealNames).equals(new HashSet<>(s.meals())),
                    where + ": meals " + mealNames + ", expected " + s.meals());
            for (JsonNode m : meals) {
                String name = m.path("restaurant").asText();
                Optional<Restaurant> r = db.restaurant(name);
                check.accept(
                        r.isPresent() && r.get().city().equals(city),
                        where + ": '" + name + "' is not a restaurant in " + city);
                if (r.isEmpty()) {
                    continue;
                }
                check.accept(
                        restaurants.add(r.get().name()),
                        where + ": restaurant " + r.get().name() + " repeated");
                check.accept(
                        r.get().serves(m.path("meal").asText()),
                        where + ": " + r.get().name() + " does not serve "
                                + m.path("meal").asText());
                if (mealCap != null) {
                    check.accept(
                            r.get().averagePrice() <= mealCap,
                            where + ": " + r.get().name() + " costs " + r.get().averagePrice() + " > " + mealCap);
                }
            }
            // transport
            JsonNode legs = day.path("transport");
            int arriving = s.arrivalStay(d);
            if (arriving > 0) {
                String from = s.stays().get(arriving - 1).city();
                check.accept(
                        legs.size() == 1,
                        where + ": expected one departure " + from + " -> " + city + ", got " + legs.size());
                if (legs.size() == 1) {
                    JsonNode leg = legs.get(0);
                    Optional<InterCityTransport> t = db.interCityTransport(from, city).stream()
                            .filter(x ->
                                    x.id().equalsIgnoreCase(leg.path("service").asText()))
                            .findFirst();
                    check.accept(
                            t.isPresent()
                                    && from.equalsIgnoreCase(
                                            leg.path("from_city").asText())
                                    && city.equalsIgnoreCase(leg.path("to_city").asText()),
                            where + ": service '" + leg.path("service").asText() + "' is not a departure " + from
                                    + " -> " + city);
                    if (t.isPresent()) {
                        check.accept(
                                t.get().mode().equals(leg.path("mode").asText()),
                                where + ": " + t.get().id() + " is a " + t.get().mode());
                        check.accept(
                                !leg.hasNonNull("departure_time")
                                        || t.get()
                                                .departureTime()
                                                .equals(leg.get("departure_time")
                                                        .asText()),
                                where + ": " + t.get().id() + " departs at "
                                        + t.get().departureTime());
                        if (s.maxLegPrice() != null) {
                            check.accept(
                                    t.get().price() <= s.maxLegPrice(),
                                    where + ": " + t.get().id() + " costs "
                                            + t.get().price() + " > " + s.maxLegPrice());
                        }
                    }
                }
            } else {
                check.accept(legs.isEmpty(), where + ": unexpected inter-city transport");
            }
        }
        if (s.maxTicketTotal() != null) {
            check.accept(tickets <= s.maxTicketTotal(), "tickets cost " + tickets + " > " + s.maxTicketTotal());
        }
        return new Verdict(checks[0], fail);
    }

    // ------------------------------------------------------------------ wrong answers

    @Override
    public List<Perturbation> perturb(JsonNode specNode, JsonNode correct, Random random) {
        Spec s = spec(specNode);
        List<Perturbation> out = new ArrayList<>();
        int n = correct.get("days").size();
        // 1. a repeated attraction
        if (n >= 2) {
            ObjectNode p = correct.deepCopy();
            ((ObjectNode) p.get("days").get(n - 1).get("attractions").get(0))
                    .put(
                            "name",
                            p.get("days")
                                    .get(0)
                                    .get("attractions")
                                    .get(0)
                                    .get("name")
                                    .asText());
            out.add(new Perturbation("repeated attraction", p));
        }
        // 2. a day in the wrong city
        {
            ObjectNode p = correct.deepCopy();
            String other = db.cities().stream()
                    .map(City::name)
                    .filter(c -> s.stays().stream().noneMatch(st -> st.city().equals(c)))
                    .toList()
                    .get(random.nextInt(db.cities().size() - s.stays().size()));
            ((ObjectNode) p.get("days").get(random.nextInt(n))).put("city", other);
            out.add(new Perturbation("wrong city", p));
        }
        // 3. a missing meal
        {
            ObjectNode p = correct.deepCopy();
            ((ArrayNode) p.get("days").get(random.nextInt(n)).get("meals")).remove(0);
            out.add(new Perturbation("missing meal", p));
        }
        // 4. a missing day
        {
            ObjectNode p = correct.deepCopy();
            ((ArrayNode) p.get("days")).remove(n - 1);
            out.add(new Perturbation("missing day", p));
        }
        // 5. a restaurant of another city
        {
            ObjectNode p = correct.deepCopy();
            String city = s.cityOfDay(0);
            Restaurant elsewhere = db.data().restaurants().stream()
                    .filter(r -> !r.city().equals(city))
                    .findFirst()
                    .orElseThrow();
            ((ObjectNode) p.get("days").get(0).get("meals").get(0)).put("restaurant", elsewhere.name());
            out.add(new Perturbation("restaurant in another city", p));
        }
        // 6. the most expensive hotel (breaks the hotel cap or the restaurant budget when there is one)
        if (s.maxHotelPrice() != null) {
            String city = s.cityOfDay(0);
            Hotel dear = db.hotelsIn(city).stream()
                    .max(Comparator.comparingInt(Hotel::pricePerNight))
                    .orElseThrow();
            if (dear.pricePerNight() > s.maxHotelPrice()) {
                ObjectNode p = correct.deepCopy();
                for (JsonNode d : p.get("days")) {
                    if (d.get("city").asText().equals(city)) {
                        ((ObjectNode) d).put("hotel", dear.name());
                    }
                }
                out.add(new Perturbation("hotel over the cap", p));
            }
        }
        // 7. an attraction that breaks a level-2/3 rule (low rating or closed on the day)
        if (s.minAttractionRating() != null) {
            for (int d = 0; d < n && out.size() < 8; d++) {
                String city = s.cityOfDay(d);
                LocalDate date = s.date(d);
                Optional<Attraction> bad = db.attractionsIn(city).stream()
                        .filter(a -> a.rating() < s.minAttractionRating() || !a.isOpenOn(date))
                        .findFirst();
                if (bad.isPresent()) {
                    ObjectNode p = correct.deepCopy();
                    ((ObjectNode) p.get("days").get(d).get("attractions").get(0))
                            .put("name", bad.get().name());
                    out.add(new Perturbation("attraction rated too low or closed", p));
                    break;
                }
            }
        }
        // 8. no inter-city departure
        if (s.stays().size() > 1) {
            ObjectNode p = correct.deepCopy();
            for (JsonNode d : p.get("days")) {
                ((ObjectNode) d).putArray("transport");
            }
            out.add(new Perturbation("missing departure", p));
        }
        return out;
    }
}
