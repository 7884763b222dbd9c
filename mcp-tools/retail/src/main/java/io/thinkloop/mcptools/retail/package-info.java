/**
 * The retail tool server: a seeded store database (customers, products, orders) and its read-only lookup
 * tools plus {@code submit_result}, the environment of the curated retail task domain in {@code synth}.
 */
package io.thinkloop.mcptools.retail;
