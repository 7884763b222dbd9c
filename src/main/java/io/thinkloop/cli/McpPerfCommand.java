package io.thinkloop.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code thinkloop perf mcp}: tools/call latency and throughput, ours against the TypeScript SDK's. */
@Command(name = "mcp", mixinStandardHelpOptions = true, description = "MCP tools/call round trips over WebSocket on loopback.")
public final class McpPerfCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("not written yet");
        return 1;
    }
}
