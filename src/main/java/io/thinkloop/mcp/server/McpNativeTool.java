package io.thinkloop.mcp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;

/**
 * A {@link io.thinkloop.tools.Tool} that speaks MCP directly: it returns the whole {@code CallToolResult}
 * (any content blocks: image, audio, embedded resources) and may send progress with a total and log
 * messages. {@link McpServerSession} prefers this over {@code Tool.call} when a tool implements it.
 */
public interface McpNativeTool {
    Uni<JsonNode> callMcp(JsonNode arguments, McpCallContext context);

    /** What a native tool may do while it runs. */
    interface McpCallContext {
        void progress(double progress, Double total, String message);

        /** {@code notifications/message}, sent only if the client's log level lets it through. */
        void log(String level, String logger, JsonNode data);

        /** What the client declared in {@code initialize} (e.g. {@code sampling}, {@code elicitation}); empty if unknown. */
        default JsonNode clientCapabilities() {
            return MissingNode.getInstance();
        }

        /**
         * Ends the stream this call's messages travel on, without ending the call, so that the client
         * reconnects and polls for the rest (Streamable HTTP's SSE polling); false on transports without one.
         */
        default boolean closeStream(long retryMillis) {
            return false;
        }

        /** A request to the client ({@code sampling/createMessage}, {@code elicitation/create}, ...). */
        default Uni<JsonNode> request(String method, ObjectNode params) {
            return Uni.createFrom().failure(new UnsupportedOperationException("no client to ask"));
        }
    }
}
