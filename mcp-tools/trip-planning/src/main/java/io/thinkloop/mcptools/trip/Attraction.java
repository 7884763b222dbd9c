package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.LocalDate;
import java.util.List;

/**
 * An attraction; {@code ticketPrice} in CNY (0 = free), {@code openingHours} "HH:MM-HH:MM",
 * {@code closedOn} the weekdays (e.g. "Monday") it does not open, {@code indoor} whether weather matters.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Attraction(
        String id,
        String name,
        String city,
        String type,
        int ticketPrice,
        double rating,
        String openingHours,
        List<String> closedOn,
        double recommendedHours,
        boolean indoor,
        String description)
        implements Venue {
    public Attraction {
        closedOn = List.copyOf(closedOn);
    }

    /** Whether it opens on {@code date} (it is not closed on that weekday). */
    public boolean isOpenOn(LocalDate date) {
        return !closedOn.contains(TripGenerator.weekday(date));
    }
}
