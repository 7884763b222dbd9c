package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Calls the environment's tools in this process (the synthesizer runs reference solutions this way). */
public final class DirectInvoker implements ToolInvoker {
    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private int calls;
    private int batches;

    public DirectInvoker(List<Tool> tools) {
        tools.forEach(t -> this.tools.put(t.spec().name(), t));
    }

    @Override
    public List<JsonNode> callAll(List<Call> batch) {
        batches++;
        List<JsonNode> out = new ArrayList<>(batch.size());
        for (Call c : batch) {
            calls++;
            Tool tool = tools.get(c.name());
            if (tool == null) {
                throw new ToolError("unknown tool " + c.name());
            }
            ToolResult r = tool.call(c.arguments(), ToolCallContext.detached("synth-" + calls))
                    .await()
                    .atMost(Duration.ofSeconds(30));
            if (r.isError()) {
                throw new ToolError(c.name() + ": " + r.text());
            }
            try {
                out.add(Json.MAPPER.readTree(r.text()));
            } catch (Exception e) {
                throw new ToolError(c.name() + " returned non-JSON text: " + r.text());
            }
        }
        return out;
    }

    /** Tool calls made so far. */
    public int calls() {
        return calls;
    }

    /** Batches (agent steps) used so far. */
    public int batches() {
        return batches;
    }
}
