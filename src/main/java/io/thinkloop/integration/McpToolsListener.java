package io.thinkloop.integration;

import io.thinkloop.tools.Tool;
import java.util.List;

/** Told the full list of MCP tools whenever it changes (a server connected, dropped, or changed its tools). */
@FunctionalInterface
public interface McpToolsListener {
    void toolsChanged(List<Tool> tools);
}
