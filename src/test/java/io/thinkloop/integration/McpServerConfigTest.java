package io.thinkloop.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.TestTemp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class McpServerConfigTest {
    @Test
    void readsTheFamiliarMcpServersFile() throws Exception {
        Path f = TestTemp.file("mcp", ".json");
        Files.writeString(f, """
                {"mcpServers": {
                  "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"], "env": {"DEBUG": "1"}},
                  "calc": {"url": "ws://127.0.0.1:8765/mcp/ws", "token": "t"},
                  "remote": {"url": "http://127.0.0.1:3001/mcp", "headers": {"X-Key": "k"}},
                  "off": {"command": "x", "disabled": true}
                }}""");
        List<McpServerConfig> c = McpServerConfig.fromJsonFile(f);
        assertEquals(
                List.of("fs", "calc", "remote"),
                c.stream().map(McpServerConfig::name).toList());
        assertTrue(c.get(0).isStdio());
        assertEquals(
                List.of("-y", "@modelcontextprotocol/server-filesystem", "/tmp"),
                c.get(0).args());
        assertEquals("1", c.get(0).env().get("DEBUG"));
        assertEquals("t", c.get(1).token());
        assertEquals("k", c.get(2).headers().get("X-Key"));
    }

    @Test
    void readsProperties() {
        List<McpServerConfig> c = McpServerConfig.fromProperties(Map.of(
                "thinkloop.mcp.servers.everything.command", "node",
                "thinkloop.mcp.servers.everything.args", "index.js, stdio",
                "thinkloop.mcp.servers.everything.env.PORT", "1",
                "thinkloop.mcp.servers.calc.url", "ws://127.0.0.1:1/mcp/ws",
                "thinkloop.mcp.config-file", "ignored"));
        assertEquals(
                List.of("calc", "everything"),
                c.stream().map(McpServerConfig::name).toList());
        assertEquals(List.of("index.js", "stdio"), c.get(1).args());
        assertEquals("1", c.get(1).env().get("PORT"));
    }

    @Test
    void rejectsServersWithBothOrNeitherTransport() {
        assertThrows(
                IllegalArgumentException.class,
                () -> McpServerConfig.fromProperties(Map.of(
                        "thinkloop.mcp.servers.x.command",
                        "node",
                        "thinkloop.mcp.servers.x.url",
                        "ws://127.0.0.1:1/")));
        assertThrows(
                IllegalArgumentException.class,
                () -> McpServerConfig.fromProperties(Map.of("thinkloop.mcp.servers.x.url", "ftp://nope")));
    }
}
