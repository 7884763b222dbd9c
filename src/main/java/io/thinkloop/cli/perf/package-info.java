/**
 * Small measurement helpers shared by the {@code ./thinkloop perf} subcommands: timed loops with warm-up,
 * median of rounds, and throughput arithmetic.
 */
package io.thinkloop.cli.perf;
