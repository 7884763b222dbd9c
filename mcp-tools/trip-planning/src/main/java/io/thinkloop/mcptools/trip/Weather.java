package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** The forecast for one city on one date ("yyyy-MM-dd"); temperatures in degrees Celsius. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Weather(
        String city,
        String date,
        String condition,
        int temperatureHigh,
        int temperatureLow,
        int precipitationChance,
        String wind) {
    /** Whether the condition brings rain, snow or storm: the days to keep outdoor sightseeing short. */
    @JsonIgnore
    public boolean isWet() {
        return condition.contains("rain") || condition.contains("snow") || condition.contains("storm");
    }
}
