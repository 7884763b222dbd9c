package io.thinkloop.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.model.ToolSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ToolRegistryTest {

    static Tool tool(String name, String schema) {
        JsonNode s;
        try {
            s = schema == null ? null : Json.MAPPER.readTree(schema);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new Tool() {
            public ToolSpec spec() {
                return new ToolSpec(name, "test", s);
            }

            public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
                return Uni.createFrom().item(ToolResult.ok(name));
            }
        };
    }

    @Test
    void sourcesAddAndRemoveToolsAndListenersHearIt() {
        ToolRegistry r = new ToolRegistry();
        List<ToolRegistry.Change> changes = new CopyOnWriteArrayList<>();
        r.addListener(changes::add);
        r.register(tool("b", null));
        r.register(tool("a", null), "mcp:calc");
        r.register(tool("c", null), "mcp:calc");
        assertEquals(
                List.of("a", "b", "c"),
                r.list().stream().map(t -> t.spec().name()).toList());
        assertEquals(2, r.unregisterSource("mcp:calc"));
        assertEquals(List.of("b"), r.specs().stream().map(ToolSpec::name).toList());
        assertTrue(r.unregister("b"));
        assertFalse(r.unregister("b"));
        assertTrue(r.find("a").isEmpty());
        assertEquals(6, changes.size());
        assertEquals(new ToolRegistry.Change("a", true, "mcp:calc"), changes.get(1));
    }

    @Test
    void concurrentRegistrationIsSafe() {
        ToolRegistry r = new ToolRegistry();
        IntStream.range(0, 2000).parallel().forEach(i -> {
            r.register(tool("t" + i, null));
            if (i % 2 == 0) {
                r.unregister("t" + i);
            }
        });
        assertEquals(1000, r.list().size());
    }

    @Test
    void argumentsAreCheckedAgainstTheSchema() {
        Tool t = tool("add", """
                {"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}""");
        assertInstanceOf(ArgumentValidator.Valid.class, ArgumentValidator.validate(t, "{\"a\":1,\"b\":2.5}"));
        var missing = assertInstanceOf(ArgumentValidator.Invalid.class, ArgumentValidator.validate(t, "{\"a\":1}"));
        assertTrue(missing.message().contains("b"), missing.message());
        var wrongType = assertInstanceOf(
                ArgumentValidator.Invalid.class, ArgumentValidator.validate(t, "{\"a\":\"one\",\"b\":2}"));
        assertTrue(wrongType.message().startsWith("invalid arguments for add"), wrongType.message());
        assertInstanceOf(ArgumentValidator.Invalid.class, ArgumentValidator.validate(t, "[1,2]"));
        assertInstanceOf(ArgumentValidator.Invalid.class, ArgumentValidator.validate(t, "{\"a\":"));
        // no schema: any object
        assertInstanceOf(ArgumentValidator.Valid.class, ArgumentValidator.validate(tool("free", null), "{\"x\":1}"));
        assertInstanceOf(ArgumentValidator.Valid.class, ArgumentValidator.validate(tool("free", null), ""));
    }
}
