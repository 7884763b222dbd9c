package io.thinkloop.integration;

import java.util.HashMap;
import java.util.Map;

/**
 * {@link McpServiceTestProfile}'s configured servers (server-everything over stdio among them) with a model that
 * can answer sampling requests (the synthetic token source), configured roots, and sampling behind approval.
 */
public class McpClientFeaturesProfile extends McpServiceTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("thinkloop.model.backend", "synthetic");
        config.put("thinkloop.model.synthetic.tokens", "4");
        config.put("thinkloop.model.synthetic.interval", "0s");
        config.put("thinkloop.mcp.roots", "/srv/project,file:///srv/data,https://example.com/repo");
        config.put("thinkloop.mcp.sampling.approval", "ask");
        return config;
    }
}
