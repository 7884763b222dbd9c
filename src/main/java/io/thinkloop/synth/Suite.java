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
import java.util.Locale;
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

    public record Header(
            String type,
            int suiteVersion,
            String name,
            String domain,
            long seed,
            SynthTask.Env env,
            int tasks,
            Map<Integer, Integer> tasksByDifficulty,
            String generator) {}

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
                    throw new IOException(
                            where + ": the first line must be the suite header (type suite, suiteVersion)");
                }
                if (node.get("suiteVersion").asInt() != SUITE_VERSION) {
                    throw new IOException(where + ": suiteVersion " + node.get("suiteVersion") + " is not supported ("
                            + SUITE_VERSION + ")");
                }
                header = read(node, Header.class, where + ":1");
                checkHeader(header, where);
                continue;
            }
            SynthTask t = read(node, SynthTask.class, where + ":" + lineNo);
            if (t.id() == null
                    || t.domain() == null
                    || t.spec() == null
                    || t.env() == null
                    || t.env().server() == null
                    || t.prompt() == null) {
                throw new IOException(
                        where + ":" + lineNo + ": a task needs id, domain, env (server), prompt and spec");
            }
            if (!t.domain().equals(header.domain()) || !t.env().equals(header.env())) {
                throw new IOException(where + ":" + lineNo + ": task " + t.id() + " is of domain " + t.domain() + " on "
                        + t.env().serverSpec() + " but the suite header says " + header.domain() + " on "
                        + header.env().serverSpec());
            }
            tasks.add(t);
        }
        if (header == null) {
            throw new IOException(where + ": empty suite");
        }
        if (tasks.isEmpty()) {
            throw new IOException(where + ": the suite has no tasks (only a header)");
        }
        if (header.tasks() != tasks.size()) {
            throw new IOException(where + ": the header says " + header.tasks() + " tasks but the file has "
                    + tasks.size() + " (truncated or edited?)");
        }
        return new Suite(header, tasks);
    }

    /**
     * What a header must hold before anything runs: a name, a known domain and its tool-server environment
     * ({@code env.server} and its options, the {@code thinkloop.tools.servers} entry the service must serve).
     */
    private static void checkHeader(Header h, String where) throws IOException {
        List<String> missing = new ArrayList<>();
        if (h.name() == null || h.name().isBlank()) {
            missing.add("name");
        }
        if (h.domain() == null || h.domain().isBlank()) {
            missing.add("domain");
        }
        if (h.env() == null || h.env().server() == null || h.env().server().isBlank()) {
            missing.add("env (server and options)");
        }
        if (!missing.isEmpty()) {
            throw new IOException(where + ": the suite header lacks " + String.join(", ", missing)
                    + " (see docs/bench.md, or write one with ./thinkloop synth)");
        }
        if (!Domains.NAMES.contains(h.domain())) {
            throw new IOException(
                    where + ": unknown domain '" + h.domain() + "' in the suite header; known: " + Domains.NAMES);
        }
    }

    private static <T> T read(JsonNode node, Class<T> type, String where) throws IOException {
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (IOException | IllegalArgumentException e) {
            String m = e.getMessage() == null
                    ? e.toString()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new IOException(where + ": not a " + type.getSimpleName().toLowerCase(Locale.ROOT) + " line: " + m);
        }
    }

    /**
     * The names of the tools the suite's tasks use, as its tool server serves them: the service under test must
     * offer all of them (the bench checks before its first trial).
     */
    public List<String> toolNames() {
        return tasks.get(0).environment().tools().stream()
                .map(t -> t.spec().name())
                .sorted()
                .toList();
    }
}
