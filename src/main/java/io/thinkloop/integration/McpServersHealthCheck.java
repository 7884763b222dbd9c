package io.thinkloop.integration;

import io.thinkloop.mcp.client.McpClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: each configured MCP server's state and tool count. Down only when
 * {@code thinkloop.mcp.health.require-all=true} and a server is not ready: by default a flaky tool server
 * does not take the whole service out of rotation.
 */
@Readiness
@ApplicationScoped
public class McpServersHealthCheck implements HealthCheck {
    @Inject
    McpServerManager manager;

    @ConfigProperty(name = "thinkloop.mcp.health.require-all", defaultValue = "false")
    boolean requireAll;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("mcp-servers");
        boolean allReady = true;
        for (McpServerManager.ServerStatus s : manager.status()) {
            boolean ready = s.state() == McpClient.State.READY;
            allReady &= ready;
            b.withData(
                    s.name(),
                    s.state()
                            + (ready ? " (" + s.tools() + " tools)" : s.lastError() == null ? "" : ": " + s.lastError())
                            + " " + s.target());
        }
        return b.status(allReady || !requireAll).build();
    }
}
