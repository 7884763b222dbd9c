package io.thinkloop.mcptools.trip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TripDatabaseTest {
    @Test
    void sameSeedGivesIdenticalJson() {
        for (TripDatabase.Size size : TripDatabase.Size.values()) {
            String a = TripDatabase.generate(7, size).toJson();
            String b = TripDatabase.generate(7, size).toJson();
            assertEquals(a, b, size.name());
        }
    }

    @Test
    void differentSeedsDiffer() {
        TripDatabase a = TripDatabase.generate(1, TripDatabase.Size.MEDIUM);
        TripDatabase b = TripDatabase.generate(2, TripDatabase.Size.MEDIUM);
        assertNotEquals(a.toJson(), b.toJson());
        assertNotEquals(a.data().hotels(), b.data().hotels());
        assertNotEquals(
                a.data().weather().stream().map(Weather::condition).toList(),
                b.data().weather().stream().map(Weather::condition).toList());
    }

    @Test
    void sizesGiveTheDeclaredCounts() {
        for (TripDatabase.Size size : TripDatabase.Size.values()) {
            TripDatabase db = TripDatabase.generate(3, size);
            int cities = size.cities;
            assertEquals(cities, db.cities().size());
            assertEquals(cities * size.hotelsPerCity, db.data().hotels().size());
            assertEquals(
                    cities * size.attractionsPerCity, db.data().attractions().size());
            assertEquals(
                    cities * size.restaurantsPerCity, db.data().restaurants().size());
            assertEquals(cities * size.weatherDays, db.data().weather().size());
            assertEquals(cities, db.data().cityTransport().size());
        }
    }

    @Test
    void jsonRoundTripKeepsEverything(@TempDir Path dir) throws Exception {
        TripDatabase db = TripDatabase.generate(42, TripDatabase.Size.MEDIUM);
        TripDatabase back = TripDatabase.fromJson(db.toJson());
        assertEquals(db.data(), back.data());
        assertEquals(db.toJson(), back.toJson());
        Path file = dir.resolve("trip.json");
        db.save(file);
        assertEquals(db, TripDatabase.load(file));
        assertTrue(Files.readString(file).contains("\"price_per_night\""), "snake_case field names in the file");
    }

    @Test
    void everyCityHasVenuesTransportAndWeatherForEveryDate() {
        TripDatabase db = TripDatabase.generate(11, TripDatabase.Size.SMALL);
        for (City c : db.cities()) {
            assertEquals(
                    TripDatabase.Size.SMALL.hotelsPerCity, db.hotelsIn(c.name()).size());
            assertEquals(
                    TripDatabase.Size.SMALL.attractionsPerCity,
                    db.attractionsIn(c.name()).size());
            assertEquals(
                    TripDatabase.Size.SMALL.restaurantsPerCity,
                    db.restaurantsIn(c.name()).size());
            assertTrue(db.cityTransport(c.name()).orElseThrow().options().size() >= 3);
            for (LocalDate d : db.dates()) {
                Weather w = db.weather(c.name(), d).orElseThrow();
                assertTrue(w.temperatureLow() < w.temperatureHigh());
                assertTrue(w.precipitationChance() >= 0 && w.precipitationChance() <= 100);
            }
            // Enough spread for budget rules that branch on the hotel's price and on ratings.
            Set<Integer> stars = new HashSet<>();
            db.hotelsIn(c.name()).forEach(h -> stars.add(h.stars()));
            assertTrue(stars.size() >= 2, c.name() + " hotel stars " + stars);
            for (City other : db.cities()) {
                if (!other.equals(c)) {
                    List<InterCityTransport> options = db.interCityTransport(c.name(), other.name());
                    assertTrue(!options.isEmpty(), c.name() + " -> " + other.name());
                    for (InterCityTransport t : options) {
                        assertEquals(c.name(), t.fromCity());
                        assertEquals(other.name(), t.toCity());
                        assertTrue(t.price() > 0 && t.durationMinutes() > 0);
                    }
                }
            }
        }
    }

    @Test
    void venueNamesAndIdsAreUniqueAndLookupsIgnoreCase() {
        TripDatabase db = TripDatabase.generate(5, TripDatabase.Size.LARGE);
        List<String> names = new ArrayList<>();
        db.data().hotels().forEach(h -> names.add(TripDatabase.key(h.name())));
        db.data().attractions().forEach(a -> names.add(TripDatabase.key(a.name())));
        db.data().restaurants().forEach(r -> names.add(TripDatabase.key(r.name())));
        assertEquals(names.size(), new HashSet<>(names).size(), "venue names are unique across kinds");
        Hotel h = db.data().hotels().get(17);
        assertEquals(h, db.hotel("  " + h.name().toUpperCase() + " ").orElseThrow());
        assertEquals(h, db.venueById(h.id()).orElseThrow());
        Attraction a = db.data().attractions().get(3);
        assertEquals(a, db.attraction(a.name().toLowerCase()).orElseThrow());
        assertEquals(
                db.cities().getFirst(), db.cityById(db.cities().getFirst().id()).orElseThrow());
        assertTrue(db.hotel("No Such Hotel").isEmpty());
    }

    @Test
    void verifierHelpers() {
        TripDatabase db = TripDatabase.generate(42, TripDatabase.Size.LARGE);
        Attraction closedMondays = db.data().attractions().stream()
                .filter(a -> a.closedOn().contains("Monday"))
                .findFirst()
                .orElseThrow();
        assertTrue(!closedMondays.isOpenOn(LocalDate.of(2025, 10, 6)), "2025-10-06 is a Monday");
        assertTrue(closedMondays.isOpenOn(LocalDate.of(2025, 10, 7)));
        Restaurant r = db.data().restaurants().getFirst();
        assertTrue(r.serves(r.meals().getFirst()));
        assertTrue(db.data().weather().stream().anyMatch(Weather::isWet)
                && db.data().weather().stream().anyMatch(w -> !w.isWet()));
        assertTrue(!db.toJson().contains("\"wet\"") && !db.toJson().contains("open_on"), "helpers are not data");
    }

    @Test
    void customWeatherWindow() {
        TripDatabase db = TripDatabase.generate(9, TripDatabase.Size.SMALL, LocalDate.of(2026, 1, 10), 5);
        assertEquals(LocalDate.of(2026, 1, 10), db.startDate());
        assertEquals(5, db.dates().size());
        assertTrue(db.weather(db.cities().getFirst().name(), LocalDate.of(2026, 1, 14))
                .isPresent());
        assertTrue(db.weather(db.cities().getFirst().name(), LocalDate.of(2026, 1, 15))
                .isEmpty());
    }

    @Test
    void inconsistentFilesAreRejectedWithTheReason() {
        TripDatabase db = TripDatabase.generate(42, TripDatabase.Size.SMALL);
        TripData d = db.data();
        List<Hotel> hotels = new ArrayList<>(d.hotels());
        Hotel h = hotels.getFirst();
        hotels.set(
                0,
                new Hotel(
                        h.id(),
                        h.name(),
                        "Atlantis",
                        h.stars(),
                        h.pricePerNight(),
                        h.rating(),
                        h.amenities(),
                        h.address(),
                        h.checkInTime(),
                        h.checkOutTime()));
        TripData broken = new TripData(
                d.format(),
                d.seed(),
                d.size(),
                d.currency(),
                d.startDate(),
                d.days(),
                d.cities(),
                hotels,
                d.attractions(),
                d.restaurants(),
                d.cityTransport(),
                d.interCityTransport(),
                d.weather());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TripDatabase(broken));
        assertTrue(e.getMessage().contains("Atlantis"), e.getMessage());

        hotels.set(0, h);
        hotels.add(h);
        TripData duplicate = new TripData(
                d.format(),
                d.seed(),
                d.size(),
                d.currency(),
                d.startDate(),
                d.days(),
                d.cities(),
                hotels,
                d.attractions(),
                d.restaurants(),
                d.cityTransport(),
                d.interCityTransport(),
                d.weather());
        e = assertThrows(IllegalArgumentException.class, () -> new TripDatabase(duplicate));
        assertTrue(e.getMessage().contains("duplicate"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> TripDatabase.fromJson("{\"cities\": 3"));
        assertTrue(e.getMessage().contains("not a trip database"), e.getMessage());
    }
}
