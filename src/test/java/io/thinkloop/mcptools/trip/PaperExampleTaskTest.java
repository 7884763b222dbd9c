package io.thinkloop.mcptools.trip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcptools.support.SchemaAssert;
import io.thinkloop.tools.Tool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The paper's example task, solved through the tools alone the way an agent would (list, inspect, choose,
 * submit), then checked against the database: three days in three different cities from 2025-10-01, no
 * venue twice, every venue in that day's city, and day 2's budget rule that depends on the hotel's price.
 */
class PaperExampleTaskTest {
    private TripEnvironment env;

    private JsonNode call(String tool, String field, String value) {
        Tool t = env.tool(tool).orElseThrow();
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (field != null) {
            args.put(field, value);
        }
        return SchemaAssert.ok(t, args.toString());
    }

    private List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 42, 2025})
    void solvedWithToolsAndVerified(long seed) {
        env = TripPlanningServer.environment(Map.of("seed", String.valueOf(seed), "size", "medium"));
        List<String> cities = names(call("get_all_cities", null, null).get("cities"));
        List<String> route = List.of(cities.get(0), cities.get(1), cities.get(2));
        ArrayNode days = Json.MAPPER.createArrayNode();
        for (int d = 0; d < 3; d++) {
            String city = route.get(d);
            List<JsonNode> hotels = names(
                            call("get_all_hotels_by_city", "city", city).get("hotels"))
                    .stream()
                    .map(h -> call("get_infos_by_hotel", "hotel", h))
                    .toList();
            List<JsonNode> restaurants =
                    names(call("get_all_restaurants_by_city", "city", city).get("restaurants")).stream()
                            .map(r -> call("get_infos_by_restaurant", "restaurant", r))
                            .toList();
            List<JsonNode> attractions =
                    names(call("get_all_attractions_by_city", "city", city).get("attractions")).stream()
                            .map(a -> call("get_infos_by_attraction", "attraction", a))
                            .toList();
            Optional<ObjectNode> day = Optional.empty();
            for (JsonNode hotel : hotels) {
                day = tryDay(d + 1, city, hotel, restaurants, attractions);
                if (day.isPresent()) {
                    break;
                }
            }
            ObjectNode chosen = day.orElseThrow(() -> new AssertionError("no feasible day in " + city));
            if (d > 0) {
                JsonNode options = SchemaAssert.ok(
                                env.tool("get_inter_city_transport").orElseThrow(),
                                "{\"from_city\": " + Json.MAPPER.valueToTree(route.get(d - 1)) + ", \"to_city\": "
                                        + Json.MAPPER.valueToTree(city) + "}")
                        .get("options");
                JsonNode first = options.get(0);
                chosen.putArray("transport")
                        .addObject()
                        .put("mode", first.get("mode").asText())
                        .put("from_city", route.get(d - 1))
                        .put("to_city", city)
                        .put("service", first.get("id").asText())
                        .put("departure_time", first.get("departure_time").asText());
            }
            days.add(chosen);
        }
        ObjectNode plan = Json.MAPPER.createObjectNode();
        plan.set("days", days);
        JsonNode ack = SchemaAssert.ok(env.tool("submit_result").orElseThrow(), plan.toString());
        assertEquals("accepted", ack.get("status").asText());

        verify(env.lastSubmission().orElseThrow().plan(), env.database());
    }

    /** A day with the hotel given, if restaurants and attractions can satisfy the budget rule. */
    private Optional<ObjectNode> tryDay(
            int day, String city, JsonNode hotel, List<JsonNode> restaurants, List<JsonNode> attractions) {
        int price = hotel.get("price_per_night").asInt();
        List<JsonNode> lunch =
                restaurants.stream().filter(r -> has(r.get("meals"), "lunch")).toList();
        List<JsonNode> dinner =
                restaurants.stream().filter(r -> has(r.get("meals"), "dinner")).toList();
        for (JsonNode l : lunch) {
            for (JsonNode dn : dinner) {
                if (l.equals(dn)) {
                    continue;
                }
                for (JsonNode morning : attractions) {
                    for (JsonNode afternoon : attractions) {
                        if (morning.equals(afternoon)) {
                            continue;
                        }
                        if (day != 2 || budgetRule(price, l, dn, afternoon)) {
                            ObjectNode out = Json.MAPPER.createObjectNode();
                            out.put("day", day)
                                    .put("date", "2025-10-0" + day)
                                    .put("city", city)
                                    .put("hotel", hotel.get("name").asText());
                            ArrayNode visits = out.putArray("attractions");
                            visits.addObject()
                                    .put("name", morning.get("name").asText())
                                    .put("time_slot", "morning");
                            visits.addObject()
                                    .put("name", afternoon.get("name").asText())
                                    .put("time_slot", "afternoon");
                            ArrayNode meals = out.putArray("meals");
                            meals.addObject()
                                    .put("meal", "lunch")
                                    .put("restaurant", l.get("name").asText());
                            meals.addObject()
                                    .put("meal", "dinner")
                                    .put("restaurant", dn.get("name").asText());
                            return Optional.of(out);
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static boolean has(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** The paper's day-2 rule: stricter spending and ratings the dearer the hotel. */
    private static boolean budgetRule(int hotelPrice, JsonNode lunch, JsonNode dinner, JsonNode afternoon) {
        double r1 = lunch.get("rating").asDouble();
        double r2 = dinner.get("rating").asDouble();
        int ticket = afternoon.get("ticket_price").asInt();
        if (hotelPrice >= 800) {
            return lunch.get("average_price").asInt()
                                    + dinner.get("average_price").asInt()
                            < 350
                    && r1 >= 4.0
                    && r2 >= 4.0
                    && ticket < 120;
        }
        if (hotelPrice >= 500) {
            return (r1 >= 4.0 || r2 >= 4.0) && ticket < 180;
        }
        return hotelPrice >= 200 && (r1 >= 3.2 || r2 >= 3.2);
    }

    private static void verify(TripPlan plan, TripDatabase db) {
        assertEquals(3, plan.days().size());
        Set<String> seen = new HashSet<>();
        for (TripPlan.Day day : plan.days()) {
            assertTrue(seen.add("city:" + day.city()), "city repeated: " + day.city());
            assertTrue(seen.add("hotel:" + day.hotel()), "hotel repeated");
            assertEquals(day.city(), db.hotel(day.hotel()).orElseThrow().city());
            for (TripPlan.Visit v : day.attractions()) {
                assertTrue(seen.add("attraction:" + v.name()), "attraction repeated");
                assertEquals(day.city(), db.attraction(v.name()).orElseThrow().city());
            }
            for (TripPlan.Meal m : day.meals()) {
                assertTrue(seen.add("restaurant:" + m.restaurant()), "restaurant repeated");
                Restaurant r = db.restaurant(m.restaurant()).orElseThrow();
                assertEquals(day.city(), r.city());
                assertTrue(r.meals().contains(m.meal()), r.name() + " serves " + m.meal());
            }
            for (TripPlan.Leg leg : day.transport()) {
                assertTrue(
                        db.interCityTransport(leg.fromCity(), leg.toCity()).stream()
                                .anyMatch(t ->
                                        t.id().equals(leg.service()) && t.mode().equals(leg.mode())),
                        "real departure " + leg);
            }
        }
        TripPlan.Day two = plan.days().get(1);
        Hotel hotel = db.hotel(two.hotel()).orElseThrow();
        Restaurant lunch = db.restaurant(two.meals().get(0).restaurant()).orElseThrow();
        Restaurant dinner = db.restaurant(two.meals().get(1).restaurant()).orElseThrow();
        Attraction afternoon = db.attraction(two.attractions().get(1).name()).orElseThrow();
        assertTrue(
                budgetRule(
                        hotel.pricePerNight(),
                        Json.MAPPER.valueToTree(lunch),
                        Json.MAPPER.valueToTree(dinner),
                        Json.MAPPER.valueToTree(afternoon)),
                "day-2 budget rule");
    }
}
