package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A task suite as JSONL: a header line ({@code "type": "suite"}, {@code suiteVersion}, name, domain, seeds,
 * environment, task count) then one {@link SynthTask} per line. Written with a fixed field order and no
 * timestamps, so the same seed gives a byte-identical file.
 */
public record Suite(Header header, List<SynthTask> tasks) {
    public static final int SUITE_VERSION = 1;
    /** Where the pinned suites live on the classpath; {@code classpath:NAME} on the command line. */
    public static final String RESOURCE_DIR = "suites/";

    public record Header(String type, int suiteVersion, String name, String domain, long seed, SynthTask.Env env,
                         int tasks, Map<Integer, Integer> tasksByDifficulty, String generator) {
    }

    public Suite {
        tasks = List.copyOf(tasks);
    }

    public String toJsonl() {
        StringBuilder b = new StringBuilder();
        try {
            b.append(Json.MAPPER.writeValueAsString(header)).append('\n');
            for (SynthTask t : tasks) {
                b.append(Json.MAPPER.writeValueAsString(t)).append('\n');
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write suite", e);
        }
        return b.toString();
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJsonl(), StandardCharsets.UTF_8);
    }

    /** Reads a suite from a file, or from the classpath with {@code classpath:trip-smoke-v1.jsonl}. */
    public static Suite load(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String name = RESOURCE_DIR + location.substring("classpath:".length());
            try (InputStream in = Suite.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("no suite " + name + " on the classpath");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), location);
            }
        }
        Path p = Path.of(location);
        if (!Files.isRegularFile(p)) {
            throw new IOException("suite file not found: " + p);
        }
        return parse(Files.readString(p, StandardCharsets.UTF_8), location);
    }

    public static Suite parse(String text, String where) throws IOException {
        Header header = null;
        List<SynthTask> tasks = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new IOException(where + ":" + lineNo + ": not JSON: " + e.getMessage());
            }
            if (lineNo == 1) {
                if (!"suite".equals(node.path("type").asText()) || !node.has("suiteVersion")) {
                    throw new IOException(where + ": the first line must be the suite header (type suite, suiteVersion)");
                }
                if (node.get("suiteVersion").asInt() != SUITE_VERSION) {
                    throw new IOException(where + ": suiteVersion " + node.get("suiteVersion") + " is not supported (" + SUITE_VERSION + ")");
                }
                header = Json.MAPPER.treeToValue(node, Header.class);
                continue;
            }
            SynthTask t = Json.MAPPER.treeToValue(node, SynthTask.class);
            if (t.id() == null || t.domain() == null || t.spec() == null || t.env() == null) {
                throw new IOException(where + ":" + lineNo + ": a task needs id, domain, env and spec");
            }
            tasks.add(t);
        }
        if (header == null) {
            throw new IOException(where + ": empty suite");
        }
        return new Suite(header, tasks);
    }

}
