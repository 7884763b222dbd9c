package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.server.McpServer;
import io.thinkloop.mcp.server.McpWebSocketServer;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.mcp.server.WebSocketAccessPolicy;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the MCP conformance suite's server scenarios directly against our Streamable HTTP endpoint
 * ({@code /mcp} of the standalone server), serving the suite's fixture tools.
 * Prints the pass count and every failure with its reason; the scenarios of the features we implement must pass.
 */
class ConformanceSuiteTest {
    /** Scenarios covering what we implement (lifecycle, ping, logging, tools, schema keywords, DNS rebinding). */
    static final Set<String> MUST_PASS = Set.of(
            "server-initialize",
            "ping",
            "logging-set-level",
            "tools-list",
            "resources-list",
            "resources-read-text",
            "resources-read-binary",
            "resources-templates-read",
            "resources-subscribe",
            "resources-unsubscribe",
            "prompts-list",
            "prompts-get-simple",
            "prompts-get-with-args",
            "prompts-get-embedded-resource",
            "prompts-get-with-image",
            "completion-complete",
            "server-sse-polling",
            "server-sse-multiple-streams",
            "tools-call-simple-text",
            "tools-call-image",
            "tools-call-audio",
            "tools-call-embedded-resource",
            "tools-call-mixed-content",
            "tools-call-with-logging",
            "tools-call-error",
            "tools-call-with-progress",
            "json-schema-2020-12",
            "dns-rebinding-protection",
            "tools-call-sampling",
            "tools-call-elicitation");

    @Test
    void conformanceServerScenarios() throws Exception {
        Interop.requirePeer(
                McpTestSupport.nodePeersInstalled(), "the npm MCP conformance suite (src/test/node/node_modules)");
        ConformanceFixtures fixtures = new ConformanceFixtures();
        McpServer mcp = new McpServer(
                new Implementation("thinkloop-conformance", "1.0"),
                null,
                new ToolCatalog(fixtures.tools(Map.of())),
                fixtures.content(Map.of()),
                100);
        McpWebSocketServer server = new McpWebSocketServer(
                        McpTestSupport.VERTX,
                        mcp,
                        new McpWebSocketServer.Options(
                                "127.0.0.1",
                                0,
                                16 << 20,
                                Duration.ofSeconds(30),
                                WebSocketAccessPolicy.OPEN.withLoopbackHostOnly()))
                .start()
                .toCompletableFuture()
                .get();
        Path out = TestTemp.dir("mcp-conformance");
        try {
            McpTestSupport.Result run = McpTestSupport.runNode(
                    Duration.ofMinutes(5),
                    "node_modules/@modelcontextprotocol/conformance/dist/index.js",
                    "server",
                    "--url",
                    server.httpUrl(),
                    "--suite",
                    "all",
                    "-o",
                    out.toString());
            Map<String, List<String>> failures = new TreeMap<>();
            Map<String, Boolean> scenarioOk = new TreeMap<>();
            int passed = 0;
            int total = 0;
            List<Path> files;
            try (Stream<Path> s = Files.walk(out)) {
                files = s.filter(p -> p.getFileName().toString().equals("checks.json"))
                        .toList();
            }
            for (Path f : files) {
                String scenario = f.getParent()
                        .getFileName()
                        .toString()
                        .replaceFirst("^server-", "")
                        .replaceFirst("-\\d{4}-\\d{2}-\\d{2}T.*$", "");
                for (JsonNode check : Json.MAPPER.readTree(f.toFile())) {
                    String status = check.path("status").asText();
                    if (status.equals("INFO") || status.equals("SKIPPED")) {
                        continue;
                    }
                    total++;
                    boolean ok = status.equals("SUCCESS");
                    passed += ok ? 1 : 0;
                    scenarioOk.merge(scenario, ok, Boolean::logicalAnd);
                    if (!ok) {
                        failures.computeIfAbsent(scenario, k -> new ArrayList<>())
                                .add(check.path("id").asText() + " [" + status + "]: "
                                        + check.path("errorMessage").asText(""));
                    }
                }
            }
            System.out.println("conformance: " + passed + " of " + total + " checks passed in " + scenarioOk.size()
                    + " scenarios ("
                    + scenarioOk.values().stream().filter(b -> b).count() + " scenarios fully passed)");
            failures.forEach((scenario, list) ->
                    list.forEach(f -> System.out.println("conformance FAIL " + scenario + " " + f)));
            assertTrue(total > 0, "the suite ran; output:\n" + run.output());
            assertTrue(failures.isEmpty(), "every server scenario passes: " + failures);
            for (String scenario : MUST_PASS) {
                assertTrue(
                        Boolean.TRUE.equals(scenarioOk.get(scenario)),
                        scenario + " passes: " + failures.get(scenario) + "\nran: " + scenarioOk.keySet());
            }
        } finally {
            server.stop();
        }
    }
}
