package io.thinkloop.tools;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Serves tool servers of {@code mcp-tools/} (and the synthesized environments) inside the service, without a
 * separate process: {@code thinkloop.tools.servers=trip-planning?seed=42&size=small} registers that server's
 * tools, built with those {@code --opt}-style options, in the {@link ToolRegistry}. Several servers are
 * separated by commas; a tool name served twice is an error (the second server is not loaded). A bad entry is
 * logged and skipped: the service stays up.
 */
@ApplicationScoped
public class InProcessToolServers {
    private static final Logger LOG = Logger.getLogger(InProcessToolServers.class);

    @Inject
    ToolRegistry registry;

    @ConfigProperty(name = "thinkloop.tools.servers")
    Optional<String> servers;

    /** One entry: a server name and its options. */
    public record Entry(String name, Map<String, String> options) {}

    void onStart(@Observes StartupEvent event) {
        servers.ifPresent(this::load);
    }

    void load(String config) {
        for (String part : config.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                Entry e = parse(part.trim());
                ToolServerDefinition def = find(e.name());
                List<Tool> tools = def.tools(e.options());
                for (Tool t : tools) {
                    if (registry.find(t.spec().name()).isPresent()) {
                        throw new IllegalArgumentException("tool " + t.spec().name() + " is already served");
                    }
                }
                tools.forEach(t -> registry.register(t, "server:" + e.name()));
                LOG.infof("serving %d tools of %s %s in process", tools.size(), e.name(), e.options());
            } catch (RuntimeException ex) {
                LOG.errorf("thinkloop.tools.servers entry '%s' not loaded: %s", part.trim(), ex.getMessage());
            }
        }
    }

    /** Parses {@code name?k=v&k=v} (values URL-decoded). */
    public static Entry parse(String spec) {
        int q = spec.indexOf('?');
        String name = q < 0 ? spec : spec.substring(0, q);
        Map<String, String> options = new LinkedHashMap<>();
        if (q >= 0 && q + 1 < spec.length()) {
            for (String kv : spec.substring(q + 1).split("&")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("option '" + kv + "' is not key=value");
                }
                options.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return new Entry(name, options);
    }

    public static ToolServerDefinition find(String name) {
        List<String> known = new ArrayList<>();
        for (ToolServerDefinition d : ServiceLoader.load(ToolServerDefinition.class)) {
            if (d.name().equals(name)) {
                return d;
            }
            known.add(d.name());
        }
        throw new IllegalArgumentException("unknown tool server '" + name + "'; known: " + known);
    }
}
