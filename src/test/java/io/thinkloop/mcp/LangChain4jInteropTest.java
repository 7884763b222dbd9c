package io.thinkloop.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.websocket.WebSocketMcpTransport;
import io.thinkloop.mcp.server.McpWebSocketServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** LangChain4j's MCP client over its WebSocket transport lists and calls our tools. */
class LangChain4jInteropTest {
    @Test
    void langChain4jWebSocketClientListsAndCallsOurTools() throws Exception {
        McpWebSocketServer server = McpTestSupport.startServer();
        McpClient client = new DefaultMcpClient.Builder()
                .transport(new WebSocketMcpTransport.Builder()
                        .url(server.url())
                        .timeout(Duration.ofSeconds(10))
                        .build())
                .key("thinkloop-test")
                .toolExecutionTimeout(Duration.ofSeconds(10))
                .build();
        try {
            List<ToolSpecification> tools = client.listTools();
            List<String> names = tools.stream().map(ToolSpecification::name).toList();
            assertTrue(names.containsAll(List.of("echo", "add", "slow", "fail", "sleep")), names.toString());
            ToolSpecification echo = tools.stream()
                    .filter(t -> t.name().equals("echo"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(echo.parameters().properties().containsKey("message"), echo.toString());

            var echoed = client.executeTool(ToolExecutionRequest.builder()
                    .id("1")
                    .name("echo")
                    .arguments("{\"message\":\"from langchain4j\"}")
                    .build());
            assertEquals("Echo: from langchain4j", echoed.resultText());
            var sum = client.executeTool(ToolExecutionRequest.builder()
                    .id("2")
                    .name("add")
                    .arguments("{\"a\":1.5,\"b\":2}")
                    .build());
            assertTrue(sum.resultText().contains("3.5"), sum.resultText());
            // LangChain4j turns a result with isError: true into a ToolExecutionException carrying the text.
            var failed = Assertions.assertThrows(
                    dev.langchain4j.exception.ToolExecutionException.class,
                    () -> client.executeTool(ToolExecutionRequest.builder()
                            .id("3")
                            .name("fail")
                            .arguments("{}")
                            .build()));
            assertEquals("this tool always fails", failed.getMessage());
            client.checkHealth();
        } finally {
            client.close();
            server.stop();
        }
    }
}
