package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.testkit.Interop;
import java.io.File;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two more OpenAI-compatible clients against {@code /v1/chat/completions} with API-key authentication on:
 * LangChain's {@code @langchain/openai} and the Vercel AI SDK ({@code ai} with {@code @ai-sdk/openai-compatible}),
 * run by {@code src/test/node/openai-clients-conformance.mjs} on Node 22. The model is {@link DsmlTestBackend}
 * through the real codec. Each client must stream, call tools, report usage, end on a stop sequence with
 * {@code finish_reason: stop}, and surface every error with its status and OpenAI envelope: 400
 * {@code unsupported_response_format} for structured output (the double, like the embedded engine, cannot
 * constrain decoding), 404 {@code model_not_found}, 400 {@code context_length_exceeded}, 401
 * {@code invalid_api_key} and 429 with {@code Retry-After}.
 */
@QuarkusTest
@TestProfile(OpenAiAuthTest.Secured.class)
class OpenAiClientConformanceTest {
    static final String KEY = "s3cret-key";

    @TestHTTPResource("/")
    URL root;

    @Test
    void langChainAndVercelAiSdkStreamCallToolsStopAndSeeEveryErrorInOpenAisShape() throws Exception {
        Interop.requirePeer(McpTestSupport.nodePeersInstalled() || new File("src/test/setup.sh").exists(), "npm peers");
        OpenAiClientsTest.run(Duration.ofMinutes(5), "bash", new File("src/test/setup.sh").getAbsolutePath());
        Interop.requirePeer(
                new File("src/test/node/node_modules/@langchain/openai").isDirectory()
                        && new File("src/test/node/node_modules/ai").isDirectory(),
                "@langchain/openai and ai (src/test/setup.sh)");
        String base = root.toString().replaceAll("/$", "");
        String out = OpenAiClientsTest.run(
                Duration.ofSeconds(120),
                McpTestSupport.node(),
                new File("src/test/node/openai-clients-conformance.mjs").getAbsolutePath(),
                base,
                DsmlTestBackend.ID,
                KEY);
        System.out.println(out);
        JsonNode r =
                Json.MAPPER.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        JsonNode lc = r.path("langchain");
        JsonNode v = r.path("vercel");
        assertFalse(lc.isMissingNode() || v.isMissingNode(), out);
    }
}
