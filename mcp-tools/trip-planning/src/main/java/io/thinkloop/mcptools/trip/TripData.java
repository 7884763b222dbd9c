package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The file form of a {@link TripDatabase} ({@code --opt data=FILE}): everything in plain lists.
 * {@code seed} and {@code size} say how it was generated (null for hand-made files); weather covers
 * {@code days} dates from {@code startDate}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TripData(
        String format,
        Long seed,
        String size,
        String currency,
        String startDate,
        int days,
        List<City> cities,
        List<Hotel> hotels,
        List<Attraction> attractions,
        List<Restaurant> restaurants,
        List<CityTransport> cityTransport,
        List<InterCityTransport> interCityTransport,
        List<Weather> weather) {
    public static final String FORMAT = "thinkloop-trip-db/1";

    public TripData {
        cities = List.copyOf(nonNull(cities));
        hotels = List.copyOf(nonNull(hotels));
        attractions = List.copyOf(nonNull(attractions));
        restaurants = List.copyOf(nonNull(restaurants));
        cityTransport = List.copyOf(nonNull(cityTransport));
        interCityTransport = List.copyOf(nonNull(interCityTransport));
        weather = List.copyOf(nonNull(weather));
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
