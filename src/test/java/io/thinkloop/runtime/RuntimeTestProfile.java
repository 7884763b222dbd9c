package io.thinkloop.runtime;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
import java.util.Map;

/** The one profile of the runtime's service tests (one Quarkus boot for all of them). */
public class RuntimeTestProfile implements QuarkusTestProfile {
    public static final String KEY = "test-key-123";
    public static final String ALLOWED_ORIGIN = "http://allowed.example";
    public static final String MCP_TOKEN = "mcp-token-456";

    @Override
    public Map<String, String> getConfigOverrides() {
        String dir;
        try {
            dir = TestTemp.dir("thinkloop-runtime-test").toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.ofEntries(
                Map.entry("thinkloop.data-dir", dir),
                Map.entry("thinkloop.model.backend", ScriptedTestBackend.ID),
                Map.entry("thinkloop.security.auth-enabled", "true"),
                Map.entry("thinkloop.api-key", KEY),
                Map.entry("thinkloop.security.allowed-origins", ALLOWED_ORIGIN),
                Map.entry("thinkloop.agent.max-steps", "3"),
                Map.entry("thinkloop.agent.tool-timeout", "1s"),
                Map.entry("thinkloop.agent.turn-timeout", "30s"),
                Map.entry("thinkloop.journal.fsync", "always"),
                Map.entry("thinkloop.ws.max-message-size", "4096"),
                Map.entry("thinkloop.ws.rate-limit", "20"),
                Map.entry("thinkloop.session.subscriber-buffer", "256"),
                Map.entry("thinkloop.tools.approval.guarded", "ask"),
                Map.entry("quarkus.shutdown.timeout", "1s"),
                // MCP wiring (McpWiringTest): a real calculator server, the agent tool behind a token.
                Map.entry("thinkloop.mcp.servers." + CalculatorToolServer.NAME + ".url", CalculatorToolServer.url()),
                Map.entry("thinkloop.tools.approval.convert_units", "ask"),
                Map.entry("thinkloop.mcp.server.token", MCP_TOKEN));
    }
}
