package io.thinkloop.integration;

import io.thinkloop.tools.Tool;
import java.util.List;

/** CDI beans of this type add tools to the service's own MCP endpoint {@code /mcp/ws}. */
public interface McpExposedTools {
    List<Tool> tools();
}
