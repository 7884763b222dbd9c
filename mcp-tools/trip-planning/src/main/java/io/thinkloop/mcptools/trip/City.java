package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** A city of the database; prices across the database are in CNY. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record City(
        String id,
        String name,
        String province,
        double latitude,
        double longitude,
        String description,
        List<String> highlights,
        int averageDailyBudget) {
    public City {
        highlights = List.copyOf(highlights);
    }
}
