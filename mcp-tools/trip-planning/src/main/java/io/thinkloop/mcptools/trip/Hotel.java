package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** A hotel; {@code pricePerNight} in CNY for a standard double room, {@code rating} 1.0-5.0. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Hotel(
        String id,
        String name,
        String city,
        int stars,
        int pricePerNight,
        double rating,
        List<String> amenities,
        String address,
        String checkInTime,
        String checkOutTime)
        implements Venue {
    public Hotel {
        amenities = List.copyOf(amenities);
    }
}
