package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * A restaurant; {@code averagePrice} in CNY per person, {@code meals} the meals it serves (breakfast,
 * lunch, dinner) as its opening hours allow.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Restaurant(
        String id,
        String name,
        String city,
        String cuisine,
        int averagePrice,
        double rating,
        String openingHours,
        List<String> meals,
        List<String> features,
        List<String> signatureDishes)
        implements Venue {
    public Restaurant {
        meals = List.copyOf(meals);
        features = List.copyOf(features);
        signatureDishes = List.copyOf(signatureDishes);
    }

    /** Whether it serves {@code meal} (breakfast, lunch or dinner). */
    public boolean serves(String meal) {
        return meals.contains(meal);
    }
}
