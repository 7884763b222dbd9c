package io.thinkloop.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.thinkloop.json.Json;
import io.thinkloop.session.ClientMessage;
import io.thinkloop.session.ServerEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The protocol as documented in docs/ (schemas and protocol.md), for the tests that keep it in step with the code. */
final class ProtocolDocs {
    static final Path DOCS = Path.of("docs");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private ProtocolDocs() {}

    static Map<String, JsonSchema> eventSchemas() {
        return schemas(DOCS.resolve("schemas/events"));
    }

    static Map<String, JsonSchema> clientSchemas() {
        return schemas(DOCS.resolve("schemas/client"));
    }

    static Map<String, JsonNode> rawSchemas(Path dir) {
        Map<String, JsonNode> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f :
                    files.filter(f -> f.toString().endsWith(".schema.json")).toList()) {
                String name = f.getFileName().toString().replace(".schema.json", "");
                out.put(name, Json.MAPPER.readTree(Files.readString(f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Map<String, JsonSchema> schemas(Path dir) {
        Map<String, JsonSchema> out = new TreeMap<>();
        rawSchemas(dir).forEach((k, v) -> out.put(k, FACTORY.getSchema(v)));
        return out;
    }

    /** The wire type of every event record in code. */
    static List<String> eventTypesInCode() {
        return ServerEvent.ALL.stream()
                .map(ProtocolDocs::instantiate)
                .map(ServerEvent::type)
                .toList();
    }

    static List<String> clientTypesInCode() {
        return ClientMessage.class.getPermittedSubclasses().length == 0
                ? List.of()
                : Stream.of(ClientMessage.class.getPermittedSubclasses())
                        .map(c -> ClientMessage.typeName(c.asSubclass(ClientMessage.class)))
                        .toList();
    }

    private static ServerEvent instantiate(Class<? extends ServerEvent> type) {
        try {
            RecordComponent[] rc = type.getRecordComponents();
            Class<?>[] types = Stream.of(rc).map(RecordComponent::getType).toArray(Class<?>[]::new);
            Object[] args = Stream.of(types).map(ProtocolDocs::zero).toArray();
            return type.getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object zero(Class<?> t) {
        if (t == int.class) {
            return 0;
        }
        if (t == long.class) {
            return 0L;
        }
        if (t == boolean.class) {
            return false;
        }
        return null;
    }

    /**
     * The rows of the table in protocol.md whose header row is {@code header}, up to the first line that is no
     * table row: each row's cells, trimmed, with the backticks of the first cell removed.
     */
    static List<List<String>> table(String header) {
        List<String> lines = protocolText().lines().toList();
        int at = lines.indexOf(header);
        if (at < 0) {
            throw new IllegalStateException("docs/protocol.md has no table headed " + header);
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String line = lines.get(i);
            List<String> cells = new ArrayList<>(
                    Stream.of(line.substring(1, line.length() - 1).split("\\|"))
                            .map(String::strip)
                            .toList());
            cells.set(0, cells.getFirst().replace("`", ""));
            rows.add(cells);
        }
        return rows;
    }

    static String protocolText() {
        try {
            return Files.readString(DOCS.resolve("protocol.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
