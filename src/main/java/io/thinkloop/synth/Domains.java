package io.thinkloop.synth;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The task domains by name, and their environments by options (built once: databases are immutable). */
public final class Domains {
    public static final List<String> NAMES = List.of(TripTasks.DOMAIN, RetailTasks.DOMAIN);
    private static final Map<String, TaskEnvironment> CACHE = new ConcurrentHashMap<>();

    private Domains() {}

    public static TaskEnvironment open(String domain, Map<String, String> options) {
        String key = domain + "|" + new TreeMap<>(options);
        return CACHE.computeIfAbsent(key, k -> switch (domain) {
            case TripTasks.DOMAIN -> new TripTasks(options);
            case RetailTasks.DOMAIN -> new RetailTasks(options);
            default -> throw new IllegalArgumentException("unknown domain '" + domain + "'; known: " + NAMES);
        });
    }

    /** The default environment options of a domain for an environment seed. */
    public static Map<String, String> defaultOptions(String domain, long envSeed) {
        return switch (domain) {
            case TripTasks.DOMAIN -> TripTasks.options(envSeed, "small");
            case RetailTasks.DOMAIN -> RetailTasks.options(envSeed);
            default -> throw new IllegalArgumentException("unknown domain '" + domain + "'; known: " + NAMES);
        };
    }
}
