package io.thinkloop.tools;

import java.util.List;
import java.util.Map;

/**
 * A tool server of {@code mcp-tools/}: a named set of tools that {@code ./thinkloop tool-server NAME}
 * serves over MCP as its own process. Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.thinkloop.tools.ToolServerDefinition}).
 */
public interface ToolServerDefinition {
    /** The name used on the command line, e.g. {@code trip-planning}. */
    String name();

    String description();

    /** Builds the server's tools; {@code options} are the {@code --opt key=value} pairs (e.g. seed, data file). */
    List<Tool> tools(Map<String, String> options);

    /** Resources, resource templates and prompts served beside the tools (same options); none by default. */
    default ServerContent content(Map<String, String> options) {
        return ServerContent.NONE;
    }
}
