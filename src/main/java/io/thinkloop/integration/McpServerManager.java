package io.thinkloop.integration;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.client.ReadResourceTool;
import io.thinkloop.mcp.client.RemoteTool;
import io.thinkloop.mcp.client.ServerTool;
import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.protocol.RequestOptions;
import io.thinkloop.mcp.transport.StdioClientConnector;
import io.thinkloop.mcp.transport.StreamableHttpClientConnector;
import io.thinkloop.mcp.transport.WebSocketClientConnector;
import io.thinkloop.mcp.types.Implementation;
import io.thinkloop.mcp.types.McpTool;
import io.thinkloop.mcp.types.ProtocolVersions;
import io.thinkloop.tools.Tool;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Connects the configured MCP servers at startup (without delaying it), reconnects them when they drop,
 * and publishes their tools: {@link #tools()} plus {@link #addListener} are the seam the runtime's tool
 * registry uses. A tool name offered by more than one server is exposed as {@code server__tool} for each.
 * A server that offers resources also gets a {@code server__read_resource} tool ({@link ReadResourceTool}), whose
 * description lists its resources (re-read when the server says they changed). What servers ask of us (roots,
 * sampling, elicitation) is answered by {@link McpClientRequests}.
 */
@ApplicationScoped
public class McpServerManager {
    private static final Logger LOG = Logger.getLogger(McpServerManager.class);
    public static final String PREFIX_SEPARATOR = "__";

    public record ServerStatus(String name, String target, McpClient.State state, int tools, String lastError) {}

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "thinkloop.mcp.config-file")
    Optional<String> configFile;

    @ConfigProperty(name = "thinkloop.mcp.call-timeout", defaultValue = "60s")
    Duration callTimeout;

    @ConfigProperty(name = "thinkloop.mcp.call-max-timeout", defaultValue = "10m")
    Duration callMaxTimeout;

    @Inject
    McpClientRequests requests;

    @ConfigProperty(name = "thinkloop.mcp.protocol-version", defaultValue = ProtocolVersions.LATEST)
    String protocolVersion;

    private record Listing(List<JsonNode> resources, List<JsonNode> templates) {}

    private final Map<String, McpClient> clients = new LinkedHashMap<>();
    private final Map<McpClient, Listing> listings = new ConcurrentHashMap<>();
    private final List<McpToolsListener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Tool> tools = List.of();

    void onStart(@Observes StartupEvent event) {
        List<McpServerConfig> configs = new ArrayList<>();
        try {
            if (configFile.isPresent() && !configFile.get().isBlank()) {
                configs.addAll(McpServerConfig.fromJsonFile(Path.of(configFile.get())));
            }
            Config config = ConfigProvider.getConfig();
            Map<String, String> props = new HashMap<>();
            for (String name : config.getPropertyNames()) {
                if (name.startsWith("thinkloop.mcp.servers.")) {
                    config.getOptionalValue(name, String.class).ifPresent(v -> props.put(name, v));
                }
            }
            configs.addAll(McpServerConfig.fromProperties(props));
        } catch (Exception e) {
            LOG.errorf("MCP server configuration is unreadable, no MCP servers connected: %s", e.getMessage());
        }
        configs.forEach(this::add);
    }

    void onStop(@Observes ShutdownEvent event) {
        List<McpClient> all;
        synchronized (clients) {
            all = List.copyOf(clients.values());
        }
        all.forEach(McpClient::close); // outside the lock: closing notifies listeners, which take other locks
    }

    /** Adds and connects one server (also usable at run time). */
    public McpClient add(McpServerConfig config) {
        config.validate();
        McpClient client = new McpClient(
                connector(config),
                new McpClient.Options(
                        new Implementation("thinkloop", "0.1"),
                        protocolVersion,
                        new RequestOptions(callTimeout, callMaxTimeout, true, null),
                        true,
                        Duration.ofMillis(500),
                        Duration.ofSeconds(30)));
        McpClient old;
        synchronized (clients) {
            old = clients.put(config.name(), client);
        }
        if (old != null) {
            old.close(); // outside the lock, as in onStop
        }
        if (requests != null) {
            client.handleRequests(requests.handlerFor(config.name()));
        }
        client.onToolsChanged(t -> rebuild());
        client.onStateChanged(s -> {
            if (s == McpClient.State.READY) {
                refreshListing(client);
            } else {
                listings.remove(client);
            }
            rebuild();
        });
        client.onContentChanged(() -> refreshListing(client));
        client.connect()
                .subscribe()
                .with(
                        init -> LOG.infof(
                                "MCP server %s connected (%s, %d tools)",
                                config.name(), client.describe(), client.tools().size()),
                        e -> {
                            LOG.warnf(
                                    "MCP server %s (%s) is not reachable yet: %s",
                                    config.name(), client.describe(), e.getMessage());
                            client.keepConnecting();
                        });
        return client;
    }

    /** Re-reads a server's resources and templates for its read_resource tool's description. */
    private void refreshListing(McpClient client) {
        if (!client.offers("resources")) {
            return;
        }
        client.listResources()
                .onFailure()
                .recoverWithItem(List.of())
                .flatMap(res -> client.listResourceTemplates()
                        .onFailure()
                        .recoverWithItem(List.of())
                        .map(t -> new Listing(res, t)))
                .subscribe()
                .with(
                        l -> {
                            if (client.state() == McpClient.State.READY) {
                                listings.put(client, l);
                                rebuild();
                            }
                        },
                        e -> LOG.debugf("MCP %s: resources not listed: %s", client.describe(), e.getMessage()));
    }

    public void remove(String name) {
        McpClient c;
        synchronized (clients) {
            c = clients.remove(name);
        }
        if (c != null) {
            c.close();
            rebuild();
        }
    }

    Connector connector(McpServerConfig c) {
        if (c.isStdio()) {
            List<String> cmd = new ArrayList<>();
            cmd.add(c.command());
            cmd.addAll(c.args());
            return new StdioClientConnector(cmd, c.env(), c.cwd() == null ? null : Path.of(c.cwd()));
        }
        URI uri = URI.create(c.url());
        if (uri.getScheme().toLowerCase().startsWith("ws")) {
            return new WebSocketClientConnector(
                    vertx,
                    uri,
                    c.token(),
                    c.headers(),
                    WebSocketClientConnector.DEFAULT_MAX_MESSAGE,
                    Duration.ofSeconds(30));
        }
        Map<String, String> headers = new LinkedHashMap<>(c.headers());
        if (c.token() != null) {
            headers.put("Authorization", "Bearer " + c.token());
        }
        return new StreamableHttpClientConnector(uri, headers);
    }

    /** The tools of all connected servers, names made unique. */
    public List<Tool> tools() {
        return tools;
    }

    public void addListener(McpToolsListener listener) {
        listeners.add(listener);
    }

    public void removeListener(McpToolsListener listener) {
        listeners.remove(listener);
    }

    /** The name of the configured server a tool of {@link #tools()} comes from (empty for other tools). */
    public Optional<String> serverOf(Tool tool) {
        if (!(tool instanceof ServerTool remote)) {
            return Optional.empty();
        }
        synchronized (clients) {
            for (Map.Entry<String, McpClient> e : clients.entrySet()) {
                if (e.getValue() == remote.client()) {
                    return Optional.of(e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    public Optional<McpClient> client(String name) {
        synchronized (clients) {
            return Optional.ofNullable(clients.get(name));
        }
    }

    public List<ServerStatus> status() {
        List<ServerStatus> out = new ArrayList<>();
        synchronized (clients) {
            clients.forEach((name, c) -> out.add(new ServerStatus(
                    name,
                    c.describe(),
                    c.state(),
                    c.state() == McpClient.State.READY ? c.tools().size() : 0,
                    c.lastError())));
        }
        return out;
    }

    private synchronized void rebuild() {
        Map<String, McpClient> snapshot;
        synchronized (clients) {
            snapshot = new LinkedHashMap<>(clients);
        }
        Map<String, Integer> uses = new HashMap<>();
        snapshot.values().stream()
                .filter(c -> c.state() == McpClient.State.READY)
                .forEach(c -> c.tools().forEach(t -> uses.merge(t.name(), 1, Integer::sum)));
        List<Tool> next = new ArrayList<>();
        snapshot.forEach((server, c) -> {
            if (c.state() == McpClient.State.READY) {
                for (McpTool t : c.tools()) {
                    String exposed = uses.get(t.name()) > 1 ? server + PREFIX_SEPARATOR + t.name() : t.name();
                    next.add(new RemoteTool(c, t, exposed));
                }
                if (c.offers("resources")) {
                    Listing l = listings.getOrDefault(c, new Listing(List.of(), List.of()));
                    next.add(new ReadResourceTool(
                            c, server + PREFIX_SEPARATOR + ReadResourceTool.NAME, l.resources(), l.templates()));
                }
            }
        });
        tools = List.copyOf(next);
        listeners.forEach(l -> {
            try {
                l.toolsChanged(tools);
            } catch (RuntimeException e) {
                LOG.debugf(e, "MCP tools listener failed");
            }
        });
    }
}
