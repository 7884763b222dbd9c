package io.thinkloop.backend.remote;

import java.math.BigDecimal;
import java.math.BigInteger;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.model.Repair;
import io.thinkloop.json.Json;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Repairs the arguments of a tool call that a server parsed itself: servers' tool parsers sometimes hand
 * back scalars as strings ({@code "true"}, {@code "42"}) where the tool's schema wants a boolean or a
 * number. Top-level properties are coerced by their schema type; anything else is left as sent.
 */
final class ArgumentCoercion {
    private ArgumentCoercion() {
    }

    record Result(String json, List<Repair> repairs) {
    }

    static Result coerce(String arguments, ToolSpec tool) {
        String text = arguments == null || arguments.isBlank() ? "{}" : arguments;
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Result(text, List.of(new Repair("invalid_arguments_json", e.getOriginalMessage())));
        }
        if (!(parsed instanceof ObjectNode args) || tool == null || tool.parameters() == null) {
            return new Result(text, List.of());
        }
        JsonNode properties = tool.parameters().path("properties");
        List<Repair> repairs = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = args.fields();
        List<Map.Entry<String, JsonNode>> changes = new ArrayList<>();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            String type = properties.path(field.getKey()).path("type").asText("");
            if (!value.isTextual()) {
                continue;
            }
            String s = value.textValue().trim();
            JsonNode replacement = switch (type) {
                case "boolean" -> s.equals("true") ? Json.MAPPER.getNodeFactory().booleanNode(true)
                        : s.equals("false") ? Json.MAPPER.getNodeFactory().booleanNode(false) : null;
                case "integer" -> s.matches("-?\\d+") ? Json.MAPPER.getNodeFactory().numberNode(new BigInteger(s)) : null;
                case "number" -> s.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?") ? Json.MAPPER.getNodeFactory().numberNode(new BigDecimal(s)) : null;
                default -> null;
            };
            if (replacement != null) {
                changes.add(Map.entry(field.getKey(), replacement));
                repairs.add(new Repair("coerced_argument", field.getKey() + ": \"" + s + "\" -> " + type));
            }
        }
        if (changes.isEmpty()) {
            return new Result(text, List.of());
        }
        changes.forEach(c -> args.set(c.getKey(), c.getValue()));
        try {
            return new Result(Json.MAPPER.writeValueAsString(args), repairs);
        } catch (JsonProcessingException e) {
            return new Result(text, List.of());
        }
    }
}
