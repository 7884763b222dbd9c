package io.thinkloop.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.Repair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule that fits tool-call arguments to the tool's JSON Schema. Lenient parsing renders each parameter
 * value with it ({@link #render}): the {@code string="true|false"} attribute decides first, the tool's JSON schema
 * second (a quoted number or boolean becomes a number or boolean where the schema types the parameter so; text
 * that is no JSON value becomes a string). Arguments a remote server parsed itself go through the same schema
 * rule ({@link #coerceArguments}). Every deviation from what strict parsing would produce is recorded as a
 * {@link Repair}.
 */
public final class ArgumentCoercion {
    private static final Pattern INTEGER = Pattern.compile("-?(?:0|[1-9]\\d*)");
    private static final Pattern NUMBER = Pattern.compile("-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");

    private ArgumentCoercion() {}

    /** The JSON types the schema allows ({@code type}, or the types of {@code anyOf}/{@code oneOf}); empty if unknown. */
    static Set<String> types(JsonNode schema) {
        Set<String> types = new LinkedHashSet<>();
        if (schema == null) {
            return types;
        }
        addTypes(schema.get("type"), types);
        for (String combinator : new String[] {"anyOf", "oneOf"}) {
            JsonNode alts = schema.get(combinator);
            if (alts != null && alts.isArray()) {
                for (JsonNode alt : alts) {
                    addTypes(alt.get("type"), types);
                }
            }
        }
        if (types.isEmpty() && schema.has("enum")) {
            for (JsonNode v : schema.get("enum")) {
                types.add(v.isTextual() ? "string" : v.isNumber() ? "number" : v.isBoolean() ? "boolean" : "null");
            }
        }
        return types;
    }

    private static void addTypes(JsonNode type, Set<String> into) {
        if (type == null) {
            return;
        }
        if (type.isTextual()) {
            into.add(type.textValue());
        } else if (type.isArray()) {
            for (JsonNode t : type) {
                if (t.isTextual()) {
                    into.add(t.textValue());
                }
            }
        }
    }

    /** Whether a string value may be streamed as a JSON string as it arrives (schema allows or does not say). */
    public static boolean allowsString(JsonNode schema) {
        Set<String> t = types(schema);
        return t.isEmpty() || t.contains("string");
    }

    /** The JSON text for {@code raw}; appends the repairs it made. */
    public static String render(
            String raw, Boolean declaredString, JsonNode schema, String param, List<Repair> repairs) {
        Set<String> types = types(schema);
        boolean stringOnly = types.size() == 1 && types.contains("string");
        if (Boolean.TRUE.equals(declaredString)) {
            if (!types.isEmpty() && !types.contains("string")) {
                String typed = asType(raw.strip(), types);
                if (typed != null) {
                    repairs.add(new Repair(
                            "schema_coercion",
                            param + ": string=\"true\" value " + PyJson.quote(raw) + " taken as "
                                    + String.join("|", types) + " per the tool schema"));
                    return typed;
                }
            }
            return PyJson.quote(raw);
        }
        if (Boolean.FALSE.equals(declaredString)) {
            Object value;
            try {
                value = PyJson.loads(raw);
            } catch (CodecException e) {
                repairs.add(new Repair(
                        "invalid_json_value",
                        param + ": string=\"false\" value " + PyJson.quote(raw) + " is not JSON; kept as a string"));
                return PyJson.quote(raw);
            }
            if (value instanceof String s && !types.isEmpty() && !types.contains("string")) {
                String typed = asType(s.strip(), types);
                if (typed != null) {
                    repairs.add(new Repair(
                            "schema_coercion",
                            param + ": quoted value " + raw + " taken as " + String.join("|", types)
                                    + " per the tool schema"));
                    return typed;
                }
            }
            if (stringOnly && !(value instanceof String)) {
                repairs.add(new Repair(
                        "schema_coercion",
                        param + ": value " + raw.strip() + " taken as a string per the tool schema"));
                return PyJson.quote(raw);
            }
            return raw;
        }
        // no usable string attribute: the schema decides, then whether the text is JSON at all
        if (stringOnly) {
            return PyJson.quote(raw);
        }
        String stripped = raw.strip();
        if (!types.isEmpty()) {
            String typed = asType(stripped, types);
            return typed != null ? typed : PyJson.quote(raw);
        }
        return PyJson.isValid(stripped) ? stripped : PyJson.quote(raw);
    }

    /** Arguments fitted to a tool's schema, and what was changed. */
    public record Coerced(String json, List<Repair> repairs) {}

    /**
     * The same rule for a tool call whose arguments arrived as JSON text (a server parsed the call itself): a
     * top-level string value where the tool's schema allows no string ({@code type}, {@code anyOf}/{@code oneOf},
     * {@code enum}) becomes the number, boolean, null, object or array it spells. Arguments that need no change
     * keep their exact text; text that is no JSON object is kept as sent, with a repair saying so.
     */
    public static Coerced coerceArguments(String arguments, JsonNode parameters) {
        String text = arguments == null || arguments.isBlank() ? "{}" : arguments;
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Coerced(text, List.of(new Repair("invalid_arguments_json", e.getOriginalMessage())));
        }
        if (!(parsed instanceof ObjectNode args) || parameters == null) {
            return new Coerced(text, List.of());
        }
        JsonNode properties = parameters.path("properties");
        List<Repair> repairs = new ArrayList<>();
        Map<String, JsonNode> changes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : args.properties()) {
            if (!field.getValue().isTextual()) {
                continue;
            }
            Set<String> types = types(properties.get(field.getKey()));
            if (types.isEmpty() || types.contains("string")) {
                continue;
            }
            String raw = field.getValue().textValue();
            String typed = asType(raw.strip(), types);
            if (typed == null) {
                continue;
            }
            try {
                changes.put(field.getKey(), Json.MAPPER.readTree(typed));
            } catch (JsonProcessingException e) {
                continue; // asType only returns JSON text; nothing to change if it were not
            }
            repairs.add(new Repair(
                    "schema_coercion",
                    field.getKey() + ": quoted value " + PyJson.quote(raw) + " taken as " + String.join("|", types)
                            + " per the tool schema"));
        }
        if (changes.isEmpty()) {
            return new Coerced(text, List.of());
        }
        changes.forEach(args::set);
        try {
            return new Coerced(Json.MAPPER.writeValueAsString(args), repairs);
        } catch (JsonProcessingException e) {
            return new Coerced(text, List.of());
        }
    }

    /** {@code text} as JSON of one of {@code types}, normalized, or null if it is none of them. */
    private static String asType(String text, Set<String> types) {
        for (String type : types) {
            switch (type) {
                case "integer" -> {
                    if (INTEGER.matcher(text).matches()) {
                        return text;
                    }
                }
                case "number" -> {
                    if (NUMBER.matcher(text).matches()) {
                        return text;
                    }
                }
                case "boolean" -> {
                    String lower = text.toLowerCase(Locale.ROOT);
                    if (lower.equals("true") || lower.equals("false")) {
                        return lower;
                    }
                }
                case "null" -> {
                    if (text.equals("null")) {
                        return text;
                    }
                }
                case "object", "array" -> {
                    if (!text.isEmpty()
                            && text.charAt(0) == (type.equals("object") ? '{' : '[')
                            && PyJson.isValid(text)) {
                        return text;
                    }
                }
                default -> {}
            }
        }
        return null;
    }
}
