package io.thinkloop.train.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.synth.ToolInvoker;
import io.thinkloop.synth.TripTasks;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Trip-planning tasks in three steps, as the reference solution: list the venues of every city; fetch every
 * venue's details (and the forecasts and connections the constraints need); then decide day by day and submit.
 * The last reasoning walks the constraints: the hotel within the cap with the best rating, the restaurant budget
 * that follows from its price, then per day the attractions that are unused, rated enough, open on the weekday and
 * indoor on wet days (the cheapest first under a ticket cap, else the best rated), the meals, and the departure.
 */
final class TripNarrator implements Narrator {
    private static final String[] SLOTS = {"morning", "afternoon", "evening"};

    private record CityData(
            String city, List<JsonNode> hotels, List<JsonNode> attractions, List<JsonNode> restaurants) {}

    @Override
    public JsonNode solve(SynthTask task, TrajectoryRecorder turn) {
        TripTasks.Spec s = Json.MAPPER.convertValue(task.spec(), TripTasks.Spec.class);
        List<TripTasks.Stay> stays = s.stays();
        int totalDays = stays.stream().mapToInt(TripTasks.Stay::days).sum();
        List<String> cityOfDay = new ArrayList<>();
        for (TripTasks.Stay st : stays) {
            for (int k = 0; k < st.days(); k++) {
                cityOfDay.add(st.city());
            }
        }
        LocalDate start = LocalDate.parse(s.startDate());

        // Step 1: list venues.
        StringBuilder r1 = new StringBuilder("The trip has ")
                .append(totalDays)
                .append(" days from ")
                .append(s.startDate())
                .append(": ");
        List<String> parts = new ArrayList<>();
        int d0 = 0;
        for (TripTasks.Stay st : stays) {
            parts.add("days " + (d0 + 1) + "-" + (d0 + st.days()) + " in " + st.city());
            d0 += st.days();
        }
        r1.append(String.join(", ", parts))
                .append(". Each day needs a hotel, ")
                .append(s.attractionsPerDay())
                .append(" attraction(s) and ")
                .append(String.join(" and ", s.meals()))
                .append(". First I list the hotels, attractions and restaurants of ")
                .append(stays.size() == 1 ? stays.getFirst().city() : "every city")
                .append('.');
        List<ToolInvoker.Call> lists = new ArrayList<>();
        for (TripTasks.Stay st : stays) {
            lists.add(RetailNarrator.call("get_all_hotels_by_city", "city", st.city()));
            lists.add(RetailNarrator.call("get_all_attractions_by_city", "city", st.city()));
            lists.add(RetailNarrator.call("get_all_restaurants_by_city", "city", st.city()));
        }
        List<JsonNode> listed = turn.act(r1.toString(), lists);

        // Step 2: details, forecasts, connections.
        StringBuilder r2 = new StringBuilder();
        List<ToolInvoker.Call> details = new ArrayList<>();
        List<int[]> shape = new ArrayList<>();
        for (int i = 0; i < stays.size(); i++) {
            JsonNode h = listed.get(3 * i).get("hotels");
            JsonNode a = listed.get(3 * i + 1).get("attractions");
            JsonNode r = listed.get(3 * i + 2).get("restaurants");
            r2.append(stays.get(i).city())
                    .append(" has ")
                    .append(h.size())
                    .append(" hotels, ")
                    .append(a.size())
                    .append(" attractions and ")
                    .append(r.size())
                    .append(" restaurants. ");
            h.forEach(n -> details.add(RetailNarrator.call("get_infos_by_hotel", "hotel", n.asText())));
            a.forEach(n -> details.add(RetailNarrator.call("get_infos_by_attraction", "attraction", n.asText())));
            r.forEach(n -> details.add(RetailNarrator.call("get_infos_by_restaurant", "restaurant", n.asText())));
            shape.add(new int[] {h.size(), a.size(), r.size()});
        }
        List<String> needs = new ArrayList<>();
        needs.add("hotel prices and ratings");
        needs.add("attraction ratings"
                + (Boolean.TRUE.equals(s.mustBeOpen()) ? ", closed weekdays" : "")
                + (Boolean.TRUE.equals(s.indoorWhenWet()) ? ", indoor or not" : "")
                + (s.maxTicketTotal() != null ? ", ticket prices" : ""));
        needs.add("which meals each restaurant serves" + (s.mealBudget() != null ? " and its average price" : ""));
        r2.append("To check the constraints I need every venue's details: ")
                .append(String.join("; ", needs))
                .append('.');
        int weatherAt = details.size();
        if (Boolean.TRUE.equals(s.indoorWhenWet())) {
            r2.append(" Wet days allow only indoor attractions, so I also need the forecast of every day.");
            for (int d = 0; d < totalDays; d++) {
                ObjectNode args = Json.MAPPER
                        .createObjectNode()
                        .put("city", cityOfDay.get(d))
                        .put("date", start.plusDays(d).toString());
                details.add(new ToolInvoker.Call("get_weather_by_city_date", args));
            }
        }
        int legsAt = details.size();
        for (int i = 1; i < stays.size(); i++) {
            r2.append(" Day ")
                    .append(arrivalDay(stays, i) + 1)
                    .append(" moves from ")
                    .append(stays.get(i - 1).city())
                    .append(" to ")
                    .append(stays.get(i).city())
                    .append(", so I need the direct departures between them.");
            details.add(new ToolInvoker.Call(
                    "get_inter_city_transport",
                    Json.MAPPER
                            .createObjectNode()
                            .put("from_city", stays.get(i - 1).city())
                            .put("to_city", stays.get(i).city())));
        }
        List<JsonNode> info = turn.act(r2.toString(), details);
        List<CityData> data = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < stays.size(); i++) {
            int[] sh = shape.get(i);
            List<JsonNode> h = info.subList(at, at + sh[0]);
            at += sh[0];
            List<JsonNode> a = info.subList(at, at + sh[1]);
            at += sh[1];
            List<JsonNode> r = info.subList(at, at + sh[2]);
            at += sh[2];
            data.add(new CityData(stays.get(i).city(), h, a, r));
        }

        // Step 3: decide and submit.
        StringBuilder r3 = new StringBuilder();
        Set<String> usedAttractions = new HashSet<>();
        Set<String> usedRestaurants = new HashSet<>();
        ArrayNode days = Json.MAPPER.createArrayNode();
        int tickets = 0;
        int dayIndex = 0;
        for (int i = 0; i < stays.size(); i++) {
            TripTasks.Stay st = stays.get(i);
            CityData cd = data.get(i);
            // hotel
            r3.append("Hotel in ").append(st.city());
            if (s.maxHotelPrice() != null) {
                r3.append(" (at most ").append(s.maxHotelPrice()).append(" CNY a night)");
            }
            r3.append(":\n");
            List<JsonNode> okHotels = new ArrayList<>();
            for (JsonNode x : sorted(cd.hotels(), byRatingThen("price_per_night"))) {
                int price = x.get("price_per_night").asInt();
                boolean ok = s.maxHotelPrice() == null || price <= s.maxHotelPrice();
                r3.append("- ")
                        .append(x.get("name").asText())
                        .append(": rating ")
                        .append(x.get("rating").asText())
                        .append(", ")
                        .append(price)
                        .append(" CNY")
                        .append(ok ? "" : " -> over the cap")
                        .append('\n');
                if (ok) {
                    okHotels.add(x);
                }
            }
            JsonNode hotel = okHotels.stream()
                    .min(Comparator.comparingDouble(
                                    (JsonNode x) -> -x.get("rating").asDouble())
                            .thenComparingInt(x -> x.get("price_per_night").asInt())
                            .thenComparing(x -> x.get("name").asText()))
                    .orElseThrow(() -> new IllegalStateException("no hotel within the cap in " + st.city()));
            int hotelPrice = hotel.get("price_per_night").asInt();
            r3.append("Best rated within the cap: ")
                    .append(hotel.get("name").asText())
                    .append(" (")
                    .append(hotelPrice)
                    .append(" CNY), for all ")
                    .append(st.days())
                    .append(" nights in ")
                    .append(st.city())
                    .append(".\n");
            Integer mealCap = null;
            if (s.mealBudget() != null) {
                TripTasks.MealBudget b = s.mealBudget();
                boolean above = hotelPrice >= b.hotelPriceThreshold();
                mealCap = above ? b.capIfAbove() : b.capOtherwise();
                r3.append("The hotel costs ")
                        .append(hotelPrice)
                        .append(above ? " >= " : " < ")
                        .append(b.hotelPriceThreshold())
                        .append(", so restaurants here must average at most ")
                        .append(mealCap)
                        .append(" CNY.\n");
            }
            for (int k = 0; k < st.days(); k++, dayIndex++) {
                LocalDate date = start.plusDays(dayIndex);
                String weekday = date.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                boolean wet = false;
                r3.append("\nDay ")
                        .append(dayIndex + 1)
                        .append(", ")
                        .append(date)
                        .append(" (")
                        .append(weekday)
                        .append("), ")
                        .append(st.city());
                if (Boolean.TRUE.equals(s.indoorWhenWet())) {
                    String condition =
                            info.get(weatherAt + dayIndex).get("condition").asText();
                    wet = isWet(condition);
                    r3.append(", forecast ")
                            .append(condition)
                            .append(wet ? " (wet: indoor attractions only)" : " (dry)");
                }
                r3.append(".\nAttractions");
                if (s.maxTicketTotal() != null) {
                    r3.append(" (tickets count against the ")
                            .append(s.maxTicketTotal())
                            .append(" CNY cap, so the cheapest eligible first)");
                } else {
                    r3.append(" (best rated eligible first)");
                }
                r3.append(":\n");
                List<JsonNode> eligible = new ArrayList<>();
                for (JsonNode x : cd.attractions()) {
                    String name = x.get("name").asText();
                    String why = null;
                    if (usedAttractions.contains(name)) {
                        why = "already visited";
                    } else if (s.minAttractionRating() != null
                            && x.get("rating").asDouble() < s.minAttractionRating()) {
                        why = "rated " + x.get("rating").asText() + " < " + s.minAttractionRating();
                    } else if (Boolean.TRUE.equals(s.mustBeOpen()) && contains(x.get("closed_on"), weekday)) {
                        why = "closed on " + weekday;
                    } else if (wet && !x.get("indoor").asBoolean()) {
                        why = "outdoors on a wet day";
                    }
                    if (why == null) {
                        eligible.add(x);
                    } else if (!usedAttractions.contains(name)) {
                        r3.append("- ").append(name).append(": ").append(why).append('\n');
                    }
                }
                List<JsonNode> ranked = sorted(
                        eligible,
                        s.maxTicketTotal() != null
                                ? Comparator.comparingInt((JsonNode x) ->
                                                x.get("ticket_price").asInt())
                                        .thenComparing(x -> x.get("name").asText())
                                : Comparator.comparingDouble(
                                                (JsonNode x) -> -x.get("rating").asDouble())
                                        .thenComparing(x -> x.get("name").asText()));
                for (JsonNode x : ranked) {
                    r3.append("- ")
                            .append(x.get("name").asText())
                            .append(": rating ")
                            .append(x.get("rating").asText());
                    if (s.maxTicketTotal() != null) {
                        r3.append(", ticket ")
                                .append(x.get("ticket_price").asInt())
                                .append(" CNY");
                    }
                    r3.append(" -> eligible\n");
                }
                if (ranked.size() < s.attractionsPerDay()) {
                    throw new IllegalStateException("not enough attractions for day " + (dayIndex + 1));
                }
                List<JsonNode> picks = ranked.subList(0, s.attractionsPerDay());
                ObjectNode day = days.addObject();
                day.put("day", dayIndex + 1)
                        .put("date", date.toString())
                        .put("city", st.city())
                        .put("hotel", hotel.get("name").asText());
                ArrayNode visits = day.putArray("attractions");
                List<String> pickText = new ArrayList<>();
                for (int j = 0; j < picks.size(); j++) {
                    String name = picks.get(j).get("name").asText();
                    usedAttractions.add(name);
                    tickets += picks.get(j).get("ticket_price").asInt();
                    visits.addObject().put("name", name).put("time_slot", SLOTS[j]);
                    pickText.add(name + " (" + SLOTS[j] + ")");
                }
                r3.append("Pick ").append(String.join(", ", pickText)).append(".\n");
                ArrayNode meals = day.putArray("meals");
                for (String meal : s.meals()) {
                    List<String> options = new ArrayList<>();
                    List<JsonNode> fit = new ArrayList<>();
                    for (JsonNode x : cd.restaurants()) {
                        String name = x.get("name").asText();
                        if (usedRestaurants.contains(name) || !contains(x.get("meals"), meal)) {
                            continue;
                        }
                        int price = x.get("average_price").asInt();
                        if (mealCap != null && price > mealCap) {
                            continue;
                        }
                        fit.add(x);
                    }
                    List<JsonNode> rankedMeals = sorted(
                            fit,
                            Comparator.comparingDouble(
                                            (JsonNode x) -> -x.get("rating").asDouble())
                                    .thenComparing(x -> x.get("name").asText()));
                    for (JsonNode x : rankedMeals) {
                        options.add(
                                x.get("name").asText() + " (" + x.get("rating").asText()
                                        + (mealCap != null
                                                ? ", " + x.get("average_price").asInt() + " CNY"
                                                : "") + ")");
                    }
                    if (rankedMeals.isEmpty()) {
                        throw new IllegalStateException("no restaurant for " + meal + " on " + date);
                    }
                    JsonNode rest = rankedMeals.getFirst();
                    usedRestaurants.add(rest.get("name").asText());
                    meals.addObject()
                            .put("meal", meal)
                            .put("restaurant", rest.get("name").asText());
                    r3.append(capitalize(meal))
                            .append(": unused restaurants serving ")
                            .append(meal)
                            .append(mealCap != null ? " within " + mealCap + " CNY" : "")
                            .append(", best rated first: ")
                            .append(String.join(", ", options.subList(0, Math.min(4, options.size()))))
                            .append(options.size() > 4 ? ", ..." : "")
                            .append(" -> ")
                            .append(rest.get("name").asText())
                            .append(".\n");
                }
                ArrayNode transport = day.putArray("transport");
                int arriving = arrivalStay(stays, dayIndex);
                if (arriving > 0) {
                    String from = stays.get(arriving - 1).city();
                    JsonNode legs = info.get(legsAt + arriving - 1).get("options");
                    List<JsonNode> okLegs = new ArrayList<>();
                    StringBuilder legText = new StringBuilder();
                    for (JsonNode x : legs) {
                        boolean ok = s.maxLegPrice() == null || x.get("price").asInt() <= s.maxLegPrice();
                        legText.append("- ")
                                .append(x.get("id").asText())
                                .append(" (")
                                .append(x.get("mode").asText())
                                .append(", ")
                                .append(x.get("departure_time").asText())
                                .append(", ")
                                .append(x.get("price").asInt())
                                .append(" CNY)")
                                .append(ok ? "" : " -> over the cap")
                                .append('\n');
                        if (ok) {
                            okLegs.add(x);
                        }
                    }
                    JsonNode leg = okLegs.stream()
                            .min(Comparator.comparingInt(
                                            (JsonNode x) -> x.get("price").asInt())
                                    .thenComparing(x -> x.get("departure_time").asText()))
                            .orElseThrow(() -> new IllegalStateException("no departure within the cap"));
                    r3.append("Departures ")
                            .append(from)
                            .append(" -> ")
                            .append(st.city())
                            .append(s.maxLegPrice() != null ? " (at most " + s.maxLegPrice() + " CNY)" : "")
                            .append(":\n")
                            .append(legText)
                            .append("Cheapest within the cap: ")
                            .append(leg.get("id").asText())
                            .append(".\n");
                    transport
                            .addObject()
                            .put("mode", leg.get("mode").asText())
                            .put("from_city", from)
                            .put("to_city", st.city())
                            .put("service", leg.get("id").asText())
                            .put("departure_time", leg.get("departure_time").asText());
                }
            }
            r3.append('\n');
        }
        if (s.maxTicketTotal() != null) {
            r3.append("Tickets total ")
                    .append(tickets)
                    .append(" CNY <= ")
                    .append(s.maxTicketTotal())
                    .append(" CNY.\n");
            if (tickets > s.maxTicketTotal()) {
                throw new IllegalStateException("tickets cost " + tickets + " > " + s.maxTicketTotal());
            }
        }
        r3.append("No attraction or restaurant repeats; the plan is complete. I submit it.");
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("days", days);
        turn.act(r3.toString(), new ToolInvoker.Call("submit_result", out));
        return out;
    }

    @Override
    public String answer(SynthTask task, JsonNode submission) {
        List<String> lines = new ArrayList<>();
        for (JsonNode d : submission.get("days")) {
            String attractions = stream(d.get("attractions")).stream()
                    .map(a -> a.get("name").asText())
                    .collect(Collectors.joining(", "));
            String meals = stream(d.get("meals")).stream()
                    .map(m -> m.get("meal").asText() + " at "
                            + m.get("restaurant").asText())
                    .collect(Collectors.joining(", "));
            String legs = stream(d.get("transport")).stream()
                    .map(t -> "; " + t.get("service").asText() + " from "
                            + t.get("from_city").asText())
                    .collect(Collectors.joining());
            lines.add("Day " + d.get("day").asInt() + " (" + d.get("date").asText() + ", "
                    + d.get("city").asText() + "): " + attractions + "; " + meals + "; hotel "
                    + d.get("hotel").asText() + legs + ".");
        }
        return "I submitted the plan:\n" + String.join("\n", lines);
    }

    private static int arrivalDay(List<TripTasks.Stay> stays, int stay) {
        int d = 0;
        for (int i = 0; i < stay; i++) {
            d += stays.get(i).days();
        }
        return d;
    }

    /** The stay that starts on this day, or -1 when the day is not the first of a later stay. */
    private static int arrivalStay(List<TripTasks.Stay> stays, int dayIndex) {
        int d = 0;
        for (int i = 0; i < stays.size(); i++) {
            if (d == dayIndex && i > 0) {
                return i;
            }
            d += stays.get(i).days();
        }
        return -1;
    }

    private static Comparator<JsonNode> byRatingThen(String priceField) {
        return Comparator.comparingDouble((JsonNode x) -> -x.get("rating").asDouble())
                .thenComparingInt(x -> x.get(priceField).asInt())
                .thenComparing(x -> x.get("name").asText());
    }

    private static List<JsonNode> sorted(List<JsonNode> nodes, Comparator<JsonNode> order) {
        List<JsonNode> out = new ArrayList<>(nodes);
        out.sort(order);
        return out;
    }

    private static List<JsonNode> stream(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        if (array != null) {
            array.forEach(out::add);
        }
        return out;
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

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
