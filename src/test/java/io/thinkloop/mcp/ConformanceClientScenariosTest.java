package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.testkit.Interop;
import io.thinkloop.testkit.TestTemp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite's client scenarios (npm {@code @modelcontextprotocol/conformance} 0.1.16) against our
 * client ({@link ConformanceClient}, a JVM launched by the suite per scenario). The scenarios our client covers
 * must pass: {@code initialize}, {@code tools_call}, {@code elicitation-sep1034-client-defaults}. Not run:
 * {@code sse-retry} (our client does not reopen a closed POST stream with a GET and {@code Last-Event-ID}) and
 * the {@code auth/*} scenarios (our client has no OAuth; it sends a configured bearer token).
 */
class ConformanceClientScenariosTest {
    static final List<String> SCENARIOS = List.of("initialize", "tools_call", "elicitation-sep1034-client-defaults");

    @Test
    void theClientScenariosOurClientCoversPass() throws Exception {
        Interop.requirePeer(
                McpTestSupport.nodePeersInstalled(), "the npm MCP conformance suite (src/test/node/node_modules)");
        // The suite splits the command at spaces: the JVM's options travel in an argument file.
        Path argfile = TestTemp.file("conformance-client", ".args");
        List<String> jvm = new ArrayList<>(McpTestSupport.jvmFlags());
        jvm.addAll(List.of("-cp", McpTestSupport.classPath(), ConformanceClient.class.getName()));
        Files.write(
                argfile,
                jvm.stream().map(a -> "\"" + a.replace("\\", "\\\\") + "\"").toList());
        Map<String, List<String>> failures = new TreeMap<>();
        int passed = 0;
        for (String scenario : SCENARIOS) {
            Path out = TestTemp.dir("conformance-client-" + scenario);
            McpTestSupport.Result run = McpTestSupport.runNode(
                    Duration.ofMinutes(2),
                    "node_modules/@modelcontextprotocol/conformance/dist/index.js",
                    "client",
                    "--command",
                    McpTestSupport.javaBin() + " @" + argfile,
                    "--scenario",
                    scenario,
                    "-o",
                    out.toString());
            List<Path> files;
            try (Stream<Path> s = Files.walk(out)) {
                files = s.filter(p -> p.getFileName().toString().equals("checks.json"))
                        .toList();
            }
            assertTrue(!files.isEmpty(), scenario + " ran; output:\n" + run.output());
            for (Path f : files) {
                for (JsonNode check : Json.MAPPER.readTree(f.toFile())) {
                    String status = check.path("status").asText();
                    if (status.equals("INFO") || status.equals("SKIPPED")) {
                        continue;
                    }
                    if (status.equals("SUCCESS")) {
                        passed++;
                    } else {
                        failures.computeIfAbsent(scenario, k -> new ArrayList<>())
                                .add(check.path("id").asText() + " [" + status + "]: "
                                        + check.path("errorMessage").asText(""));
                    }
                }
            }
        }
        System.out.println("conformance client: " + passed + " checks passed, failures: " + failures);
        assertTrue(passed > 0, "checks ran");
        assertTrue(failures.isEmpty(), "every covered client scenario passes: " + failures);
    }
}
