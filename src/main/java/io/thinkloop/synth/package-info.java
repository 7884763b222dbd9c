/**
 * Agentic task synthesis: environments (a seeded database and its tools), task generators with difficulty
 * levels that add constraints step by step, a reference solution per task that uses only the tools, and a
 * verifier that checks a submitted answer (the arguments of {@code submit_result}) against the database and
 * the constraints. Every emitted task is validated (reference passes, perturbed answers fail) and suites are
 * written as versioned, seeded, byte-reproducible JSONL.
 */
package io.thinkloop.synth;
