package io.thinkloop.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.session.ClientMessage;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.ToolStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/protocol.md and docs/schemas/ in step with the code (plain JUnit; the schemas are checked
 * against real events of a run in {@code SessionApiTest#realEventsMatchTheDocumentedSchemas}).
 */
class ProtocolSchemaTest {

    @Test
    void everyEventTypeHasASchemaAndEverySchemaATypeInCode() {
        assertEquals(
                ProtocolDocs.eventTypesInCode().stream().sorted().toList(),
                List.copyOf(ProtocolDocs.rawSchemas(ProtocolDocs.DOCS.resolve("schemas/events"))
                        .keySet()));
        assertEquals(
                ServerEvent.class.getPermittedSubclasses().length,
                ServerEvent.ALL.size(),
                "ServerEvent.ALL lists every record");
    }

    @Test
    void everyFinishReasonIsInTheSchemaAndTheDocs() {
        List<String> inSchema = new ArrayList<>();
        ProtocolDocs.rawSchemas(ProtocolDocs.DOCS.resolve("schemas/events"))
                .get("turn.completed")
                .path("properties")
                .path("finishReason")
                .path("enum")
                .forEach(n -> inSchema.add(n.asText()));
        assertEquals(ServerEvent.TurnCompleted.REASONS, inSchema);
        String docs = ProtocolDocs.protocolText();
        for (String reason : ServerEvent.TurnCompleted.REASONS) {
            assertTrue(docs.contains("`" + reason + "`"), "docs/protocol.md names finish reason " + reason);
        }
    }

    @Test
    void everyClientMessageTypeHasASchemaAndEverySchemaATypeInCode() {
        assertEquals(
                ProtocolDocs.clientTypesInCode().stream().sorted().toList(),
                List.copyOf(ProtocolDocs.rawSchemas(ProtocolDocs.DOCS.resolve("schemas/client"))
                        .keySet()));
    }

    @Test
    void schemaFieldsAreTheRecordFields() {
        // every payload field of a record is a documented property, and nothing else is
        Set<String> header = Set.of("v", "type", "sessionId", "turnId", "seq", "timestamp");
        var raw = ProtocolDocs.rawSchemas(ProtocolDocs.DOCS.resolve("schemas/events"));
        for (Class<? extends ServerEvent> type : ServerEvent.ALL) {
            String name = ProtocolDocs.eventTypesInCode().get(ServerEvent.ALL.indexOf(type));
            Set<String> documented = new TreeSet<>();
            raw.get(name).path("properties").fieldNames().forEachRemaining(documented::add);
            documented.removeAll(header);
            Set<String> inCode = new TreeSet<>();
            for (var rc : type.getRecordComponents()) {
                var prop = rc.getAccessor().getAnnotation(JsonProperty.class);
                var fieldProp = rc.getAnnotation(JsonProperty.class);
                inCode.add(fieldProp != null ? fieldProp.value() : prop != null ? prop.value() : rc.getName());
            }
            assertEquals(inCode, documented, "fields of " + name);
        }
    }

    @Test
    void documentedClientExamplesValidateAndDecode() throws Exception {
        var schemas = ProtocolDocs.clientSchemas();
        Map<String, String> examples = Map.of(
                "user_message",
                "{\"type\":\"user_message\",\"content\":\"hi\"}",
                "cancel",
                "{\"type\":\"cancel\"}",
                "approve",
                "{\"type\":\"approve\",\"toolCallId\":\"call_1\"}",
                "deny",
                "{\"type\":\"deny\",\"toolCallId\":\"call_1\",\"reason\":\"no\"}",
                "resume",
                "{\"type\":\"resume\",\"lastSeq\":12}",
                "elicitation.respond",
                "{\"type\":\"elicitation.respond\",\"elicitationId\":\"elicit_1\",\"action\":\"accept\","
                        + "\"content\":{\"name\":\"Ada\",\"check\":true}}");
        assertEquals(schemas.keySet(), examples.keySet());
        for (var e : examples.entrySet()) {
            JsonNode node = Json.MAPPER.readTree(e.getValue());
            assertTrue(schemas.get(e.getKey()).validate(node).isEmpty(), e.getKey());
            ClientMessage decoded = Json.MAPPER.treeToValue(node, ClientMessage.class);
            assertEquals(e.getKey(), ClientMessage.typeName(decoded.getClass()));
        }
        // includeTokens is optional and defaults to false
        JsonNode asking = Json.MAPPER.readTree("{\"type\":\"user_message\",\"content\":\"hi\",\"includeTokens\":true}");
        assertTrue(schemas.get("user_message").validate(asking).isEmpty());
        assertTrue(((ClientMessage.UserMessage) Json.MAPPER.treeToValue(asking, ClientMessage.class)).includeTokens());
        assertFalse(
                ((ClientMessage.UserMessage) Json.MAPPER.readValue(examples.get("user_message"), ClientMessage.class))
                        .includeTokens());
    }

    @Test
    void theDocumentedErrorCodesAreExactlyTheCodesInCode() throws Exception {
        List<String> inCode =
                Stream.of(ErrorCode.values()).map(ErrorCode::wireName).toList();
        List<String> inSchema = new ArrayList<>();
        ProtocolDocs.rawSchemas(ProtocolDocs.DOCS.resolve("schemas/events"))
                .get("error")
                .path("properties")
                .path("code")
                .path("enum")
                .forEach(n -> inSchema.add(n.asText()));
        assertEquals(inCode, inSchema, "error.schema.json lists every code, in the enum's order");
        List<List<String>> table = ProtocolDocs.table("| code | retryable | sent when |");
        assertEquals(
                inCode, table.stream().map(List::getFirst).toList(), "protocol.md's table lists every code, in order");
        for (List<String> row : table) {
            ErrorCode code = ErrorCode.fromWire(row.getFirst()).orElseThrow();
            assertEquals(code.retryable() ? "yes" : "no", row.get(1), "retryable of " + code);
        }
        // the wire form is the lower-case name, in events and HTTP bodies alike
        assertEquals("\"circuit_open\"", Json.MAPPER.writeValueAsString(ErrorCode.CIRCUIT_OPEN));
    }

    @Test
    void theDocumentedToolResultStatusesAreExactlyTheStatusesInCode() {
        List<String> inCode =
                Stream.of(ToolStatus.values()).map(ToolStatus::wireName).toList();
        List<String> inSchema = new ArrayList<>();
        ProtocolDocs.rawSchemas(ProtocolDocs.DOCS.resolve("schemas/events"))
                .get("tool.result")
                .path("properties")
                .path("status")
                .path("enum")
                .forEach(n -> inSchema.add(n.asText()));
        assertEquals(inCode, inSchema);
        assertEquals(
                inCode,
                ProtocolDocs.table("| `status` | the call |").stream()
                        .map(List::getFirst)
                        .toList());
    }

    @Test
    void protocolPageNamesEveryType() {
        String text = ProtocolDocs.protocolText();
        for (String t : ProtocolDocs.eventTypesInCode()) {
            assertTrue(text.contains("`" + t + "`"), "docs/protocol.md does not describe " + t);
        }
        for (String t : ProtocolDocs.clientTypesInCode()) {
            assertTrue(text.contains("`" + t + "`"), "docs/protocol.md does not describe " + t);
        }
    }
}
