package io.thinkloop.mcptools.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A tool described by JSON Schemas for its arguments and its structured result. Arguments are checked
 * against the input schema before {@link #execute} sees them, so wrong arguments become an error result
 * with a clear message; a {@link ToolFailure} thrown by {@code execute} becomes an error result too, and
 * no exception ever leaves {@link #call}.
 */
public abstract class SchemaTool implements Tool {
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final ToolSpec spec;
    private final JsonNode outputSchema;
    private final JsonSchema inputValidator;

    protected SchemaTool(String name, String description, String inputSchemaJson, String outputSchemaJson) {
        this(name, description, parse(inputSchemaJson), outputSchemaJson == null ? null : parse(outputSchemaJson));
    }

    protected SchemaTool(String name, String description, JsonNode inputSchema, JsonNode outputSchema) {
        this.spec = new ToolSpec(name, description, inputSchema);
        this.outputSchema = outputSchema;
        this.inputValidator = SCHEMAS.getSchema(inputSchema);
    }

    @Override
    public final ToolSpec spec() {
        return spec;
    }

    @Override
    public final JsonNode outputSchema() {
        return outputSchema;
    }

    @Override
    public final Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
        JsonNode args = arguments == null || arguments.isNull() ? Json.MAPPER.createObjectNode() : arguments;
        String problems = validate(args);
        if (problems != null) {
            return Uni.createFrom().item(ToolResult.error("Invalid arguments for " + spec.name() + ": " + problems));
        }
        try {
            return execute(args, context == null ? ToolCallContext.detached(null) : context)
                    .onFailure()
                    .recoverWithItem(SchemaTool::failureResult);
        } catch (RuntimeException e) {
            return Uni.createFrom().item(failureResult(e));
        }
    }

    /** Null when {@code args} matches the input schema, else the problems in one line. */
    public final String validate(JsonNode args) {
        Set<ValidationMessage> messages = inputValidator.validate(args);
        if (messages.isEmpty()) {
            return null;
        }
        return messages.stream()
                .map(ValidationMessage::getMessage)
                .sorted(Comparator.naturalOrder())
                .collect(Collectors.joining("; "));
    }

    /** Runs the tool on arguments that match the input schema. */
    protected abstract Uni<ToolResult> execute(JsonNode args, ToolCallContext context);

    /** A successful result: the structured content, and its JSON text for the model. */
    protected static ToolResult ok(JsonNode structured) {
        return new ToolResult(text(structured), structured, false);
    }

    /** A successful result from a value Jackson maps (records, lists, maps). */
    protected static ToolResult okValue(Object value) {
        return ok(Json.MAPPER.valueToTree(value));
    }

    protected static ObjectNode object() {
        return Json.MAPPER.createObjectNode();
    }

    public static String text(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    public static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad JSON schema: " + e.getOriginalMessage(), e);
        }
    }

    private static ToolResult failureResult(Throwable t) {
        if (t instanceof ToolFailure f) {
            return ToolResult.error(f.getMessage());
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return ToolResult.error("Tool failed: " + message);
    }
}
