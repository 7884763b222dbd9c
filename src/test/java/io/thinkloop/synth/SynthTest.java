package io.thinkloop.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.cli.ThinkloopCli;
import io.thinkloop.json.Json;
import io.thinkloop.testkit.TestTemp;
import io.thinkloop.tools.InProcessToolServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Task synthesis: the pinned suite regenerates byte for byte, verifiers accept right answers and reject wrong ones. */
class SynthTest {
    static Suite pinned;

    @BeforeAll
    static void load() throws Exception {
        pinned = Suite.load("classpath:trip-smoke-v1.jsonl");
    }

    @Test
    void pinnedSuiteRegeneratesByteIdentical() throws Exception {
        Synthesizer.Result r = Synthesizer.synthesize("trip-smoke-v1", "trip-planning", 1, 42, 10);
        String pinnedText;
        try (var in = SynthTest.class.getClassLoader().getResourceAsStream("suites/trip-smoke-v1.jsonl")) {
            pinnedText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(pinnedText, r.suite().toJsonl());
        assertEquals(30, r.stats().kept());
        assertEquals(0, r.stats().checksFailed());
        assertEquals(
                List.of(10, 10, 10), List.copyOf(r.stats().keptByDifficulty().values()));
        // another seed gives another suite
        assertFalse(Synthesizer.synthesize("trip-smoke-v1", "trip-planning", 2, 42, 10)
                .suite()
                .toJsonl()
                .equals(pinnedText));
    }

    @Test
    void pinnedRetailSuiteRegeneratesByteIdentical() throws Exception {
        try (var in = SynthTest.class.getClassLoader().getResourceAsStream("suites/retail-smoke-v1.jsonl")) {
            assertEquals(
                    new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    Synthesizer.synthesize("retail-smoke-v1", "retail", 1, 42, 4)
                            .suite()
                            .toJsonl());
        }
    }

    @Test
    void suiteHeaderIsVersionedAndSeeded() {
        assertEquals("suite", pinned.header().type());
        assertEquals(Suite.SUITE_VERSION, pinned.header().suiteVersion());
        assertEquals(1, pinned.header().seed());
        assertEquals("trip-planning?seed=42&size=small", pinned.header().env().serverSpec());
    }

    @Test
    void referenceSolutionsThroughTheToolsPassTheVerifier() {
        for (SynthTask t : pinned.tasks()) {
            TaskEnvironment env = t.environment();
            DirectInvoker tools = new DirectInvoker(env.tools());
            JsonNode answer = env.solve(t.spec(), tools);
            assertEquals(t.reference().submission(), answer, t.id());
            Verdict v = t.verify(answer);
            assertTrue(v.passed(), t.id() + ": " + v.failures());
            assertEquals(1.0, v.reward());
            assertTrue(v.checks() > 10, "checked " + v.checks());
        }
    }

    @Test
    void perturbedAnswersFailWithReasons() {
        for (SynthTask t : pinned.tasks()) {
            List<TaskEnvironment.Perturbation> wrong =
                    t.environment().perturb(t.spec(), t.reference().submission(), new Random(7));
            assertTrue(wrong.size() >= 3);
            for (TaskEnvironment.Perturbation p : wrong) {
                Verdict v = t.verify(p.submission());
                assertFalse(v.passed(), t.id() + " accepted wrong answer: " + p.label());
                assertEquals(0.0, v.reward());
            }
        }
    }

    private static SynthTask task(int difficulty) {
        return pinned.tasks().stream()
                .filter(t -> t.difficulty() == difficulty)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void handMadeWrongAnswersNameTheBrokenConstraint() {
        SynthTask t = task(1);
        ObjectNode ok = t.reference().submission().deepCopy();
        // nothing submitted
        assertEquals(
                List.of("no plan submitted (submit_result with days)"),
                t.verify(null).failures());
        // a hotel name that does not exist
        ObjectNode badHotel = ok.deepCopy();
        ((ObjectNode) badHotel.get("days").get(0)).put("hotel", "Grand Imaginary");
        assertTrue(t.verify(badHotel).failures().stream().anyMatch(f -> f.contains("Grand Imaginary")));
        // the same restaurant for lunch on both days
        ObjectNode repeat = ok.deepCopy();
        String lunch =
                repeat.get("days").get(0).get("meals").get(0).get("restaurant").asText();
        ((ObjectNode) repeat.get("days").get(1).get("meals").get(0)).put("restaurant", lunch);
        assertTrue(
                t.verify(repeat).failures().stream().anyMatch(f -> f.contains("repeated")),
                t.verify(repeat).failures().toString());
        // names match regardless of case and spacing, as the tools do
        ObjectNode spaced = ok.deepCopy();
        ((ObjectNode) spaced.get("days").get(0))
                .put("hotel", "  " + ok.get("days").get(0).get("hotel").asText().toUpperCase() + " ");
        assertTrue(t.verify(spaced).passed(), t.verify(spaced).failures().toString());

        // level 3: the inter-city leg must be a real departure under the price cap
        SynthTask hard = task(3);
        ObjectNode plan = hard.reference().submission().deepCopy();
        JsonNode legDay = null;
        for (JsonNode d : plan.get("days")) {
            if (!d.get("transport").isEmpty()) {
                legDay = d;
            }
        }
        ObjectNode leg = (ObjectNode) legDay.get("transport").get(0);
        leg.put("service", "X0000");
        assertTrue(hard.verify(plan).failures().stream().anyMatch(f -> f.contains("X0000")));
        // an extra leg on a day without travel
        ObjectNode extra = hard.reference().submission().deepCopy();
        ((ArrayNode) extra.get("days").get(0).get("transport"))
                .add(hard.reference()
                        .submission()
                        .get("days")
                        .get(2)
                        .get("transport")
                        .get(0));
        assertTrue(hard.verify(extra).failures().stream().anyMatch(f -> f.contains("unexpected inter-city transport")));
    }

    @Test
    void retailVerifierAcceptsTheReferenceAndRejectsWrongAnswers() {
        Synthesizer.Result r = Synthesizer.synthesize("retail-t", "retail", 5, 42, 4);
        assertEquals(12, r.stats().kept());
        assertEquals(0, r.stats().checksFailed());
        for (SynthTask t : r.suite().tasks()) {
            assertTrue(t.verify(t.reference().submission()).passed(), t.id());
            ObjectNode wrong = t.reference().submission().deepCopy();
            wrong.put("order_id", "O9999");
            assertEquals(
                    List.of("order_id is \"O9999\", expected \""
                            + t.reference().submission().get("order_id").asText() + "\""),
                    t.verify(wrong).failures());
        }
        SynthTask hard = r.suite().tasks().getLast();
        assertEquals(3, hard.difficulty());
        assertTrue(hard.reference().submission().has("replacement_product_id"));
        assertTrue(
                hard.reference().toolCalls() > 5,
                "level 3 looks products up: " + hard.reference().toolCalls());
    }

    @Test
    void retailIsAToolServerTooAndServerSpecsParse() {
        var def = InProcessToolServers.find("retail");
        assertEquals(6, def.tools(Map.of("seed", "42")).size());
        var e = InProcessToolServers.parse("trip-planning?seed=42&size=small");
        assertEquals("trip-planning", e.name());
        assertEquals(Map.of("seed", "42", "size", "small"), e.options());
        assertEquals(15, InProcessToolServers.find(e.name()).tools(e.options()).size());
    }

    @Test
    void synthCommandPrintsValidationStatistics() throws Exception {
        Path out = TestTemp.dir("synth-cmd").resolve("s.jsonl");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = ThinkloopCli.execute(
                    "synth", "--domain", "retail", "--seed", "9", "--per-difficulty", "2", "--out", out.toString());
        } finally {
            System.setOut(old);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, printed);
        assertTrue(printed.matches("(?s).*generated \\d+, kept 6 .*verifier checks passed \\d+, failed 0.*"), printed);
        Suite s = Suite.load(out.toString());
        assertEquals(6, s.tasks().size());
        assertEquals(
                Json.MAPPER
                        .readTree(Files.readAllLines(out).getFirst())
                        .get("suiteVersion")
                        .asInt(),
                1);
        assertEquals(2, ThinkloopCli.execute("synth", "--domain", "nope", "--out", out.toString()));
    }
}
