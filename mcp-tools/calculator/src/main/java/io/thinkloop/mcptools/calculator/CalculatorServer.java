package io.thinkloop.mcptools.calculator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.thinkloop.json.Json;
import io.thinkloop.mcptools.support.SchemaTool;
import io.thinkloop.mcptools.support.ToolFailure;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.thinkloop.tools.ToolServerDefinition;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * {@code ./thinkloop tool-server calculator}: {@code evaluate}, {@code evaluate_batch} (reports progress
 * per expression), {@code convert_units} and {@code list_units}. It takes no options.
 */
public final class CalculatorServer implements ToolServerDefinition {
    public static final String NAME = "calculator";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Sandboxed decimal calculator and unit converter.";
    }

    @Override
    public List<Tool> tools(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("the calculator takes no options, got " + options.keySet());
        }
        return tools();
    }

    /** The tools; batches run on {@code executor} (Mutiny's worker pool by default). */
    public static List<Tool> tools() {
        return tools(Infrastructure.getDefaultWorkerPool());
    }

    public static List<Tool> tools(Executor executor) {
        return List.of(new Evaluate(executor), new EvaluateBatch(executor), new ConvertUnits(), new ListUnits());
    }

    static final String RESULT_PROPERTIES = """
            "result": {"type": "string", "description": "The value in decimal notation (scientific for extreme magnitudes)"},
            "value": {"type": ["number", "null"], "description": "The value as a JSON number; null beyond double range"},
            "exact": {"type": "boolean", "description": "Whether the result is exact (false when rounded)"}""";

    /** The structured result of one evaluation. */
    static ObjectNode result(String expression, Calculator.Value v) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("expression", expression);
        out.put("result", v.text());
        double d = v.value().doubleValue();
        if (Double.isFinite(d) && (d != 0 || v.value().signum() == 0)) {
            out.put("value", v.value().stripTrailingZeros());
        } else {
            out.putNull("value"); // beyond double range: many JSON readers could not hold it; "result" has it
        }
        out.put("exact", v.exact());
        return out;
    }

    static final class Evaluate extends SchemaTool {
        private final Executor executor;

        Evaluate(Executor executor) {
            super(
                    "evaluate",
                    "Evaluate an arithmetic expression exactly in decimal where possible. Operators + - * / % (remainder) ^ (power), "
                            + "parentheses, functions sqrt abs min max round floor ceil log (base 10, or log(x, base)) ln exp sin cos tan "
                            + "(radians), constants pi and e. Example: (1.1 + 2.2) * 3^2 / sqrt(16).",
                    """
                    {"type": "object",
                     "properties": {"expression": {"type": "string", "minLength": 1, "maxLength": %d, "description": "The expression"}},
                     "required": ["expression"], "additionalProperties": false}""".formatted(Calculator.MAX_LENGTH),
                    """
                    {"type": "object",
                     "properties": {"expression": {"type": "string"}, %s},
                     "required": ["expression", "result", "value", "exact"], "additionalProperties": false}""".formatted(RESULT_PROPERTIES));
            this.executor = executor;
        }

        @Override
        protected Uni<ToolResult> execute(JsonNode args, ToolCallContext context) {
            String expression = args.get("expression").asText();
            return Uni.createFrom()
                    .item(() -> {
                        try {
                            return ok(result(expression, Calculator.evaluate(expression)));
                        } catch (CalculationException e) {
                            throw new ToolFailure(e.getMessage());
                        }
                    })
                    .runSubscriptionOn(executor); // up to the 2 s time limit: never on the caller's (event loop) thread
        }
    }

    static final class EvaluateBatch extends SchemaTool {
        static final int MAX_EXPRESSIONS = 100;
        private final Executor executor;

        EvaluateBatch(Executor executor) {
            super(
                    "evaluate_batch",
                    "Evaluate several expressions (as for evaluate) in order, reporting progress after each; an expression that fails "
                            + "gives an error entry and the others still run.",
                    """
                    {"type": "object",
                     "properties": {
                       "expressions": {"type": "array", "minItems": 1, "maxItems": %d,
                         "items": {"type": "string", "minLength": 1, "maxLength": %d}},
                       "pause_ms": {"type": "integer", "minimum": 0, "maximum": 1000,
                         "description": "Optional pause after each expression, to watch progress; default 0"}},
                     "required": ["expressions"], "additionalProperties": false}""".formatted(MAX_EXPRESSIONS, Calculator.MAX_LENGTH),
                    """
                    {"type": "object",
                     "properties": {
                       "results": {"type": "array", "items": {"type": "object",
                         "properties": {"expression": {"type": "string"}, %s, "error": {"type": "string"}},
                         "required": ["expression"], "additionalProperties": false}},
                       "succeeded": {"type": "integer", "minimum": 0}, "failed": {"type": "integer", "minimum": 0}},
                     "required": ["results", "succeeded", "failed"], "additionalProperties": false}""".formatted(RESULT_PROPERTIES));
            this.executor = executor;
        }

        @Override
        protected Uni<ToolResult> execute(JsonNode args, ToolCallContext context) {
            List<String> expressions = StreamSupport.stream(
                            args.get("expressions").spliterator(), false)
                    .map(JsonNode::asText)
                    .toList();
            long pauseNanos = args.path("pause_ms").asLong(0) * 1_000_000;
            return Uni.createFrom().<ToolResult>emitter(emitter -> {
                AtomicBoolean stopped = new AtomicBoolean();
                emitter.onTermination(() -> stopped.set(true));
                executor.execute(() -> {
                    try {
                        ToolResult r = run(expressions, pauseNanos, context, stopped);
                        if (r != null) {
                            emitter.complete(r);
                        }
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                    }
                });
            });
        }

        /** Evaluates in order; null when cancelled midway (nothing is emitted then). */
        private static ToolResult run(
                List<String> expressions, long pauseNanos, ToolCallContext context, AtomicBoolean stopped) {
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode results = out.putArray("results");
            int failed = 0;
            for (int i = 0; i < expressions.size(); i++) {
                if (stopped.get()) {
                    return null;
                }
                String e = expressions.get(i);
                try {
                    results.add(result(e, Calculator.evaluate(e)));
                } catch (CalculationException ex) {
                    failed++;
                    results.addObject().put("expression", e).put("error", ex.getMessage());
                }
                if (context.progress() != null) {
                    context.progress()
                            .accept(
                                    (double) (i + 1) / expressions.size(),
                                    "evaluated " + (i + 1) + " of " + expressions.size());
                }
                if (pauseNanos > 0 && i + 1 < expressions.size()) {
                    LockSupport.parkNanos(pauseNanos);
                }
            }
            out.put("succeeded", expressions.size() - failed);
            out.put("failed", failed);
            return ok(out);
        }
    }

    static final class ConvertUnits extends SchemaTool {
        ConvertUnits() {
            super(
                    "convert_units",
                    "Convert a value between units of the same kind: length, mass, volume, temperature, time, speed, data size or area. "
                            + "Units by symbol or name, e.g. km, mi, lb, kg, L, gal, C, F, K, h, km/h, mph, MB, MiB, m2, acre.",
                    """
                    {"type": "object",
                     "properties": {
                       "value": {"type": "number", "description": "The amount to convert"},
                       "from": {"type": "string", "minLength": 1, "maxLength": 40, "description": "Unit of the value"},
                       "to": {"type": "string", "minLength": 1, "maxLength": 40, "description": "Unit to convert to"}},
                     "required": ["value", "from", "to"], "additionalProperties": false}""",
                    """
                    {"type": "object",
                     "properties": {
                       "value": {"type": ["number", "null"], "description": "The value as a JSON number; null beyond double range"}, "from": {"type": "string"}, "to": {"type": "string"},
                       "result": {"type": "number"}, "result_text": {"type": "string"},
                       "dimension": {"type": "string", "enum": %s}},
                     "required": ["value", "from", "to", "result", "result_text", "dimension"], "additionalProperties": false}""".formatted(dimensionsJson()));
        }

        @Override
        protected Uni<ToolResult> execute(JsonNode args, ToolCallContext context) {
            return Uni.createFrom().item(() -> {
                UnitConverter.Conversion c;
                JsonNode value = args.get("value");
                if (!value.isNumber()
                        || (value.isFloatingPointNumber()
                                && !Double.isFinite(value.doubleValue())
                                && !value.isBigDecimal())) {
                    throw new ToolFailure("value must be a finite number");
                }
                try {
                    c = UnitConverter.convert(
                            value.decimalValue(),
                            args.get("from").asText(),
                            args.get("to").asText());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw new ToolFailure(e.getMessage());
                }
                ObjectNode out = Json.MAPPER.createObjectNode();
                out.put("value", c.value());
                out.put("from", c.from().symbol());
                out.put("to", c.to().symbol());
                out.put("result", c.result());
                out.put(
                        "result_text",
                        c.value().stripTrailingZeros().toPlainString() + " "
                                + c.from().symbol() + " = " + c.result().toPlainString() + " " + c.to().symbol());
                out.put("dimension", c.from().dimension().label());
                return ok(out);
            });
        }
    }

    static final class ListUnits extends SchemaTool {
        ListUnits() {
            super(
                    "list_units",
                    "List the units convert_units knows, optionally for one dimension.",
                    """
                    {"type": "object",
                     "properties": {"dimension": {"type": "string", "enum": %s}},
                     "additionalProperties": false}""".formatted(dimensionsJson()),
                    """
                    {"type": "object",
                     "properties": {"dimensions": {"type": "array", "items": {"type": "object",
                       "properties": {
                         "dimension": {"type": "string"}, "base_unit": {"type": "string"},
                         "units": {"type": "array", "items": {"type": "object",
                           "properties": {"symbol": {"type": "string"}, "name": {"type": "string"},
                                          "aliases": {"type": "array", "items": {"type": "string"}}},
                           "required": ["symbol", "name", "aliases"], "additionalProperties": false}}},
                       "required": ["dimension", "base_unit", "units"], "additionalProperties": false}}},
                     "required": ["dimensions"], "additionalProperties": false}""");
        }

        @Override
        protected Uni<ToolResult> execute(JsonNode args, ToolCallContext context) {
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode dims = out.putArray("dimensions");
            String only = args.path("dimension").asText("");
            for (UnitConverter.Dimension d : UnitConverter.Dimension.values()) {
                if (!only.isEmpty() && !d.label().equals(only)) {
                    continue;
                }
                ObjectNode dn = dims.addObject();
                dn.put("dimension", d.label());
                dn.put("base_unit", d.baseUnit);
                ArrayNode units = dn.putArray("units");
                for (UnitConverter.Unit u : UnitConverter.units(d)) {
                    ObjectNode un = units.addObject();
                    un.put("symbol", u.symbol());
                    un.put("name", u.name());
                    un.set("aliases", Json.MAPPER.valueToTree(u.aliases()));
                }
            }
            return Uni.createFrom().item(ok(out));
        }
    }

    private static String dimensionsJson() {
        return Arrays.stream(UnitConverter.Dimension.values())
                .map(d -> "\"" + d.label() + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
