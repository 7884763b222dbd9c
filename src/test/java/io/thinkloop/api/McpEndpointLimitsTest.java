package io.thinkloop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.mcp.McpTestSupport;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.JsonRpcError;
import io.thinkloop.runtime.RuntimeTestProfile;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The service's {@code /mcp/ws} applies the configured per-connection limits ({@code thinkloop.mcp.server.*}):
 * a burst of requests past the rate gets JSON-RPC error -32029 while the connection stays open. The limits
 * themselves are tested one by one in {@code McpConnectionLimitsTest}.
 */
@QuarkusTest
@TestProfile(RuntimeTestProfile.class)
class McpEndpointLimitsTest {
    @TestHTTPResource("/")
    URL root;

    @Test
    void theServiceEndpointRateLimitsEachConnection() throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + root.getPort() + "/mcp/ws");
        McpClient client = new McpClient(new WebSocketClientConnector(
                McpTestSupport.VERTX,
                uri,
                RuntimeTestProfile.MCP_TOKEN,
                Map.of("Authorization", "Bearer " + RuntimeTestProfile.KEY),
                WebSocketClientConnector.DEFAULT_MAX_MESSAGE,
                Duration.ofSeconds(30)));
        try {
            client.connect().await().atMost(Duration.ofSeconds(10));
            List<CompletableFuture<Void>> pings = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                pings.add(client.ping().subscribeAsCompletionStage());
            }
            int refused = 0;
            for (CompletableFuture<Void> p : pings) {
                try {
                    p.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertEquals(JsonRpcError.LIMIT_EXCEEDED, ((McpException) e.getCause()).code(), e.getMessage());
                    refused++;
                }
            }
            // default 20/s with a burst of 40: 100 at once cannot all pass
            assertTrue(refused > 0 && refused < 100, refused + " refused");
        } finally {
            client.close();
        }
    }
}
