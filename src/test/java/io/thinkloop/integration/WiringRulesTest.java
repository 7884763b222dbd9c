package io.thinkloop.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.mcp.client.McpClient;
import org.junit.jupiter.api.Test;

/** The small rules of the wiring; the wiring itself is tested end to end in {@code io.thinkloop.runtime.McpWiringTest}. */
class WiringRulesTest {

    @Test
    void agentToolIsOfferedOnlyBehindSomeCredentialUnlessForced() {
        assertTrue(AgentMcpTool.offered("auto", true, true), "MCP token set");
        assertTrue(AgentMcpTool.offered("auto", false, false), "API open anyway (dev/test)");
        assertFalse(AgentMcpTool.offered("auto", false, true), "API behind a key, /mcp/ws open: no way around the key");
        assertTrue(AgentMcpTool.offered("true", false, true));
        assertFalse(AgentMcpTool.offered(" FALSE ", true, false));
        assertTrue(AgentMcpTool.offered(null, true, true));
        assertThrows(IllegalArgumentException.class, () -> AgentMcpTool.offered("maybe", true, true));
    }

    @Test
    void serverStatesForTheConsole() {
        assertEquals("ready", ManagedMcpServerDirectory.state(McpClient.State.READY, "old error"));
        assertEquals("connecting", ManagedMcpServerDirectory.state(McpClient.State.CONNECTING, "refused"));
        assertEquals("failed", ManagedMcpServerDirectory.state(McpClient.State.DISCONNECTED, "Connection refused"));
        assertEquals("disconnected", ManagedMcpServerDirectory.state(McpClient.State.DISCONNECTED, null));
        assertEquals("closed", ManagedMcpServerDirectory.state(McpClient.State.CLOSED, null));
    }

    @Test
    void aServerNamedLocalDoesNotTakeOverTheLocalSource() {
        assertEquals("calc", McpToolBridge.sourceOf("calc"));
        assertEquals("mcp:local", McpToolBridge.sourceOf("local"));
    }
}
