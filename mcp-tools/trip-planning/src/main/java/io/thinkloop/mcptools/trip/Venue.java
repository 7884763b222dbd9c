package io.thinkloop.mcptools.trip;

/** What hotels, attractions and restaurants share: an id, a name unique in the database, a city, a rating. */
public sealed interface Venue permits Hotel, Attraction, Restaurant {
    String id();

    String name();

    String city();

    double rating();
}
