package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.tools.ArgumentValidator;
import io.thinkloop.tools.Tool;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One domain's environment bound to its database: the tools (as the service serves them), and for tasks,
 * described by a JSON {@code spec}: generation, the prompt, the reference solution, the verifier and wrong
 * answers for validation. Implementations are deterministic functions of their database and the random source.
 */
public interface TaskEnvironment {
    /** The tool every domain's answer goes through. */
    String SUBMIT_TOOL = "submit_result";

    /** The domain name, e.g. {@code trip-planning}: also the tool server that serves {@link #tools()}. */
    String domain();

    /** The tool-server options that rebuild this environment's database (e.g. seed, size). */
    Map<String, String> options();

    List<Tool> tools();

    /** Difficulty levels this domain generates, from 1. */
    int maxDifficulty();

    /** A new task spec at {@code difficulty}; may throw {@link Infeasible} when the database cannot host it. */
    JsonNode newSpec(Random random, int difficulty);

    /** What the agent is told: the task, its constraints and how to submit. */
    String prompt(String taskId, JsonNode spec);

    /** The reference solution: uses only {@code tools}, returns the {@code submit_result} arguments. */
    JsonNode solve(JsonNode spec, ToolInvoker tools);

    /**
     * Checks submitted {@code submit_result} arguments (null: nothing submitted) against the database and spec.
     * Callers score with {@link #check}, which first holds the answer to the tool's own schema.
     */
    Verdict verify(JsonNode spec, JsonNode submission);

    /**
     * The verifier that scores: a submission counts only as what the environment's {@code submit_result} tool
     * accepts — its JSON Schema strictly (required fields, enums, types, no additional properties) — and then
     * only if it meets the task's constraints ({@link #verify}). Without the first step a plan with a missing
     * {@code time_slot}, an invented slot or an extra field could pass checks that never look at those fields,
     * and a reward would go to an answer the tool refused.
     */
    default Verdict check(JsonNode spec, JsonNode submission) {
        if (submission != null) {
            Tool submit = tools().stream()
                    .filter(t -> SUBMIT_TOOL.equals(t.spec().name()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(domain() + " has no " + SUBMIT_TOOL + " tool"));
            if (ArgumentValidator.validate(submit, submission.toString()) instanceof ArgumentValidator.Invalid bad) {
                return new Verdict(
                        1, List.of("the submission is not what " + SUBMIT_TOOL + " accepts: " + bad.message()));
            }
        }
        return verify(spec, submission);
    }

    /** Wrong answers derived from a correct one, each with a label; the verifier must reject them. */
    List<Perturbation> perturb(JsonNode spec, JsonNode correct, Random random);

    /** A labelled wrong answer. */
    record Perturbation(String label, JsonNode submission) {}
}
