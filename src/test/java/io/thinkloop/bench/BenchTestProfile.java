package io.thinkloop.bench;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
import java.util.Map;

/** The one service profile of the bench tests: the model is {@link BenchSolverBackend}, the tools the pinned suite's environment, served in process. */
public class BenchTestProfile implements QuarkusTestProfile {
    public static final String KEY = "bench-test-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            return Map.ofEntries(
                    Map.entry(
                            "thinkloop.data-dir",
                            TestTemp.dir("thinkloop-bench-test").toString()),
                    Map.entry("thinkloop.model.backend", BenchSolverBackend.ID),
                    Map.entry("thinkloop.tools.servers", "trip-planning?seed=42&size=small"),
                    Map.entry("thinkloop.agent.max-steps", "12"),
                    Map.entry("thinkloop.agent.turn-timeout", "120s"),
                    Map.entry("thinkloop.journal.fsync", "never"),
                    Map.entry("thinkloop.security.auth-enabled", "true"),
                    Map.entry("thinkloop.api-key", KEY),
                    Map.entry("quarkus.shutdown.timeout", "1s"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
