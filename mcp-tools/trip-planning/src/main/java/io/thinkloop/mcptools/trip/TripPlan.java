package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A submitted itinerary, as {@code submit_result} receives it: one entry per day with the city, the hotel
 * for that night, attractions by time slot, meals by restaurant and the inter-city legs travelled that day.
 * Names are as the tools return them; nothing here is checked against the database (verifiers do that).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TripPlan(List<Day> days, String summary, Double totalCost) {
    public TripPlan {
        days = days == null ? List.of() : List.copyOf(days);
    }

    /** One day: {@code hotel} may be null (e.g. the last day); {@code date} is "yyyy-MM-dd" or null. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Day(
            int day,
            String date,
            String city,
            String hotel,
            List<Visit> attractions,
            List<Meal> meals,
            List<Leg> transport,
            String localTransport) {
        public Day {
            attractions = attractions == null ? List.of() : List.copyOf(attractions);
            meals = meals == null ? List.of() : List.copyOf(meals);
            transport = transport == null ? List.of() : List.copyOf(transport);
        }
    }

    /** An attraction visit; {@code timeSlot} is morning, afternoon or evening. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Visit(String name, String timeSlot) {}

    /** A meal; {@code meal} is breakfast, lunch or dinner. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Meal(String meal, String restaurant) {}

    /** An inter-city leg; {@code service} (e.g. G1234) and {@code departureTime} are optional. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Leg(String mode, String fromCity, String toCity, String service, String departureTime) {}
}
