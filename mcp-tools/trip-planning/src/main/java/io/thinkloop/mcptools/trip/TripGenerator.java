package io.thinkloop.mcptools.trip;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Generates a {@link TripData} from a seed. Only {@link java.util.Random} (whose sequence the JDK
 * specifies) and integer/rounded arithmetic are used, so a seed gives the same database on every JVM.
 * Each part (venues of a city, routes, weather) draws from its own stream derived from the seed, so a
 * change in one part's rules does not reshuffle the others.
 */
final class TripGenerator {
    private static final String[] ADJECTIVES = {
        "Jade",
        "Golden",
        "Azure",
        "Crimson",
        "Silver",
        "Cloud",
        "Pine",
        "Bamboo",
        "Lotus",
        "Dragon",
        "Phoenix",
        "Crane",
        "Willow",
        "Plum",
        "Orchid",
        "Peony",
        "Moonlight",
        "Sunrise",
        "Misty",
        "Spring",
        "Autumn",
        "Heron",
        "Tiger",
        "Turtle",
        "Peach",
        "Maple",
        "Pearl",
        "Celestial",
        "Harmony",
        "Tranquil",
        "Eternal",
        "Emerald",
        "Amber",
        "Scarlet",
        "Violet",
        "Red Cliff",
        "West Lake",
        "Riverside",
        "Lakeview",
        "Hilltop",
        "Old Well",
        "Stone Bridge",
        "Lantern",
        "Silk Road",
        "Cypress",
        "Osmanthus",
        "Camellia",
        "Swallow",
        "Ginkgo",
        "Magpie",
        "Kingfisher",
        "Morning Dew",
        "Evening Bell",
        "Nine Dragons",
        "Twin Rivers"
    };

    private record AttractionKind(
            String type,
            String[] nouns,
            boolean indoor,
            int minTicket,
            int maxTicket,
            String hours,
            double hoursToSpend,
            boolean closedMondays) {}

    private static final AttractionKind[] ATTRACTION_KINDS = {
        new AttractionKind(
                "museum",
                new String[] {"Museum", "History Museum", "Art Museum", "Science Museum"},
                true,
                0,
                80,
                "09:00-17:00",
                2.5,
                true),
        new AttractionKind(
                "temple", new String[] {"Temple", "Monastery", "Pagoda"}, false, 10, 80, "07:30-17:30", 1.5, false),
        new AttractionKind(
                "park", new String[] {"Park", "Forest Park", "Wetland Park"}, false, 0, 30, "06:00-22:00", 2.0, false),
        new AttractionKind(
                "garden",
                new String[] {"Garden", "Botanical Garden", "Water Garden"},
                false,
                20,
                90,
                "07:30-17:30",
                2.0,
                false),
        new AttractionKind(
                "historic site",
                new String[] {"Ancient Town", "Old Street", "City Wall", "Palace"},
                false,
                0,
                120,
                "08:00-18:00",
                2.5,
                false),
        new AttractionKind(
                "scenic area",
                new String[] {"Scenic Area", "Gorge", "Valley", "Mountain", "Lake"},
                false,
                60,
                260,
                "07:00-18:00",
                4.0,
                false),
        new AttractionKind(
                "tower", new String[] {"Tower", "Observation Deck"}, true, 80, 220, "09:00-22:00", 1.5, false),
        new AttractionKind(
                "theme park",
                new String[] {"Amusement Park", "Ocean World", "Film City"},
                false,
                150,
                450,
                "09:30-18:00",
                6.0,
                false),
        new AttractionKind(
                "zoo", new String[] {"Zoo", "Panda Base", "Aquarium"}, false, 40, 180, "08:00-17:30", 3.0, false),
        new AttractionKind(
                "market",
                new String[] {"Night Market", "Food Street", "Craft Market"},
                false,
                0,
                0,
                "17:00-23:00",
                2.0,
                false),
        new AttractionKind(
                "gallery",
                new String[] {"Art Gallery", "Creative Park", "Exhibition Center"},
                true,
                0,
                60,
                "10:00-18:00",
                1.5,
                true),
        new AttractionKind(
                "theater", new String[] {"Grand Theater", "Opera House"}, true, 80, 380, "19:00-21:30", 2.0, false)
    };

    private record Cuisine(String name, String[] kinds, int minPrice, int maxPrice, String[] dishes) {}

    private static final Cuisine[] CUISINES = {
        new Cuisine("Sichuan", new String[] {"Kitchen", "House"}, 50, 160, new String[] {
            "mapo tofu", "kung pao chicken", "twice-cooked pork", "boiled fish in chili oil"
        }),
        new Cuisine("Cantonese", new String[] {"Restaurant", "Dining Hall"}, 70, 260, new String[] {
            "roast goose", "steamed fish", "char siu", "wonton noodles"
        }),
        new Cuisine("Hunan", new String[] {"Kitchen", "Restaurant"}, 50, 140, new String[] {
            "chopped chili fish head", "smoked pork", "stir-fried pork with peppers"
        }),
        new Cuisine("Hot Pot", new String[] {"Hot Pot", "Hot Pot House"}, 80, 220, new String[] {
            "spicy beef tallow broth", "tomato broth", "hand-cut lamb"
        }),
        new Cuisine("Noodles", new String[] {"Noodle Bar", "Noodle House"}, 20, 60, new String[] {
            "beef noodles", "dan dan noodles", "scallion oil noodles"
        }),
        new Cuisine("Dumplings", new String[] {"Dumpling House", "Dumpling Bar"}, 25, 80, new String[] {
            "pork dumplings", "soup dumplings", "shrimp dumplings"
        }),
        new Cuisine("Seafood", new String[] {"Seafood Restaurant", "Fish House"}, 120, 400, new String[] {
            "steamed crab", "garlic scallops", "salt-baked prawns"
        }),
        new Cuisine("Vegetarian", new String[] {"Vegetarian Kitchen", "Tea House"}, 50, 160, new String[] {
            "mock duck", "braised mushrooms", "tofu skin rolls"
        }),
        new Cuisine(
                "Western", new String[] {"Bistro", "Grill"}, 100, 350, new String[] {"steak", "pasta", "caesar salad"}),
        new Cuisine("Japanese", new String[] {"Izakaya", "Sushi Bar"}, 100, 380, new String[] {
            "sashimi platter", "ramen", "tempura"
        }),
        new Cuisine("Korean", new String[] {"Korean BBQ", "Kitchen"}, 80, 200, new String[] {
            "bulgogi", "bibimbap", "kimchi stew"
        }),
        new Cuisine("Barbecue", new String[] {"BBQ", "Skewer House"}, 60, 160, new String[] {
            "lamb skewers", "grilled oysters", "grilled eggplant"
        }),
        new Cuisine("Dim Sum", new String[] {"Tea House", "Dim Sum House"}, 50, 150, new String[] {
            "har gow", "siu mai", "egg tarts"
        }),
        new Cuisine("Cafe", new String[] {"Cafe", "Coffee House"}, 40, 110, new String[] {
            "pour-over coffee", "cheesecake", "brunch plate"
        }),
        new Cuisine("Street Food", new String[] {"Snack Bar", "Food Stall"}, 15, 50, new String[] {
            "jianbing", "stinky tofu", "scallion pancakes"
        })
    };

    private static final String[] RESTAURANT_NOUNS = {
        "Bowl",
        "Spoon",
        "Lantern",
        "Courtyard",
        "Wok",
        "Chopsticks",
        "Terrace",
        "Pavilion",
        "Garden",
        "Table",
        "Hearth",
        "Kettle"
    };
    private static final String[] RESTAURANT_FEATURES = {
        "vegetarian options",
        "private rooms",
        "reservations",
        "takeout",
        "river view",
        "outdoor seating",
        "kid friendly",
        "English menu",
        "late night",
        "live music"
    };
    private static final String[][] OPENING_HOURS = {
        {"07:00-14:00", "breakfast,lunch"},
        {"10:30-21:30", "lunch,dinner"},
        {"11:00-14:00,17:00-21:30", "lunch,dinner"},
        {"17:00-02:00", "dinner"},
        {"07:00-21:00", "breakfast,lunch,dinner"},
        {"11:00-22:00", "lunch,dinner"}
    };

    private static final String[] HOTEL_NOUNS = {
        "Garden",
        "Bay",
        "Court",
        "Pavilion",
        "Harbor",
        "Residence",
        "Manor",
        "Lodge",
        "Terrace",
        "Gate",
        "House",
        "Park"
    };
    private static final String[][] HOTEL_KINDS = {
        {},
        {},
        {"Inn", "Hostel", "Express Inn"},
        {"Hotel", "Inn"},
        {"Hotel", "Suites"},
        {"Grand Hotel", "Resort", "Palace Hotel"}
    };
    private static final int[][] HOTEL_PRICES = {{}, {}, {150, 300}, {250, 500}, {450, 850}, {800, 2000}};
    private static final String[] AMENITIES = {
        "free wifi",
        "breakfast included",
        "parking",
        "gym",
        "swimming pool",
        "spa",
        "airport shuttle",
        "pet friendly",
        "laundry",
        "business center",
        "restaurant",
        "bar",
        "family rooms"
    };
    private static final String[] DISTRICTS = {
        "Old Town",
        "Riverside",
        "Central",
        "Lakeside",
        "East Gate",
        "West Gate",
        "North Station",
        "University",
        "Harbor",
        "Hillside"
    };
    private static final String[] AIRLINES = {"CA", "MU", "CZ", "HU", "ZH", "3U", "MF"};
    private static final String[] WINDS = {"calm", "light breeze", "moderate breeze", "fresh breeze", "strong wind"};

    private final long seed;
    private final TripDatabase.Size size;
    private final LocalDate startDate;
    private final int days;
    private final Set<String> usedNames = new HashSet<>();
    private final Set<String> usedServiceIds = new HashSet<>();
    private int hotelCount;
    private int attractionCount;
    private int restaurantCount;

    TripGenerator(long seed, TripDatabase.Size size, LocalDate startDate, int days) {
        if (days < 1 || days > 3660) {
            throw new IllegalArgumentException("days must be 1..3660, got " + days);
        }
        this.seed = seed;
        this.size = size;
        this.startDate = startDate;
        this.days = days;
    }

    TripData generate() {
        List<CityPool.Entry> chosen = chooseCities();
        List<City> cities = new ArrayList<>();
        List<Hotel> hotels = new ArrayList<>();
        List<Attraction> attractions = new ArrayList<>();
        List<Restaurant> restaurants = new ArrayList<>();
        List<CityTransport> cityTransport = new ArrayList<>();
        List<Weather> weather = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            CityPool.Entry entry = chosen.get(i);
            Random rnd = stream(1000 + i);
            cities.add(city(entry, rnd));
            for (int h = 0; h < size.hotelsPerCity; h++) {
                hotels.add(hotel(entry, rnd, h));
            }
            for (int a = 0; a < size.attractionsPerCity; a++) {
                attractions.add(attraction(entry, rnd, a));
            }
            for (int r = 0; r < size.restaurantsPerCity; r++) {
                restaurants.add(restaurant(entry, rnd, r));
            }
            cityTransport.add(cityTransport(entry, rnd));
            weather.addAll(weather(entry, stream(5000 + i)));
        }
        List<InterCityTransport> routes = new ArrayList<>();
        Random routeRnd = stream(9000);
        for (CityPool.Entry from : chosen) {
            for (CityPool.Entry to : chosen) {
                if (from != to) {
                    routes.addAll(routes(from, to, routeRnd));
                }
            }
        }
        return new TripData(
                TripData.FORMAT,
                seed,
                size.name().toLowerCase(Locale.ROOT),
                "CNY",
                startDate.toString(),
                days,
                cities,
                hotels,
                attractions,
                restaurants,
                cityTransport,
                routes,
                weather);
    }

    private Random stream(int part) {
        long mixed = seed * 0x9E3779B97F4A7C15L + part * 0xBF58476D1CE4E5B9L;
        mixed ^= mixed >>> 31;
        return new Random(mixed);
    }

    private List<CityPool.Entry> chooseCities() {
        List<CityPool.Entry> pool = new ArrayList<>(CityPool.CITIES);
        Random rnd = stream(1);
        List<CityPool.Entry> chosen = new ArrayList<>();
        int count = Math.min(size.cities, pool.size());
        for (int i = 0; i < count; i++) {
            chosen.add(pool.remove(rnd.nextInt(pool.size())));
        }
        chosen.sort(Comparator.comparing(CityPool.Entry::name));
        return chosen;
    }

    private City city(CityPool.Entry e, Random rnd) {
        int budget = round10(300 * e.priceLevel() * (0.85 + 0.3 * rnd.nextDouble()));
        String description = e.name() + ", in " + e.province() + ", is known for " + String.join(", ", e.highlights())
                + " and its " + e.localCuisine() + ".";
        return new City(
                slug(e.name()),
                e.name(),
                e.province(),
                e.latitude(),
                e.longitude(),
                description,
                e.highlights(),
                budget);
    }

    private Hotel hotel(CityPool.Entry e, Random rnd, int index) {
        // Spread stars so that every city has budget, mid-range and luxury choices (the paper's budget rules
        // branch on the hotel's price).
        int stars = 2 + (index % 4);
        if (rnd.nextInt(4) == 0) {
            stars = 2 + rnd.nextInt(4);
        }
        int[] range = HOTEL_PRICES[stars];
        int price = round10((range[0] + rnd.nextInt(range[1] - range[0] + 1)) * e.priceLevel());
        double rating = rating(rnd, 2.6 + 0.35 * stars, 0.5);
        String kind = pick(rnd, HOTEL_KINDS[stars]);
        String name =
                uniqueName(rnd, e.name(), () -> pick(rnd, ADJECTIVES) + " " + pick(rnd, HOTEL_NOUNS) + " " + kind);
        Set<String> amenities = new LinkedHashSet<>();
        amenities.add("free wifi");
        int extra = stars + rnd.nextInt(3);
        for (int i = 0; i < extra; i++) {
            amenities.add(pick(rnd, AMENITIES));
        }
        if (stars >= 5) {
            amenities.add("swimming pool");
        }
        String address = (1 + rnd.nextInt(399)) + " " + pick(rnd, ADJECTIVES) + " Road, " + pick(rnd, DISTRICTS)
                + " District, " + e.name();
        String checkIn = stars >= 4 ? "15:00" : "14:00";
        String checkOut = stars >= 4 ? "12:00" : "11:00";
        return new Hotel(
                String.format("hotel-%04d", ++hotelCount),
                name,
                e.name(),
                stars,
                price,
                rating,
                List.copyOf(amenities),
                address,
                checkIn,
                checkOut);
    }

    private Attraction attraction(CityPool.Entry e, Random rnd, int index) {
        // The first kinds cycle so that every city has indoor and outdoor, free and paid choices.
        AttractionKind kind = index < 6
                ? ATTRACTION_KINDS[(index * 5 + (int) (seed & 7)) % ATTRACTION_KINDS.length]
                : ATTRACTION_KINDS[rnd.nextInt(ATTRACTION_KINDS.length)];
        String noun = pick(rnd, kind.nouns());
        String name = uniqueName(rnd, e.name(), () -> pick(rnd, ADJECTIVES) + " " + noun);
        int ticket = kind.maxTicket() == 0
                ? 0
                : kind.minTicket() == 0 && rnd.nextInt(3) == 0
                        ? 0
                        : round5((kind.minTicket() + rnd.nextInt(kind.maxTicket() - kind.minTicket() + 1))
                                * e.priceLevel());
        double rating = rating(rnd, 4.1, 0.5);
        boolean indoor = kind.indoor() || noun.equals("Aquarium");
        List<String> closedOn = kind.closedMondays() && rnd.nextInt(4) != 0 ? List.of("Monday") : List.of();
        double hours = Math.round((kind.hoursToSpend() + (rnd.nextInt(5) - 2) * 0.5) * 2) / 2.0;
        String description =
                (indoor ? "An indoor " : "An outdoor ") + kind.type() + " in " + e.name() + ", a city known for "
                        + e.highlights().get(rnd.nextInt(e.highlights().size())) + ".";
        return new Attraction(
                String.format("attraction-%04d", ++attractionCount),
                name,
                e.name(),
                kind.type(),
                ticket,
                rating,
                kind.hours(),
                closedOn,
                Math.max(1.0, hours),
                indoor,
                description);
    }

    private Restaurant restaurant(CityPool.Entry e, Random rnd, int index) {
        boolean local = index % 4 == 0;
        Cuisine base = CUISINES[rnd.nextInt(CUISINES.length)];
        String cuisine = local ? e.localCuisine() : base.name();
        String kind = local ? "Restaurant" : pick(rnd, base.kinds());
        String name =
                uniqueName(rnd, e.name(), () -> pick(rnd, ADJECTIVES) + " " + pick(rnd, RESTAURANT_NOUNS) + " " + kind);
        int price = round5((base.minPrice() + rnd.nextInt(base.maxPrice() - base.minPrice() + 1)) * e.priceLevel());
        double rating = rating(rnd, 3.9, 0.6);
        String[] hours = OPENING_HOURS[rnd.nextInt(OPENING_HOURS.length)];
        Set<String> features = new LinkedHashSet<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            features.add(pick(rnd, RESTAURANT_FEATURES));
        }
        if (base.name().equals("Vegetarian") && !local) {
            features.add("vegetarian options");
        }
        List<String> dishes = new ArrayList<>();
        if (local) {
            dishes.add(e.localCuisine().replace(" cuisine", "") + " house specialty");
        }
        dishes.add(base.dishes()[rnd.nextInt(base.dishes().length)]);
        return new Restaurant(
                String.format("restaurant-%04d", ++restaurantCount),
                name,
                e.name(),
                cuisine,
                price,
                rating,
                hours[0],
                List.of(hours[1].split(",")),
                List.copyOf(features),
                dishes);
    }

    private CityTransport cityTransport(CityPool.Entry e, Random rnd) {
        List<LocalTransport> options = new ArrayList<>();
        if (e.metro()) {
            int lines = 3 + rnd.nextInt(e.priceLevel() >= 1.2 ? 18 : 9);
            options.add(new LocalTransport(
                    "metro",
                    2 + rnd.nextInt(2),
                    0.0,
                    "06:00-23:00",
                    lines + " lines; fare rises with distance, from the base fare"));
        }
        options.add(new LocalTransport("bus", 1 + rnd.nextInt(2), 0.0, "05:30-22:30", "flat fare"));
        int flagFall = (int) Math.round(8 + 6 * (e.priceLevel() - 0.75) + rnd.nextInt(3));
        double perKm = Math.round((1.8 + 1.2 * (e.priceLevel() - 0.75) + rnd.nextInt(5) * 0.1) * 10) / 10.0;
        options.add(new LocalTransport("taxi", flagFall, perKm, "24h", "flag fall covers the first 3 km"));
        options.add(new LocalTransport("bike sharing", 1.5, 0.0, "24h", "per 30 minutes"));
        return new CityTransport(e.name(), options);
    }

    private List<InterCityTransport> routes(CityPool.Entry from, CityPool.Entry to, Random rnd) {
        int air = (int) Math.round(distanceKm(from, to));
        int ground = (int) Math.round(air * 1.25);
        boolean remote = CityPool.FLIGHT_ONLY.contains(from.name()) || CityPool.FLIGHT_ONLY.contains(to.name());
        List<InterCityTransport> out = new ArrayList<>();
        if (air > 450 || remote) {
            int n = 2 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                String id =
                        uniqueService(rnd, () -> AIRLINES[rnd.nextInt(AIRLINES.length)] + (1000 + rnd.nextInt(9000)));
                int duration = round5(55 + air / 750.0 * 60 + rnd.nextInt(25));
                int price = round10(250 + 0.55 * air * (0.8 + 0.5 * rnd.nextDouble()));
                out.add(departure(id, "flight", from, to, rnd, duration, price, air));
            }
        }
        if (!remote && ground <= 1800) {
            int n = 3 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                String id = uniqueService(rnd, () -> (rnd.nextInt(3) == 0 ? "D" : "G") + (1 + rnd.nextInt(9999)));
                int duration = round5(20 + ground / 250.0 * 60 + rnd.nextInt(30));
                int price = (int) Math.round(0.46 * ground + 10 + rnd.nextInt(20));
                out.add(departure(id, "high-speed rail", from, to, rnd, duration, price, ground));
            }
        }
        if (!remote && ground <= 2600 && ground > 150 && rnd.nextInt(3) != 0) {
            String id = uniqueService(rnd, () -> (rnd.nextBoolean() ? "K" : "T") + (1 + rnd.nextInt(999)));
            int duration = round5(30 + ground / 85.0 * 60);
            int price = (int) Math.round(0.16 * ground + 20);
            out.add(departure(id, "train", from, to, rnd, duration, price, ground));
        }
        if (!remote && ground <= 500) {
            int n = 2 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                String id = uniqueService(rnd, () -> "B" + (100 + rnd.nextInt(900)));
                int duration = round5(20 + ground / 70.0 * 60);
                int price = round5(0.36 * ground + 10);
                out.add(departure(id, "coach", from, to, rnd, duration, price, ground));
            }
        }
        out.sort(Comparator.comparing(InterCityTransport::departureTime).thenComparing(InterCityTransport::id));
        return out;
    }

    private InterCityTransport departure(
            String id,
            String mode,
            CityPool.Entry from,
            CityPool.Entry to,
            Random rnd,
            int duration,
            int price,
            int distance) {
        int depart = 6 * 60 + 5 * rnd.nextInt((21 * 60 + 30 - 6 * 60) / 5 + 1);
        int arrive = depart + duration;
        return new InterCityTransport(
                id,
                mode,
                from.name(),
                to.name(),
                clock(depart),
                clock(arrive % (24 * 60)),
                arrive / (24 * 60),
                duration,
                price,
                distance);
    }

    private List<Weather> weather(CityPool.Entry e, Random rnd) {
        List<Weather> out = new ArrayList<>();
        int wetness = rnd.nextInt(4); // 0 = dry climate ... 3 = rainy climate
        int state = rnd.nextInt(3);
        for (int d = 0; d < days; d++) {
            LocalDate date = startDate.plusDays(d);
            // A season curve around early October: about -0.15 C a day later in autumn, symmetric around July.
            int dayOfYear = date.getDayOfYear();
            double seasonal = -8.5 * StrictMath.cos(2 * Math.PI * (dayOfYear - 200) / 365.0)
                    - (-8.5 * StrictMath.cos(2 * Math.PI * (274 - 200) / 365.0));
            int roll = rnd.nextInt(100);
            state = nextState(state, roll, wetness);
            int high = (int) Math.round(e.octoberHigh() + seasonal + rnd.nextInt(5) - 2 - (state >= 3 ? 3 : 0));
            int low = high - 5 - rnd.nextInt(5);
            String condition = switch (state) {
                case 0 -> "sunny";
                case 1 -> "partly cloudy";
                case 2 -> rnd.nextInt(5) == 0 ? "foggy" : "overcast";
                case 3 -> high <= 2 ? "light snow" : "light rain";
                case 4 -> high <= 2 ? "snow" : "moderate rain";
                default -> high <= 2 ? "heavy snow" : high >= 24 ? "thunderstorm" : "heavy rain";
            };
            int precipitation = switch (state) {
                case 0 -> rnd.nextInt(10);
                case 1 -> 5 + rnd.nextInt(15);
                case 2 -> 15 + rnd.nextInt(25);
                case 3 -> 50 + rnd.nextInt(20);
                case 4 -> 65 + rnd.nextInt(20);
                default -> 80 + rnd.nextInt(20);
            };
            String wind = WINDS[Math.min(WINDS.length - 1, rnd.nextInt(3) + (state >= 5 ? 2 : 0))];
            out.add(new Weather(e.name(), date.toString(), condition, high, low, precipitation, wind));
        }
        return out;
    }

    /** A small Markov chain over sunny(0) .. storm(5): weather tends to persist; wet climates rain more. */
    private static int nextState(int state, int roll, int wetness) {
        int rainChance = 6 + 6 * wetness;
        if (state >= 3) {
            return roll < 35
                    ? state
                    : roll < 50 ? Math.max(3, state - 1) : roll < 55 ? Math.min(5, state + 1) : roll % 3;
        }
        if (roll < rainChance) {
            return 3 + roll % 3;
        }
        return roll < 60 ? state : roll % 3;
    }

    private String uniqueName(Random rnd, String city, Supplier<String> candidate) {
        for (int attempt = 0; attempt < 50; attempt++) {
            String name = candidate.get();
            if (rnd.nextInt(6) == 0 || attempt >= 20) {
                name = city + " " + name;
            }
            if (usedNames.add(TripDatabase.key(name))) {
                return name;
            }
        }
        for (int n = 2; ; n++) {
            String name = city + " " + candidate.get() + " No. " + n;
            if (usedNames.add(TripDatabase.key(name))) {
                return name;
            }
        }
    }

    private String uniqueService(Random rnd, Supplier<String> candidate) {
        while (true) {
            String id = candidate.get();
            if (usedServiceIds.add(id)) {
                return id;
            }
        }
    }

    static double distanceKm(CityPool.Entry a, CityPool.Entry b) {
        double lat1 = StrictMath.toRadians(a.latitude());
        double lat2 = StrictMath.toRadians(b.latitude());
        double dLat = lat2 - lat1;
        double dLon = StrictMath.toRadians(b.longitude() - a.longitude());
        double h = StrictMath.sin(dLat / 2) * StrictMath.sin(dLat / 2)
                + StrictMath.cos(lat1) * StrictMath.cos(lat2) * StrictMath.sin(dLon / 2) * StrictMath.sin(dLon / 2);
        return 2 * 6371 * StrictMath.asin(StrictMath.sqrt(h));
    }

    private static double rating(Random rnd, double mean, double spread) {
        double r = mean + (rnd.nextDouble() * 2 - 1) * spread + (rnd.nextDouble() * 2 - 1) * spread / 2;
        return Math.max(1.0, Math.min(5.0, Math.round(r * 10) / 10.0));
    }

    private static String pick(Random rnd, String[] options) {
        return options[rnd.nextInt(options.length)];
    }

    private static int round5(double v) {
        return (int) Math.round(v / 5) * 5;
    }

    private static int round10(double v) {
        return (int) Math.round(v / 10) * 10;
    }

    private static String clock(int minutes) {
        return String.format(Locale.ROOT, "%02d:%02d", minutes / 60, minutes % 60);
    }

    static String slug(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    /** "Monday" .. "Sunday", the form {@link Attraction#closedOn()} uses. */
    static String weekday(LocalDate date) {
        String n = date.getDayOfWeek().name();
        return n.charAt(0) + n.substring(1).toLowerCase(Locale.ROOT);
    }
}
