package io.thinkloop.mcptools.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.time.Duration;
import java.util.Set;

/** Calls tools and checks their results against their own output schemas with an independent validator. */
public final class SchemaAssert {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private SchemaAssert() {}

    public static ToolResult call(Tool tool, String argsJson) {
        return tool.call(SchemaTool.parse(argsJson), ToolCallContext.detached("test"))
                .await()
                .atMost(Duration.ofSeconds(30));
    }

    /** A successful call whose structured content matches the output schema and whose text is that JSON. */
    public static JsonNode ok(Tool tool, String argsJson) {
        ToolResult r = call(tool, argsJson);
        assertFalse(r.isError(), () -> tool.spec().name() + " failed: " + r.text());
        assertNotNull(r.structured(), "structured content");
        assertMatchesOutputSchema(tool, r.structured());
        assertTrue(
                r.structured().equals(SchemaAssert::sameValue, SchemaTool.parse(r.text())),
                () -> "text renders the structured content: " + r.text());
        return r.structured();
    }

    /** A failed call: an error result (never an exception) whose message contains {@code fragment}. */
    public static ToolResult error(Tool tool, String argsJson, String fragment) {
        ToolResult r = call(tool, argsJson);
        assertTrue(r.isError(), () -> tool.spec().name() + " should fail on " + argsJson + " but gave " + r.text());
        assertTrue(
                r.text().toLowerCase().contains(fragment.toLowerCase()),
                () -> "error '" + r.text() + "' should mention '" + fragment + "'");
        return r;
    }

    /** JSON equality with numbers compared by value (a decimal 7.425 and a parsed double 7.425 are equal). */
    private static int sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    }

    public static void assertMatchesOutputSchema(Tool tool, JsonNode structured) {
        assertNotNull(tool.outputSchema(), tool.spec().name() + " has an output schema");
        Set<ValidationMessage> problems = FACTORY.getSchema(tool.outputSchema()).validate(structured);
        assertTrue(
                problems.isEmpty(),
                () -> tool.spec().name() + " output violates its schema: " + problems + "\n" + structured);
    }

    /** The input schema is a closed object whose required fields are all declared. */
    public static void assertClosedInputSchema(Tool tool) {
        JsonNode schema = tool.spec().parameters();
        assertEquals("object", schema.path("type").asText(), tool.spec().name());
        assertEquals(
                false,
                schema.path("additionalProperties").asBoolean(true),
                tool.spec().name() + " additionalProperties");
        assertTrue(schema.path("properties").isObject(), tool.spec().name() + " properties");
        schema.path("required")
                .forEach(r -> assertTrue(
                        schema.path("properties").has(r.asText()), tool.spec().name() + " declares required " + r));
        FACTORY.getSchema(schema); // compiles
        FACTORY.getSchema(tool.outputSchema());
    }
}
