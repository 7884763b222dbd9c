package io.thinkloop.tools;

import io.thinkloop.model.ToolSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The tools the agent may call, by name. Thread-safe: tool sources (local Java tools, MCP servers that
 * connect and disconnect) add and remove tools at any time; a turn takes a {@link #list()} snapshot
 * when each model step starts. Listeners hear every change (e.g. to log or to refresh a client's view).
 */
@ApplicationScoped
public class ToolRegistry {
    private static final Logger LOG = Logger.getLogger(ToolRegistry.class);

    /** A change of the registry: {@code added} false means removed. {@code source} names who changed it. */
    public record Change(String name, boolean added, String source) {}

    private record Entry(Tool tool, String source) {}

    private final ConcurrentHashMap<String, Entry> tools = new ConcurrentHashMap<>();
    private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();

    /** Adds or replaces the tool of that name. */
    public void register(Tool tool, String source) {
        String name = tool.spec().name();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a tool needs a name");
        }
        tools.put(name, new Entry(tool, source));
        fire(new Change(name, true, source));
    }

    public void register(Tool tool) {
        register(tool, "local");
    }

    /** Removes the tool; returns whether there was one. */
    public boolean unregister(String name) {
        Entry removed = tools.remove(name);
        if (removed != null) {
            fire(new Change(name, false, removed.source()));
        }
        return removed != null;
    }

    /** Removes every tool a source registered (an MCP server went away). */
    public int unregisterSource(String source) {
        int n = 0;
        for (var e : List.copyOf(tools.entrySet())) {
            if (e.getValue().source().equals(source) && tools.remove(e.getKey(), e.getValue())) {
                fire(new Change(e.getKey(), false, source));
                n++;
            }
        }
        return n;
    }

    /** Who registered the tool of that name ({@code local}, or the MCP server's name), if it is registered. */
    public Optional<String> sourceOf(String name) {
        Entry e = name == null ? null : tools.get(name);
        return e == null ? Optional.empty() : Optional.of(e.source());
    }

    public Optional<Tool> find(String name) {
        Entry e = name == null ? null : tools.get(name);
        return e == null ? Optional.empty() : Optional.of(e.tool());
    }

    /** A snapshot of the tools, sorted by name so prompts are stable. */
    public List<Tool> list() {
        List<Tool> snapshot = new ArrayList<>();
        tools.values().forEach(e -> snapshot.add(e.tool()));
        snapshot.sort(Comparator.comparing(t -> t.spec().name()));
        return snapshot;
    }

    public List<ToolSpec> specs() {
        return list().stream().map(Tool::spec).toList();
    }

    public void addListener(Consumer<Change> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<Change> listener) {
        listeners.remove(listener);
    }

    private void fire(Change change) {
        for (Consumer<Change> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.warnf(e, "tool registry listener failed on %s", change);
            }
        }
    }
}
