package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One synthesized task, as a suite line: {@code env} names the tool server and its options (the database the
 * service's tools must serve), {@code spec} the constraints the verifier checks, {@code reference} what the
 * reference solution did (tool calls, agent steps, and its submission).
 */
public record SynthTask(
        String id, String domain, int difficulty, Env env, String prompt, JsonNode spec, Reference reference) {

    /** The environment: a tool-server name and its options (e.g. seed, size). */
    public record Env(String server, Map<String, String> options) {
        public Env {
            options = Collections.unmodifiableMap(options == null ? new TreeMap<>() : new TreeMap<>(options));
        }

        /** The options as {@code thinkloop.tools.servers} writes them: {@code server?k=v&k=v}. */
        public String serverSpec() {
            StringBuilder b = new StringBuilder(server);
            String sep = "?";
            for (var e : options.entrySet()) {
                b.append(sep).append(e.getKey()).append('=').append(e.getValue());
                sep = "&";
            }
            return b.toString();
        }
    }

    /** The reference solution's run: tool calls including {@code submit_result}, batches of calls, its answer. */
    public record Reference(int toolCalls, int steps, JsonNode submission) {}

    /** The environment this task runs in (cached per options). */
    public TaskEnvironment environment() {
        return Domains.open(domain, env.options());
    }

    /** Scores a submission: the tool's schema first, then the task's constraints ({@link TaskEnvironment#check}). */
    public Verdict verify(JsonNode submission) {
        return environment().check(spec, submission);
    }
}
