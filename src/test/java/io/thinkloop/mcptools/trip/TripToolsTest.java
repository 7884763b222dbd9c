package io.thinkloop.mcptools.trip;

import static io.thinkloop.mcptools.support.SchemaAssert.error;
import static io.thinkloop.mcptools.support.SchemaAssert.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcptools.support.SchemaAssert;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.thinkloop.tools.ToolServerDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TripToolsTest {
    private final TripEnvironment env = TripPlanningServer.environment(Map.of("seed", "42", "size", "small"));
    private final TripDatabase db = env.database();
    private final City city = db.cities().getFirst();
    private final City other = db.cities().get(1);
    private final Hotel hotel = db.hotelsIn(city.name()).getFirst();
    private final Attraction attraction = db.attractionsIn(city.name()).getFirst();
    private final Restaurant restaurant = db.restaurantsIn(city.name()).getFirst();

    private Tool tool(String name) {
        return env.tool(name).orElseThrow();
    }

    private static String q(String s) {
        return Json.MAPPER.valueToTree(s).toString();
    }

    @Test
    void exactlyTheFifteenToolsWithClosedSchemas() {
        assertEquals(
                List.of(
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
                        "submit_result"),
                env.tools().stream().map(t -> t.spec().name()).toList());
        for (Tool t : env.tools()) {
            SchemaAssert.assertClosedInputSchema(t);
            assertTrue(t.spec().description().length() > 20, t.spec().name());
        }
    }

    @Test
    void serviceLoaderFindsTheServer() {
        ToolServerDefinition def = ServiceLoader.load(ToolServerDefinition.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(d -> d.name().equals("trip-planning"))
                .findFirst()
                .orElseThrow();
        assertEquals(15, def.tools(Map.of("size", "small")).size());
    }

    @Test
    void listingTools() {
        JsonNode cities = ok(tool("get_all_cities"), "{}");
        assertEquals(db.cities().size(), cities.get("count").asInt());
        assertEquals(city.name(), cities.get("cities").get(0).asText());

        JsonNode hotels =
                ok(tool("get_all_hotels_by_city"), "{\"city\": " + q(city.name().toUpperCase()) + "}");
        assertEquals(city.name(), hotels.get("city").asText(), "canonical city name");
        assertEquals(
                db.hotelsIn(city.name()).stream().map(Hotel::name).toList(),
                Json.MAPPER.convertValue(hotels.get("hotels"), List.class));
        JsonNode attractions = ok(tool("get_all_attractions_by_city"), "{\"city\": " + q(city.name()) + "}");
        assertEquals(
                db.attractionsIn(city.name()).size(), attractions.get("count").asInt());
        assertEquals(attraction.name(), attractions.get("attractions").get(0).asText());
        JsonNode restaurants = ok(tool("get_all_restaurants_by_city"), "{\"city\": " + q(city.name()) + "}");
        assertEquals(restaurant.name(), restaurants.get("restaurants").get(0).asText());
    }

    @Test
    void cityOfVenue() {
        assertEquals(
                city.name(),
                ok(tool("get_city_by_hotel"), "{\"hotel\": " + q(hotel.name()) + "}")
                        .get("city")
                        .asText());
        assertEquals(
                city.name(),
                ok(tool("get_city_by_attraction"), "{\"attraction\": " + q(attraction.name()) + "}")
                        .get("city")
                        .asText());
        assertEquals(
                city.name(),
                ok(tool("get_city_by_restaurant"), "{\"restaurant\": " + q(restaurant.name()) + "}")
                        .get("city")
                        .asText());
    }

    @Test
    void infos() {
        JsonNode h =
                ok(tool("get_infos_by_hotel"), "{\"hotel\": " + q(hotel.name().toLowerCase()) + "}");
        assertEquals(hotel, Json.MAPPER.convertValue(h, Hotel.class));
        JsonNode a = ok(tool("get_infos_by_attraction"), "{\"attraction\": " + q(attraction.name()) + "}");
        assertEquals(attraction, Json.MAPPER.convertValue(a, Attraction.class));
        JsonNode r = ok(tool("get_infos_by_restaurant"), "{\"restaurant\": " + q(restaurant.name()) + "}");
        assertEquals(restaurant, Json.MAPPER.convertValue(r, Restaurant.class));
        JsonNode c = ok(tool("get_infos_by_city"), "{\"city\": " + q(city.name()) + "}");
        assertEquals(city, Json.MAPPER.convertValue(c, City.class));
    }

    @Test
    void transportAndWeather() {
        JsonNode local = ok(tool("get_city_transport"), "{\"city\": " + q(city.name()) + "}");
        assertEquals(
                db.cityTransport(city.name()).orElseThrow().options().size(),
                local.get("options").size());
        JsonNode inter = ok(
                tool("get_inter_city_transport"),
                "{\"from_city\": " + q(city.name()) + ", \"to_city\": " + q(other.name()) + "}");
        assertEquals(
                db.interCityTransport(city.name(), other.name()).size(),
                inter.get("count").asInt());
        assertTrue(inter.get("count").asInt() > 0);
        assertEquals(other.name(), inter.get("options").get(0).get("to_city").asText());
        JsonNode w =
                ok(tool("get_weather_by_city_date"), "{\"city\": " + q(city.name()) + ", \"date\": \"2025-10-02\"}");
        assertEquals(
                db.weather(city.name(), LocalDate.of(2025, 10, 2)).orElseThrow(),
                Json.MAPPER.convertValue(w, Weather.class));
        assertEquals("Thursday", w.get("weekday").asText(), "2025-10-02");
    }

    @Test
    void wrongArgumentsGiveClearErrors() {
        error(tool("get_all_hotels_by_city"), "{}", "city");
        error(tool("get_all_hotels_by_city"), "{\"city\": 5}", "string");
        error(tool("get_all_hotels_by_city"), "{\"city\": " + q(city.name()) + ", \"stars\": 5}", "stars");
        error(tool("get_all_hotels_by_city"), "{\"city\": \"Atlantis\"}", "Unknown city 'Atlantis'");
        error(tool("get_all_cities"), "{\"city\": \"x\"}", "city");
        error(tool("get_city_by_hotel"), "{\"hotel\": \"Nowhere Inn\"}", "get_all_hotels_by_city");
        String partial = hotel.name().substring(0, hotel.name().lastIndexOf(' '));
        error(tool("get_infos_by_hotel"), "{\"hotel\": " + q(partial) + "}", hotel.name());
        error(tool("get_infos_by_attraction"), "{\"attraction\": \"\"}", "attraction");
        error(tool("get_infos_by_restaurant"), "{\"restaurant\": \"Chez Nobody\"}", "Unknown restaurant");
        error(tool("get_infos_by_city"), "{\"city\": \"Gotham\"}", "Known cities");
        error(tool("get_city_transport"), "{\"city\": null}", "city");
        error(tool("get_inter_city_transport"), "{\"from_city\": " + q(city.name()) + "}", "to_city");
        error(
                tool("get_inter_city_transport"),
                "{\"from_city\": " + q(city.name()) + ", \"to_city\": " + q(city.name()) + "}",
                "get_city_transport");
        error(tool("get_weather_by_city_date"), "{\"city\": " + q(city.name()) + ", \"date\": \"tomorrow\"}", "date");
        error(
                tool("get_weather_by_city_date"),
                "{\"city\": " + q(city.name()) + ", \"date\": \"2025-13-45\"}",
                "not a valid date");
        error(
                tool("get_weather_by_city_date"),
                "{\"city\": " + q(city.name()) + ", \"date\": \"2031-01-01\"}",
                "forecasts cover 2025-10-01 to 2025-10-14");
        ToolResult nullArgs = tool("get_infos_by_city")
                .call(null, ToolCallContext.detached("x"))
                .await()
                .indefinitely();
        assertTrue(nullArgs.isError() && nullArgs.text().contains("city"), nullArgs.text());
    }

    @Test
    void sameSeedSameAnswers() {
        TripEnvironment again = TripPlanningServer.environment(Map.of("seed", "42", "size", "small"));
        String args = "{\"from_city\": " + q(other.name()) + ", \"to_city\": " + q(city.name()) + "}";
        assertEquals(
                SchemaAssert.call(tool("get_inter_city_transport"), args).text(),
                SchemaAssert.call(again.tool("get_inter_city_transport").orElseThrow(), args)
                        .text());
    }

    @Test
    void submitResultRecordsThePlan(@TempDir Path dir) throws Exception {
        Path record = dir.resolve("plans.jsonl");
        TripEnvironment recording =
                TripPlanningServer.environment(Map.of("seed", "42", "size", "small", "record", record.toString()));
        String plan = """
                {"days": [
                  {"day": 1, "date": "2025-10-01", "city": %1$s, "hotel": %2$s,
                   "attractions": [{"name": %3$s, "time_slot": "morning"}],
                   "meals": [{"meal": "lunch", "restaurant": %4$s}], "local_transport": "metro"},
                  {"day": 2, "date": "2025-10-02", "city": %5$s, "hotel": null,
                   "transport": [{"mode": "high-speed rail", "from_city": %1$s, "to_city": %5$s, "service": "G1", "departure_time": "08:30"}]}],
                 "summary": "two days", "total_cost": 1234.5}""".formatted(
                        q(city.name()), q(hotel.name()), q(attraction.name()), q(restaurant.name()), q(other.name()));
        Tool submit = recording.tool("submit_result").orElseThrow();
        ToolResult r = submit.call(Json.MAPPER.readTree(plan), new ToolCallContext("s1", "t1", "call-9", (p, m) -> {}))
                .await()
                .indefinitely();
        assertTrue(!r.isError(), r.text());
        SchemaAssert.assertMatchesOutputSchema(submit, r.structured());
        assertEquals("sub-1", r.structured().get("submission_id").asText());
        assertEquals(2, r.structured().get("day_count").asInt());

        Submission s = recording.lastSubmission().orElseThrow();
        assertEquals("call-9", s.toolCallId());
        assertEquals("s1", s.sessionId());
        TripPlan.Day day1 = s.plan().days().getFirst();
        assertEquals(hotel.name(), day1.hotel());
        assertEquals(
                new TripPlan.Visit(attraction.name(), "morning"),
                day1.attractions().getFirst());
        assertEquals(new TripPlan.Meal("lunch", restaurant.name()), day1.meals().getFirst());
        assertEquals("G1", s.plan().days().get(1).transport().getFirst().service());
        assertEquals(1234.5, s.plan().totalCost());
        assertEquals(Json.MAPPER.readTree(plan), s.arguments());

        List<String> lines = Files.readAllLines(record);
        assertEquals(1, lines.size());
        assertEquals(s, Json.MAPPER.readValue(lines.getFirst(), Submission.class));

        error(submit, "{\"days\": [{\"day\": 1}]}", "city");
        error(submit, "{\"days\": []}", "days");
        error(
                submit,
                "{\"days\": [{\"day\": 1, \"city\": \"x\", \"meals\": [{\"meal\": \"brunch\", \"restaurant\": \"r\"}]}]}",
                "meal");
        error(submit, "{\"plan\": {}}", "plan");
        assertEquals(1, recording.submissions().size(), "rejected plans are not recorded");
        ok(submit, "{\"days\": [{\"day\": 1, \"city\": \"anything\"}]}");
        assertEquals("sub-2", recording.lastSubmission().orElseThrow().id());
        assertEquals(2, Files.readAllLines(record).size());
    }

    @Test
    void serverOptions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("db.json");
        TripEnvironment exported =
                TripPlanningServer.environment(Map.of("seed", "3", "size", "small", "export", file.toString()));
        TripEnvironment loaded = TripPlanningServer.environment(Map.of("data", file.toString()));
        assertEquals(exported.database(), loaded.database());
        assertEquals(TripDatabase.generate(3, TripDatabase.Size.SMALL), loaded.database());

        Map<String, String> bad = new HashMap<>(Map.of("colour", "red"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TripPlanningServer.environment(bad));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TripPlanningServer.environment(Map.of("size", "huge")));
        assertTrue(e.getMessage().contains("huge"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TripPlanningServer.environment(Map.of("seed", "x")));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        TripEnvironment window =
                TripPlanningServer.environment(Map.of("size", "small", "start_date", "2026-05-01", "days", "3"));
        assertEquals(3, window.database().dates().size());
    }
}
