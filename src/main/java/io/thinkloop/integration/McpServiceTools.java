package io.thinkloop.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.mcp.server.ToolCatalog;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.thinkloop.tools.ToolServerDefinition;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The tools the service itself offers at {@code /mcp/ws}: those of the tool servers named in
 * {@code thinkloop.mcp.server.tool-servers} (default {@code calculator}, when present), the {@code agent}
 * tool when an {@link AgentToolHook} bean exists, and any {@link McpExposedTools} beans. {@link #catalog()}
 * may be changed at run time; connected clients hear {@code list_changed}.
 */
@ApplicationScoped
public class McpServiceTools {
    private static final Logger LOG = Logger.getLogger(McpServiceTools.class);
    public static final String AGENT_TOOL = "agent";

    @ConfigProperty(name = "thinkloop.mcp.server.tool-servers", defaultValue = "calculator")
    List<String> toolServers;

    @Inject
    Instance<AgentToolHook> agentHook;

    @Inject
    Instance<McpExposedTools> exposed;

    private ToolCatalog catalog;

    @PostConstruct
    void init() {
        List<Tool> tools = new ArrayList<>();
        for (ToolServerDefinition def : ServiceLoader.load(ToolServerDefinition.class)) {
            if (toolServers.contains(def.name())) {
                try {
                    tools.addAll(def.tools(Map.of()));
                } catch (RuntimeException e) {
                    LOG.warnf("tool server %s could not build its tools: %s", def.name(), e.getMessage());
                }
            }
        }
        if (agentHook.isResolvable() && agentHook.get().enabled()) {
            tools.add(new AgentTool(agentHook.get()));
        }
        exposed.forEach(e -> tools.addAll(e.tools()));
        catalog = new ToolCatalog(tools);
    }

    public ToolCatalog catalog() {
        return catalog;
    }

    /** The {@code agent} tool: the {@link AgentToolHook} as a Tool. */
    record AgentTool(AgentToolHook hook) implements Tool {
        @Override
        public ToolSpec spec() {
            return new ToolSpec(AGENT_TOOL, hook.description(), hook.parameters());
        }

        @Override
        public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
            return hook.run(arguments, context);
        }
    }
}
