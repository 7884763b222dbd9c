package io.thinkloop.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.thinkloop.json.Json;
import io.thinkloop.session.ServerEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A native image sees only the reflection it was told about, and Jackson reads records, enums and annotated types
 * by reflection: a record the service serialises but the registration misses would build fine and then fail at
 * run time, in the native executable only. So the registration (reflect-config.json, which native-image reads from
 * META-INF/native-image of the jar) is checked here against the compiled classes: every record, every enum and
 * every type carrying a Jackson annotation in {@code io.thinkloop} and the tool servers ({@code mcptools}) must be
 * in it, and nothing that no longer exists. Over-approximating (an engine record Jackson never sees) costs a
 * little image size; missing one costs a broken endpoint. To regenerate after adding types:
 * {@code mvn -o -q test -Dtest=NativeImageRegistrationTest -Dthinkloop.native.write-registration=true}.
 */
class NativeImageRegistrationTest {
    static final String RESOURCE = "META-INF/native-image/io.thinkloop/thinkloop/reflect-config.json";
    static final Path SOURCE = Path.of("src/main/resources", RESOURCE);

    static Set<String> typesJacksonMayReflectOn() {
        Set<String> names = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.thinkloop", "mcptools")) {
            if (c.isAnonymousClass() || c.isLocalClass() || c.getName().contains("$$")) {
                continue;
            }
            boolean jacksonAnnotated = c.getAnnotations().stream().anyMatch(NativeImageRegistrationTest::isJackson)
                    || c.getAllMembers().stream()
                            .anyMatch(m -> m.getOwner().equals(c)
                                    && m.getAnnotations().stream().anyMatch(NativeImageRegistrationTest::isJackson));
            if (c.isRecord() || c.isEnum() || jacksonAnnotated) {
                names.add(c.getName());
            }
        }
        return names;
    }

    private static boolean isJackson(JavaAnnotation<?> a) {
        return a.getRawType().getPackageName().startsWith("com.fasterxml.jackson");
    }

    static Set<String> registered() throws IOException {
        try (InputStream in = NativeImageRegistrationTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is not on the class path");
            Set<String> names = new TreeSet<>();
            for (JsonNode entry : Json.MAPPER.readTree(in)) {
                names.add(entry.path("name").asText());
            }
            return names;
        }
    }

    @Test
    void everyRecordEnumAndJacksonAnnotatedTypeIsRegisteredForReflection() throws IOException {
        Set<String> expected = typesJacksonMayReflectOn();
        if (Boolean.getBoolean("thinkloop.native.write-registration")) {
            write(expected);
        }
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(registered());
        assertTrue(
                missing.isEmpty(),
                "not registered for reflection in " + SOURCE + " (a native image could not "
                        + "serialise them; regenerate as NativeImageRegistrationTest's Javadoc says): " + missing);
    }

    @Test
    void theRegistrationNamesNoClassThatIsGone() throws IOException {
        List<String> gone = new ArrayList<>();
        for (String name : registered()) {
            try {
                Class.forName(name, false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                gone.add(name);
            }
        }
        assertEquals(List.of(), gone, "registered in " + SOURCE + " but no longer compiled");
    }

    @Test
    void theProtocolsEventRecordsAreAmongTheRegistered() throws IOException {
        Set<String> registered = registered();
        for (Class<? extends ServerEvent> event : ServerEvent.ALL) {
            assertTrue(registered.contains(event.getName()), event.getName());
        }
    }

    private static void write(Set<String> names) throws IOException {
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (String name : names) {
            ObjectNode e = all.addObject();
            e.put("name", name);
            e.put("allDeclaredConstructors", true);
            e.put("allPublicConstructors", true);
            e.put("allDeclaredMethods", true);
            e.put("allPublicMethods", true);
            e.put("allDeclaredFields", true);
            e.put("allPublicFields", true);
        }
        Files.createDirectories(SOURCE.getParent());
        Files.writeString(SOURCE, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(all) + "\n");
    }
}
