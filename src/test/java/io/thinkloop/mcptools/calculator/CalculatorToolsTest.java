package io.thinkloop.mcptools.calculator;

import static io.thinkloop.mcptools.support.SchemaAssert.error;
import static io.thinkloop.mcptools.support.SchemaAssert.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.subscription.Cancellable;
import io.thinkloop.mcptools.support.SchemaAssert;
import io.thinkloop.mcptools.support.SchemaTool;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.thinkloop.tools.ToolServerDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CalculatorToolsTest {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final List<Tool> tools = CalculatorServer.tools(executor);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private Tool tool(String name) {
        return tools.stream()
                .filter(t -> t.spec().name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void toolsAndSchemas() {
        assertEquals(
                List.of("evaluate", "evaluate_batch", "convert_units", "list_units"),
                tools.stream().map(t -> t.spec().name()).toList());
        tools.forEach(SchemaAssert::assertClosedInputSchema);
        ToolServerDefinition def = ServiceLoader.load(ToolServerDefinition.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(d -> d.name().equals("calculator"))
                .findFirst()
                .orElseThrow();
        assertEquals(4, def.tools(Map.of()).size());
        assertThrows(IllegalArgumentException.class, () -> def.tools(Map.of("seed", "1")));
    }

    @Test
    void evaluate() {
        JsonNode r = ok(tool("evaluate"), "{\"expression\": \"(1.1 + 2.2) * 3^2 / sqrt(16)\"}");
        assertEquals("7.425", r.get("result").asText());
        assertEquals(7.425, r.get("value").asDouble());
        assertTrue(r.get("exact").asBoolean());
        JsonNode big = ok(tool("evaluate"), "{\"expression\": \"10^400\"}");
        assertEquals("1E+400", big.get("result").asText());
        assertTrue(big.get("value").isNull(), "beyond double range");
        error(tool("evaluate"), "{\"expression\": \"1/0\"}", "Division by zero");
        error(tool("evaluate"), "{}", "expression");
        error(tool("evaluate"), "{\"expression\": 42}", "string");
        error(tool("evaluate"), "{\"expression\": \"1\", \"precision\": 5}", "precision");
        error(tool("evaluate"), "{\"expression\": \"" + "1+".repeat(3000) + "1\"}", "expression");
    }

    /**
     * Hostile magnitudes: every answer is either a clear tool error or JSON whose numbers a double-based
     * reader (JavaScript, Python) reads back as the same finite, non-underflowing value.
     */
    @Test
    void noResultIsANumberOutsideDoubleRange() {
        String[] conversions = {
            "{\"value\": 1e300, \"from\": \"PB\", \"to\": \"bit\"}",
            "{\"value\": -1e300, \"from\": \"PiB\", \"to\": \"bit\"}",
            "{\"value\": 1e300, \"from\": \"yr\", \"to\": \"ns\"}",
            "{\"value\": 1e-300, \"from\": \"ns\", \"to\": \"yr\"}",
            "{\"value\": 1e-300, \"from\": \"bit\", \"to\": \"PB\"}",
            "{\"value\": 1e308, \"from\": \"km\", \"to\": \"mm\"}",
            "{\"value\": 1e400, \"from\": \"m\", \"to\": \"km\"}",
            "{\"value\": -1e400, \"from\": \"m\", \"to\": \"km\"}",
            "{\"value\": 1e-400, \"from\": \"m\", \"to\": \"km\"}",
            "{\"value\": 1e300, \"from\": \"K\", \"to\": \"F\"}",
        };
        for (String args : conversions) {
            ToolResult r = SchemaAssert.call(tool("convert_units"), args);
            if (r.isError()) {
                assertTrue(
                        r.text().contains("range") || r.text().contains("finite"),
                        () -> args + ": unclear error " + r.text());
            } else {
                assertFiniteNumbers(r.structured(), args);
            }
        }
        error(tool("convert_units"), conversions[0], "out of range");
        error(tool("convert_units"), conversions[3], "out of range");
        String[] expressions = {
            "10^400",
            "-(10^400)",
            "10^-400",
            "1/0",
            "sqrt(-1)",
            "ln(0)",
            "log(-5)",
            "exp(100000)",
            "tan(pi/2)",
            "0^-1",
            "(-8)^(1/3)",
            "1e308*10",
            "2^1024",
            "0.1^400"
        };
        for (String e : expressions) {
            String args = "{\"expression\": \"" + e + "\"}";
            ToolResult r = SchemaAssert.call(tool("evaluate"), args);
            if (!r.isError()) {
                assertFiniteNumbers(r.structured(), args);
            }
        }
        error(tool("evaluate"), "{\"expression\": \"sqrt(-1)\"}", "");
        ToolResult batch = SchemaAssert.call(
                tool("evaluate_batch"), "{\"expressions\": [\"10^400\", \"1/0\", \"2^1024\", \"10^-400\"]}");
        if (!batch.isError()) {
            assertFiniteNumbers(batch.structured(), "evaluate_batch");
        }
    }

    private static void assertFiniteNumbers(JsonNode node, String context) {
        if (node == null) {
            return;
        }
        if (node.isNumber()) {
            double d = Double.parseDouble(node.asText()); // as a double-based JSON reader would
            assertTrue(Double.isFinite(d), () -> context + ": " + node + " is not finite for a double reader");
            assertTrue(d != 0 || node.decimalValue().signum() == 0, () -> context + ": " + node + " underflows to 0");
        }
        node.forEach(child -> assertFiniteNumbers(child, context));
    }

    @Test
    void convertAndList() {
        JsonNode r = ok(tool("convert_units"), "{\"value\": 100, \"from\": \"C\", \"to\": \"F\"}");
        assertEquals(212, r.get("result").asInt());
        assertEquals("temperature", r.get("dimension").asText());
        assertEquals("100 C = 212 F", r.get("result_text").asText());
        error(tool("convert_units"), "{\"value\": 1, \"from\": \"km\", \"to\": \"kg\"}", "different things");
        error(tool("convert_units"), "{\"value\": \"1\", \"from\": \"km\", \"to\": \"m\"}", "number");
        error(tool("convert_units"), "{\"value\": 1, \"from\": \"km\"}", "to");
        JsonNode all = ok(tool("list_units"), "{}");
        assertEquals(
                UnitConverter.Dimension.values().length, all.get("dimensions").size());
        JsonNode data = ok(tool("list_units"), "{\"dimension\": \"data\"}");
        assertEquals(1, data.get("dimensions").size());
        error(tool("list_units"), "{\"dimension\": \"colour\"}", "dimension");
    }

    @Test
    void batchReportsProgressPerExpression() {
        List<String> progress = new CopyOnWriteArrayList<>();
        ToolCallContext context = new ToolCallContext("s", "t", "c", (p, m) -> progress.add(p + " " + m));
        ToolResult r = tool("evaluate_batch")
                .call(SchemaTool.parse("{\"expressions\": [\"1+1\", \"1/0\", \"2^10\"]}"), context)
                .await()
                .atMost(Duration.ofSeconds(10));
        assertTrue(!r.isError(), r.text());
        SchemaAssert.assertMatchesOutputSchema(tool("evaluate_batch"), r.structured());
        assertEquals(2, r.structured().get("succeeded").asInt());
        assertEquals(1, r.structured().get("failed").asInt());
        assertEquals("2", r.structured().get("results").get(0).get("result").asText());
        assertTrue(r.structured().get("results").get(1).get("error").asText().contains("Division by zero"));
        assertEquals("1024", r.structured().get("results").get(2).get("result").asText());
        assertEquals(
                List.of(1.0 / 3 + " evaluated 1 of 3", 2.0 / 3 + " evaluated 2 of 3", "1.0 evaluated 3 of 3"),
                progress);
        error(tool("evaluate_batch"), "{\"expressions\": []}", "expressions");
        error(tool("evaluate_batch"), "{\"expressions\": [\"1\"], \"pause_ms\": 5000}", "pause_ms");
    }

    @Test
    void cancellingABatchStopsIt() throws Exception {
        List<Double> progress = new CopyOnWriteArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        ToolCallContext context = new ToolCallContext("s", "t", "c", (p, m) -> {
            progress.add(p);
            first.countDown();
        });
        String args = "{\"expressions\": [" + "\"1\",".repeat(19) + "\"1\"], \"pause_ms\": 100}";
        Cancellable call = tool("evaluate_batch")
                .call(SchemaTool.parse(args), context)
                .subscribe()
                .with(r -> {});
        assertTrue(first.await(10, TimeUnit.SECONDS));
        call.cancel();
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "the batch ends soon after cancel");
        assertTrue(progress.size() < 20, "stopped early: " + progress.size());
    }
}
