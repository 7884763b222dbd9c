/**
 * The trip-planning tool server, after the trip-planning environment of the DeepSeek-V3.2 paper: a
 * deterministic database of cities, hotels, attractions, restaurants, transport and weather
 * ({@link io.thinkloop.mcptools.trip.TripDatabase}), an environment that serves it through fifteen tools and
 * records submitted plans ({@link io.thinkloop.mcptools.trip.TripEnvironment}), and the server definition
 * ({@link io.thinkloop.mcptools.trip.TripPlanningServer}). The task synthesizer reuses the database and the
 * environment directly from Java.
 */
package io.thinkloop.mcptools.trip;
