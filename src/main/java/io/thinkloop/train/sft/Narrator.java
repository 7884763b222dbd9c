package io.thinkloop.train.sft;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.synth.SynthTask;

/**
 * Solves a task the way its reference solution does, one agent step at a time, and writes the reasoning an agent
 * should have before each step: what it needs next, which candidates meet which constraint, why it picks one.
 */
interface Narrator {
    /** Runs the task through {@code turn} up to and including {@code submit_result}; returns the submission. */
    JsonNode solve(SynthTask task, TrajectoryRecorder turn);

    /** The short final answer after the tool accepted the submission. */
    String answer(SynthTask task, JsonNode submission);
}
