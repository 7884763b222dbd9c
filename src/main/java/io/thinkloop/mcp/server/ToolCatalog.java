package io.thinkloop.mcp.server;

import io.thinkloop.tools.Tool;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The tools a server offers, in order, by name; listeners hear of every change (for {@code list_changed}). */
public final class ToolCatalog {
    private volatile Map<String, Tool> tools = Map.of();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public ToolCatalog(List<? extends Tool> initial) {
        replace(initial);
    }

    public List<Tool> list() {
        return List.copyOf(tools.values());
    }

    public Tool find(String name) {
        return tools.get(name);
    }

    public synchronized void replace(List<? extends Tool> next) {
        Map<String, Tool> m = new LinkedHashMap<>();
        for (Tool t : next) {
            m.put(t.spec().name(), t);
        }
        tools = Collections.unmodifiableMap(m);
        listeners.forEach(Runnable::run);
    }

    public synchronized void add(Tool tool) {
        Map<String, Tool> m = new LinkedHashMap<>(tools);
        m.put(tool.spec().name(), tool);
        tools = Collections.unmodifiableMap(m);
        listeners.forEach(Runnable::run);
    }

    public synchronized boolean remove(String name) {
        if (!tools.containsKey(name)) {
            return false;
        }
        Map<String, Tool> m = new LinkedHashMap<>(tools);
        m.remove(name);
        tools = Collections.unmodifiableMap(m);
        listeners.forEach(Runnable::run);
        return true;
    }

    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }
}
