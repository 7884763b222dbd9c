package io.thinkloop.mcptools.trip;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The trip-planning database: immutable data ({@link #data()}) and indexes for lookups by name (case and
 * spacing insensitive) and by id. Venue names are unique across the whole database, so "which city is this
 * hotel in" has one answer. Build one with {@link #generate} (deterministic for a seed and size) or
 * {@link #fromJson}/{@link #load}; {@link #toJson}/{@link #save} write the same format back.
 */
public final class TripDatabase {
    /** How big a generated database is. */
    public enum Size {
        SMALL(6, 6, 8, 8, 14),
        MEDIUM(12, 10, 12, 14, 31),
        LARGE(30, 15, 20, 20, 61);

        public final int cities;
        public final int hotelsPerCity;
        public final int attractionsPerCity;
        public final int restaurantsPerCity;
        public final int weatherDays;

        Size(int cities, int hotelsPerCity, int attractionsPerCity, int restaurantsPerCity, int weatherDays) {
            this.cities = cities;
            this.hotelsPerCity = hotelsPerCity;
            this.attractionsPerCity = attractionsPerCity;
            this.restaurantsPerCity = restaurantsPerCity;
            this.weatherDays = weatherDays;
        }

        public static Size parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown size '" + text + "' (small, medium or large)");
            }
        }
    }

    /** The first date with weather in generated databases: the paper's example trip starts on it. */
    public static final LocalDate DEFAULT_START_DATE = LocalDate.of(2025, 10, 1);

    private final TripData data;
    private final Map<String, City> citiesByName;
    private final Map<String, City> citiesById;
    private final Map<String, Hotel> hotelsByName;
    private final Map<String, Attraction> attractionsByName;
    private final Map<String, Restaurant> restaurantsByName;
    private final Map<String, Venue> venuesById;
    private final Map<String, List<Hotel>> hotelsByCity;
    private final Map<String, List<Attraction>> attractionsByCity;
    private final Map<String, List<Restaurant>> restaurantsByCity;
    private final Map<String, CityTransport> transportByCity;
    private final Map<String, List<InterCityTransport>> interCityByRoute;
    private final Map<String, Weather> weatherByCityDate;
    private final LocalDate startDate;

    /** Indexes {@code data}; throws IllegalArgumentException naming the first inconsistency found. */
    public TripDatabase(TripData data) {
        this.data = data;
        try {
            this.startDate = LocalDate.parse(data.startDate());
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException("start_date must be yyyy-MM-dd, got " + data.startDate());
        }
        citiesByName = index(data.cities(), City::name, "city");
        citiesById = new LinkedHashMap<>();
        for (City c : data.cities()) {
            if (citiesById.put(c.id(), c) != null) {
                throw new IllegalArgumentException("duplicate city id " + c.id());
            }
        }
        hotelsByName = index(data.hotels(), Hotel::name, "hotel");
        attractionsByName = index(data.attractions(), Attraction::name, "attraction");
        restaurantsByName = index(data.restaurants(), Restaurant::name, "restaurant");
        venuesById = new LinkedHashMap<>();
        data.hotels().forEach(this::putId);
        data.attractions().forEach(this::putId);
        data.restaurants().forEach(this::putId);
        hotelsByCity = groupByCity(data.hotels(), Hotel::city, "hotel");
        attractionsByCity = groupByCity(data.attractions(), Attraction::city, "attraction");
        restaurantsByCity = groupByCity(data.restaurants(), Restaurant::city, "restaurant");
        transportByCity = new LinkedHashMap<>();
        for (CityTransport t : data.cityTransport()) {
            requireCity(t.city(), "city transport");
            transportByCity.put(key(t.city()), t);
        }
        interCityByRoute = new LinkedHashMap<>();
        for (InterCityTransport t : data.interCityTransport()) {
            requireCity(t.fromCity(), "transport " + t.id());
            requireCity(t.toCity(), "transport " + t.id());
            interCityByRoute
                    .computeIfAbsent(routeKey(t.fromCity(), t.toCity()), k -> new ArrayList<>())
                    .add(t);
        }
        weatherByCityDate = new LinkedHashMap<>();
        for (Weather w : data.weather()) {
            requireCity(w.city(), "weather");
            weatherByCityDate.put(key(w.city()) + "|" + w.date(), w);
        }
    }

    /** A database generated from {@code seed}: the same seed and size always give the same data. */
    public static TripDatabase generate(long seed, Size size) {
        return generate(seed, size, DEFAULT_START_DATE, size.weatherDays);
    }

    /** As {@link #generate(long, Size)}, with weather for {@code days} dates from {@code startDate}. */
    public static TripDatabase generate(long seed, Size size, LocalDate startDate, int days) {
        return new TripDatabase(new TripGenerator(seed, size, startDate, days).generate());
    }

    public static TripDatabase fromJson(String json) {
        try {
            TripData data = Json.MAPPER.readValue(json, TripData.class);
            if (data == null) {
                throw new IllegalArgumentException("empty trip database");
            }
            return new TripDatabase(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a trip database: " + e.getOriginalMessage(), e);
        }
    }

    public static TripDatabase load(Path file) throws IOException {
        return fromJson(Files.readString(file));
    }

    /** The database as pretty-printed JSON in the {@link TripData} format; byte-identical for equal data. */
    public String toJson() {
        try {
            return Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(data) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write trip database", e);
        }
    }

    public void save(Path file) throws IOException {
        Files.writeString(file, toJson());
    }

    public TripData data() {
        return data;
    }

    public LocalDate startDate() {
        return startDate;
    }

    /** The dates that have weather, in order. */
    public List<LocalDate> dates() {
        return startDate.datesUntil(startDate.plusDays(data.days())).toList();
    }

    public List<City> cities() {
        return data.cities();
    }

    public Optional<City> city(String name) {
        return Optional.ofNullable(name == null ? null : citiesByName.get(key(name)));
    }

    public Optional<City> cityById(String id) {
        return Optional.ofNullable(citiesById.get(id));
    }

    public Optional<Hotel> hotel(String name) {
        return Optional.ofNullable(name == null ? null : hotelsByName.get(key(name)));
    }

    public Optional<Attraction> attraction(String name) {
        return Optional.ofNullable(name == null ? null : attractionsByName.get(key(name)));
    }

    public Optional<Restaurant> restaurant(String name) {
        return Optional.ofNullable(name == null ? null : restaurantsByName.get(key(name)));
    }

    /** A hotel, attraction or restaurant by its id (e.g. {@code hotel-0007}). */
    public Optional<Venue> venueById(String id) {
        return Optional.ofNullable(venuesById.get(id));
    }

    public List<Hotel> hotelsIn(String city) {
        return hotelsByCity.getOrDefault(key(city), List.of());
    }

    public List<Attraction> attractionsIn(String city) {
        return attractionsByCity.getOrDefault(key(city), List.of());
    }

    public List<Restaurant> restaurantsIn(String city) {
        return restaurantsByCity.getOrDefault(key(city), List.of());
    }

    public Optional<CityTransport> cityTransport(String city) {
        return Optional.ofNullable(transportByCity.get(key(city)));
    }

    /** The daily departures from one city to another, by departure time; empty when there is no direct link. */
    public List<InterCityTransport> interCityTransport(String fromCity, String toCity) {
        return interCityByRoute.getOrDefault(routeKey(fromCity, toCity), List.of());
    }

    public Optional<Weather> weather(String city, LocalDate date) {
        return Optional.ofNullable(weatherByCityDate.get(key(city) + "|" + date));
    }

    /** Names compare without regard to case, surrounding or repeated spaces. */
    static String key(String name) {
        return name == null ? "" : name.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static String routeKey(String from, String to) {
        return key(from) + "->" + key(to);
    }

    private void putId(Venue venue) {
        if (venuesById.put(venue.id(), venue) != null) {
            throw new IllegalArgumentException("duplicate venue id " + venue.id());
        }
    }

    private void requireCity(String city, String what) {
        if (!citiesByName.containsKey(key(city))) {
            throw new IllegalArgumentException(what + " refers to unknown city '" + city + "'");
        }
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> name, String what) {
        Map<String, T> map = new LinkedHashMap<>();
        for (T item : items) {
            String n = name.apply(item);
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException(what + " without a name: " + item);
            }
            if (map.put(key(n), item) != null) {
                throw new IllegalArgumentException("duplicate " + what + " name '" + n + "'");
            }
        }
        return map;
    }

    private <T> Map<String, List<T>> groupByCity(List<T> items, Function<T, String> city, String what) {
        Map<String, List<T>> map = new LinkedHashMap<>();
        for (T item : items) {
            String c = city.apply(item);
            requireCity(c, what + " " + item);
            map.computeIfAbsent(key(c), k -> new ArrayList<>()).add(item);
        }
        map.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return map;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TripDatabase other && data.equals(other.data);
    }

    @Override
    public int hashCode() {
        return data.hashCode();
    }
}
