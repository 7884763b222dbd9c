package io.thinkloop.integration;

import io.quarkus.runtime.StartupEvent;
import io.thinkloop.mcp.client.RemoteTool;
import io.thinkloop.mcp.client.ServerTool;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps the agent's {@link ToolRegistry} in step with {@link McpServerManager}: each connected server's
 * tools are registered under the server's name as source (a server named {@code local}, the source of the
 * service's own Java tools, registers as {@code mcp:local}); they leave when the server disconnects and
 * change when it sends {@code list_changed}. Names are the manager's ({@code server__tool} where two
 * servers offer the same tool); a name already taken by a tool of another source (a local Java tool)
 * gets the {@code server__} prefix too rather than replacing it. Approval
 * ({@code thinkloop.tools.approval."NAME"}) applies by registry name, as for local tools.
 *
 * <p>Each sync reads the manager's current list, so a late or out-of-order notification cannot restore
 * an older state; tools that did not change keep their registry entry (no remove/add churn).
 */
@ApplicationScoped
public class McpToolBridge {
    private static final Logger LOG = Logger.getLogger(McpToolBridge.class);
    /** The source name of the service's own Java tools, which an MCP server must not take over. */
    static final String LOCAL_SOURCE = "local";

    @Inject
    McpServerManager manager;

    @Inject
    ToolRegistry registry;

    private record Registered(ServerTool tool, String server, String source) {}

    /** Registry name to what this bridge registered there. */
    private final Map<String, Registered> mine = new HashMap<>();

    void onStart(@Observes StartupEvent event) {
        manager.addListener(tools -> sync());
        sync();
    }

    /** The source under which the tools of that server are registered. */
    public static String sourceOf(String server) {
        return LOCAL_SOURCE.equals(server) ? "mcp:" + server : server;
    }

    /** The registry names of the tools this bridge registered for that server. */
    public synchronized List<String> toolNames(String server) {
        List<String> out = new ArrayList<>();
        mine.forEach((name, r) -> {
            if (r.server().equals(server)) {
                out.add(name);
            }
        });
        out.sort(String::compareTo);
        return out;
    }

    synchronized void sync() {
        Map<String, Registered> desired = new LinkedHashMap<>();
        for (Tool t : manager.tools()) {
            if (!(t instanceof ServerTool bound)) {
                continue;
            }
            String server = manager.serverOf(t).orElse(null);
            if (server == null) {
                continue; // its server was removed meanwhile; the next notification drops it
            }
            String name = t.spec().name();
            if (takenByOther(name)) {
                String prefixed = name.startsWith(server + McpServerManager.PREFIX_SEPARATOR)
                        ? name
                        : server + McpServerManager.PREFIX_SEPARATOR + name;
                if (!(bound instanceof RemoteTool remote) || takenByOther(prefixed) || desired.containsKey(prefixed)) {
                    LOG.warnf(
                            "MCP tool %s of server %s is not registered: the name is taken by another tool",
                            name, server);
                    continue;
                }
                bound = new RemoteTool(remote.client(), remote.remote(), prefixed);
                name = prefixed;
            }
            desired.put(name, new Registered(bound, server, sourceOf(server)));
        }
        for (var it = mine.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Registered want = desired.get(e.getKey());
            if (want != null && same(want, e.getValue())) {
                desired.remove(e.getKey()); // unchanged: keep the registered instance
                continue;
            }
            if (registry.find(e.getKey()).orElse(null) == e.getValue().tool()) {
                registry.unregister(e.getKey());
            }
            it.remove();
        }
        desired.forEach((name, r) -> {
            registry.register(r.tool(), r.source());
            mine.put(name, r);
        });
    }

    /** Whether the name is in the registry with a tool this bridge did not put there. */
    private boolean takenByOther(String name) {
        Tool present = registry.find(name).orElse(null);
        if (present == null) {
            return false;
        }
        Registered r = mine.get(name);
        return r == null || r.tool() != present;
    }

    private static boolean same(Registered a, Registered b) {
        return a.tool().client() == b.tool().client()
                && a.tool().getClass() == b.tool().getClass()
                && (!(a.tool() instanceof RemoteTool ra)
                        || (b.tool() instanceof RemoteTool rb && ra.remote().equals(rb.remote())))
                && a.tool().spec().equals(b.tool().spec())
                && a.source().equals(b.source());
    }
}
