package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One daily departure between two cities: {@code mode} is flight, high-speed rail, train or coach;
 * {@code id} the service number (e.g. G1234); times "HH:MM", {@code arrivalDayOffset} 1 when it arrives
 * the next day; {@code price} in CNY (economy / second class).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InterCityTransport(
        String id,
        String mode,
        String fromCity,
        String toCity,
        String departureTime,
        String arrivalTime,
        int arrivalDayOffset,
        int durationMinutes,
        int price,
        int distanceKm) {}
