package io.thinkloop.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.thinkloop.json.Json;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Checks a tool call's argument text against the tool's JSON Schema ({@code spec().parameters()}).
 * Compiled schemas are cached by schema identity (tools are immutable once registered). The outcome is
 * either the parsed argument object or a message the model can read and act on.
 */
public final class ArgumentValidator {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<JsonNode, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private ArgumentValidator() {}

    /** Valid arguments, or the reason they are not. */
    public sealed interface Outcome {}

    public record Valid(JsonNode arguments) implements Outcome {}

    public record Invalid(String message) implements Outcome {}

    public static Outcome validate(Tool tool, String argumentsJson) {
        JsonNode args;
        try {
            args = argumentsJson == null || argumentsJson.isBlank()
                    ? Json.MAPPER.createObjectNode()
                    : Json.MAPPER.readTree(argumentsJson);
        } catch (JsonProcessingException e) {
            return new Invalid("arguments are not valid JSON: " + e.getOriginalMessage());
        }
        if (args == null || !args.isObject()) {
            return new Invalid("arguments must be a JSON object");
        }
        JsonNode schemaNode = tool.spec().parameters();
        if (schemaNode == null || schemaNode.isNull() || schemaNode.isEmpty()) {
            return new Valid(args);
        }
        JsonSchema schema;
        try {
            schema = CACHE.computeIfAbsent(schemaNode, FACTORY::getSchema);
        } catch (RuntimeException e) {
            return new Invalid("tool " + tool.spec().name() + " has an unusable schema: " + e.getMessage());
        }
        Set<ValidationMessage> errors = schema.validate(args);
        if (errors.isEmpty()) {
            return new Valid(args);
        }
        return new Invalid("invalid arguments for " + tool.spec().name() + ": "
                + errors.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; ")));
    }
}
