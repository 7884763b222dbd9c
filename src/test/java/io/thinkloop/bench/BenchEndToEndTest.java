package io.thinkloop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.thinkloop.cli.ThinkloopCli;
import io.thinkloop.json.Json;
import io.thinkloop.synth.Suite;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.TestTemp;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./thinkloop bench} end to end: the real command class over real WebSockets against the service, the
 * pinned suite's tools served in process, and a model double that solves through the tools (or answers wrongly).
 * The reported figures are compared with values computed by hand from the suite's reference runs.
 */
@QuarkusTest
@TestProfile(BenchTestProfile.class)
class BenchEndToEndTest {
    static final String SUITE = "classpath:trip-smoke-v1.jsonl";
    static Suite suite;

    @TestHTTPResource("/")
    URI base;

    @Inject
    BenchSolverBackend backend;

    @BeforeAll
    static void load() throws Exception {
        suite = Suite.load(SUITE);
    }

    private String url() {
        return "http://" + base.getHost() + ":" + base.getPort();
    }

    private int bench(Path out, int k, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "bench",
                "--url",
                url(),
                "--suite",
                SUITE,
                "--trials",
                Integer.toString(k),
                "--out",
                out.toString(),
                "--concurrency",
                "6",
                "--deadline",
                "60",
                "--api-key",
                BenchTestProfile.KEY));
        args.addAll(List.of(extra));
        return ThinkloopCli.execute(args.toArray(String[]::new));
    }

    private static JsonNode results(Path out) throws Exception {
        return Json.MAPPER.readTree(Files.readString(out.resolve("results.json")));
    }

    /** Hand-computed: every trial's tool calls and model generations follow from the reference run. */
    private static int refCalls() {
        return suite.tasks().stream().mapToInt(t -> t.reference().toolCalls()).sum();
    }

    private static int refGenerations() {
        // one generation per batch of calls, the submit included, then one final answer
        return suite.tasks().stream().mapToInt(t -> t.reference().steps() + 1).sum();
    }

    @Test
    void solverPassesEveryTaskAndTheFiguresMatchTheReferenceRuns() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.SOLVE;
        Path out = TestTemp.dir("bench-solve");
        int k = 2;
        assertEquals(0, bench(out, k));
        JsonNode r = results(out);
        JsonNode s = r.get("scores");
        int n = suite.tasks().size();
        assertEquals(30, n);
        assertEquals(n * k, s.get("trials").asInt());
        assertEquals(0, r.get("pendingTrials").asInt());
        assertEquals(1.0, s.get("passAt1").asDouble());
        assertEquals(1.0, s.get("passHatK").get("1").asDouble());
        assertEquals(1.0, s.get("passHatK").get("2").asDouble());
        assertEquals(1.0, s.get("averageReward").asDouble());
        assertEquals(k * refCalls(), s.get("toolCalls").asInt());
        assertEquals(0, s.get("toolErrors").asInt());
        int gens = k * refGenerations();
        assertEquals(gens, s.get("steps").asInt());
        assertEquals(
                (long) gens * BenchSolverBackend.REASONING_TOKENS,
                s.get("reasoningTokens").asLong());
        assertEquals(
                (long) gens * (BenchSolverBackend.COMPLETION_TOKENS - BenchSolverBackend.REASONING_TOKENS),
                s.get("answerTokens").asLong());
        assertEquals(
                (long) gens * BenchSolverBackend.PROMPT_TOKENS,
                s.get("promptTokens").asLong());
        assertEquals(Map.of("stop", n * k), Json.MAPPER.convertValue(s.get("terminations"), Map.class));
        assertEquals(3, s.get("successByDifficulty").size());
        s.get("successByDifficulty").forEach(v -> assertEquals(1.0, v.asDouble()));
        assertTrue(r.get("timing").get("latencyP95Ms").asLong()
                >= r.get("timing").get("latencyP50Ms").asLong());
        assertTrue(
                r.get("timing").path("ttftP50Ms").isIntegralNumber(),
                "time to first token measured: " + r.get("timing"));
        // trials, rollouts and the report
        assertEquals(n * k, Files.readAllLines(out.resolve("trials.jsonl")).size());
        List<String> groups = Files.readAllLines(out.resolve("rollouts.jsonl"));
        assertEquals(n, groups.size());
        JsonNode g = Json.MAPPER.readTree(groups.getFirst());
        assertEquals(k, g.get("samples").size());
        assertEquals(0.0, g.get("samples").get(0).get("advantage").asDouble());
        assertTrue(g.get("samples").get(0).get("messages").size() > 3, "rollout carries the conversation");
        // rollouts carry the backend's token ids and logprobs, in order, per generation
        Map<String, Integer> stepsBySession = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("trials.jsonl"))) {
            JsonNode t = Json.MAPPER.readTree(line);
            stepsBySession.put(t.get("sessionId").asText(), t.get("steps").asInt());
        }
        for (String line : groups) {
            for (JsonNode sample : Json.MAPPER.readTree(line).get("samples")) {
                JsonNode gensOfSample = sample.get("generations");
                assertEquals(
                        stepsBySession.get(sample.get("sessionId").asText()).intValue(),
                        gensOfSample.size(),
                        "one token record per generation");
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < gensOfSample.size(); i++) {
                    JsonNode gen = gensOfSample.get(i);
                    assertEquals(i, gen.get("step").asInt());
                    StringBuilder text = new StringBuilder();
                    gen.get("tokenIds").forEach(id -> text.append((char) id.asInt()));
                    assertTrue(
                            text.toString().contains("</think>")
                                    && text.toString().endsWith("<｜end▁of▁sentence｜>"),
                            "the ids of a generation are its whole completion: " + text);
                    all.append(text);
                }
                assertTrue(all.toString().contains("submit_result"));
                JsonNode ids = sample.get("tokenIds");
                JsonNode logprobs = sample.get("logprobs");
                assertEquals(all.length(), ids.size(), "tokenIds: every generation's ids, in order");
                assertEquals(ids.size(), logprobs.size());
                for (int j = 0; j < ids.size(); j++) {
                    assertEquals(all.charAt(j), ids.get(j).asInt());
                    assertEquals(
                            BenchSolverBackend.logprob(ids.get(j).asInt()),
                            logprobs.get(j).floatValue(),
                            "logprob of token " + j);
                }
            }
        }
        JsonNode run = results(out).get("run");
        assertEquals(BenchSolverBackend.ID, run.get("backend").asText(), "the backend agent turns used, as reported");
        assertTrue(run.get("untrained").isNull(), "untrained is only known for the embedded engine");
        assertEquals(0.0, run.get("temperature").asDouble());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("pass^k") && html.contains("latency histogram"));
        assertTrue(html.contains("<dt>backend</dt><dd>" + BenchSolverBackend.ID) && html.contains("greedy"), html);
        assertTrue(html.contains("95% CI (Wilson)") && !html.contains("id=\"untrained\""));
        assertTrue(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external assets");
    }

    @Test
    void wrongAnswersFailEveryTask() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.WRONG;
        Path out = TestTemp.dir("bench-wrong");
        assertEquals(0, bench(out, 1));
        JsonNode s = results(out).get("scores");
        assertEquals(30, s.get("trials").asInt());
        assertEquals(0, s.get("passedTrials").asInt());
        assertEquals(0.0, s.get("passAt1").asDouble());
        assertEquals(0.0, s.get("averageReward").asDouble());
        assertEquals(refCalls(), s.get("toolCalls").asInt());
        assertEquals(refGenerations(), s.get("steps").asInt());
        for (String line : Files.readAllLines(out.resolve("trials.jsonl"))) {
            JsonNode t = Json.MAPPER.readTree(line);
            assertTrue(t.get("failures").size() > 0, "a failed trial says why: " + t.get("taskId"));
        }
    }

    @Test
    void aSubmissionTheToolRefusesScoresZeroEvenWhenItsPlanIsRight() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.REJECTED;
        Path out = Files.createTempDirectory("bench-rejected");
        assertEquals(0, bench(out, 1));
        JsonNode s = results(out).get("scores");
        assertEquals(30, s.get("trials").asInt());
        assertEquals(0, s.get("passedTrials").asInt());
        assertEquals(0.0, s.get("averageReward").asDouble());
        for (String line : Files.readAllLines(out.resolve("trials.jsonl"))) {
            JsonNode t = Json.MAPPER.readTree(line);
            assertEquals(
                    1, t.get("toolErrors").asInt(), "the refused submit_result is the trial's one tool error: " + line);
            assertEquals(
                    "no plan submitted (submit_result with days)",
                    t.get("failures").get(0).asText(),
                    line);
        }
    }

    @Test
    void interruptedAndResumedRunEqualsAnUninterruptedOne() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.MIXED;
        int k = 3;
        Path full = TestTemp.dir("bench-full");
        assertEquals(0, bench(full, k));
        Path resumed = TestTemp.dir("bench-resumed");
        assertEquals(0, bench(resumed, k, "--stop-after", "17"));
        JsonNode partial = results(resumed);
        assertEquals(17, partial.get("scores").get("trials").asInt());
        assertEquals(30 * k - 17, partial.get("pendingTrials").asInt());
        // a kill can tear the last line: the resumed run must skip it and redo that trial
        Files.writeString(resumed.resolve("trials.jsonl"), "{\"taskId\":\"trip-smoke-v1-0", StandardOpenOption.APPEND);
        assertEquals(0, bench(resumed, k));
        JsonNode a = results(full);
        JsonNode b = results(resumed);
        assertEquals(a.get("scores"), b.get("scores"));
        assertEquals(0, b.get("pendingTrials").asInt());
        // and both equal the hand-computed figures: tasks 3, 6, ..., 30 fail, each after one failing tool call
        List<SynthTask> failing = suite.tasks().stream()
                .filter(t -> BenchSolverBackend.failsInMixed(t.id()))
                .toList();
        assertEquals(10, failing.size());
        JsonNode s = a.get("scores");
        assertEquals(20.0 / 30, s.get("passAt1").asDouble(), 1e-6);
        for (int j = 1; j <= k; j++) {
            assertEquals(20.0 / 30, s.get("passHatK").get(Integer.toString(j)).asDouble(), 1e-6);
        }
        assertEquals(k * 10, s.get("toolErrors").asInt());
        assertEquals(k * (refCalls() + 10), s.get("toolCalls").asInt());
        assertEquals(k * (refGenerations() + 10), s.get("steps").asInt());
        Map<Integer, int[]> byDifficulty = new TreeMap<>();
        suite.tasks().forEach(t -> {
            int[] c = byDifficulty.computeIfAbsent(t.difficulty(), x -> new int[2]);
            c[0] += BenchSolverBackend.failsInMixed(t.id()) ? 0 : 1;
            c[1]++;
        });
        byDifficulty.forEach((d, c) -> assertEquals(
                (double) c[0] / c[1],
                s.get("successByDifficulty").get(d.toString()).asDouble(),
                1e-6));
        // rollouts: a failing task's group has reward 0 everywhere, so advantage 0; mixed groups do not occur per task
        assertEquals(
                30 * k,
                Files.readAllLines(resumed.resolve("trials.jsonl")).stream()
                        .filter(l -> l.endsWith("}"))
                        .count());
    }

    @Test
    void backendFailuresAreRequeuedNotScored() throws Exception {
        BenchSolverBackend.FAILED_ONCE.clear();
        BenchSolverBackend.mode = BenchSolverBackend.Mode.FLAKY;
        Path out = TestTemp.dir("bench-flaky");
        assertEquals(0, bench(out, 1, "--retries", "3"));
        JsonNode r = results(out);
        assertEquals(30, r.get("infraErrorsThisRun").asInt());
        assertEquals(30, r.get("scores").get("trials").asInt());
        assertEquals(1.0, r.get("scores").get("passAt1").asDouble());
        assertEquals(refCalls(), r.get("scores").get("toolCalls").asInt());
        assertEquals(30, Files.readAllLines(out.resolve("trials.jsonl")).size());
    }

    @Test
    void stepCapCancelsTheTurnAndDoesNotScoreLaterSubmissions() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.SOLVE;
        Path out = TestTemp.dir("bench-capped");
        // every pinned task needs at least three generations before it submits
        assertTrue(suite.tasks().stream().allMatch(t -> t.reference().steps() >= 3));
        assertEquals(0, bench(out, 1, "--max-steps", "2"));
        JsonNode s = results(out).get("scores");
        assertEquals(Map.of("step_cap", 30), Json.MAPPER.convertValue(s.get("terminations"), Map.class));
        assertEquals(0.0, s.get("passAt1").asDouble());
    }

    /** The sum of a Prometheus metric's samples whose line contains every label given (e.g. {@code tool="x"}). */
    private double metric(String name, String... labels) throws Exception {
        String text = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(url() + "/q/metrics"))
                                .header("Authorization", "Bearer " + BenchTestProfile.KEY)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        for (String line : text.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                boolean all = true;
                for (String l : labels) {
                    all &= line.contains(l);
                }
                if (all) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return sum;
    }

    @Test
    void theServiceMetricsCountTheTurnsGenerationsToolCallsAndTokensOfARun() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.SOLVE;
        double turns = metric("thinkloop_turns_total", "finish_reason=\"stop\"");
        double submits =
                metric("thinkloop_tool_calls_total", "tool=\"submit_result\"", "source=\"server:trip-planning\"");
        double generations = metric("thinkloop_generations_total");
        double prompt = metric("thinkloop_tokens_total", "kind=\"prompt\"");
        double reasoning = metric("thinkloop_tokens_total", "kind=\"reasoning\"");
        double toolTimings = metric("thinkloop_tool_call_duration_seconds_count");
        double ttft = metric("thinkloop_generation_ttft_seconds_count");
        double appends = metric("thinkloop_journal_append_seconds_count");
        Path out = Files.createTempDirectory("bench-metrics");
        assertEquals(0, bench(out, 1, "--stop-after", "2", "--concurrency", "1"));
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("trials.jsonl"))) {
            ids.add(Json.MAPPER.readTree(line).get("taskId").asText());
        }
        List<SynthTask> ran =
                suite.tasks().stream().filter(t -> ids.contains(t.id())).toList();
        assertEquals(2, ran.size());
        int gens = ran.stream().mapToInt(t -> t.reference().steps() + 1).sum();
        int calls = ran.stream().mapToInt(t -> t.reference().toolCalls()).sum();
        assertEquals(2, metric("thinkloop_turns_total", "finish_reason=\"stop\"") - turns);
        assertEquals(
                2,
                metric("thinkloop_tool_calls_total", "tool=\"submit_result\"", "source=\"server:trip-planning\"")
                        - submits);
        assertEquals(gens, metric("thinkloop_generations_total") - generations);
        assertEquals(
                (double) gens * BenchSolverBackend.PROMPT_TOKENS,
                metric("thinkloop_tokens_total", "kind=\"prompt\"") - prompt);
        assertEquals(
                (double) gens * BenchSolverBackend.REASONING_TOKENS,
                metric("thinkloop_tokens_total", "kind=\"reasoning\"") - reasoning);
        assertEquals(calls, metric("thinkloop_tool_call_duration_seconds_count") - toolTimings);
        assertEquals(gens, metric("thinkloop_generation_ttft_seconds_count") - ttft, "one first output per generation");
        assertTrue(metric("thinkloop_journal_append_seconds_count") - appends > gens, "every event's append is timed");
        assertTrue(metric("thinkloop_turn_duration_seconds_sum", "finish_reason=\"stop\"") > 0);
        assertTrue(metric("thinkloop_sessions_active") >= 2);
        assertEquals(0, metric("thinkloop_turns_active"));
    }

    @Test
    void aRejectedKeyFailsBeforeTheFirstTrialWithOneLine() throws Exception {
        Path out = TestTemp.dir("bench-badkey").resolve("run");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = ThinkloopCli.execute(
                    "bench", "--url", url(), "--suite", SUITE, "--out", out.toString(), "--api-key", "wrong");
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(ThinkloopCli.EXIT_FAILED, rc);
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("rejected the API key (HTTP 401)"),
                err.toString(StandardCharsets.UTF_8));
        assertTrue(!Files.exists(out), "nothing written");
    }

    @Test
    void aSuiteForAToolServerTheServiceDoesNotServeFailsBeforeTheFirstTrial() throws Exception {
        Path out = TestTemp.dir("bench-retail").resolve("run");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = ThinkloopCli.execute(
                    "bench",
                    "--url",
                    url(),
                    "--suite",
                    "classpath:retail-smoke-v1.jsonl",
                    "--out",
                    out.toString(),
                    "--api-key",
                    BenchTestProfile.KEY);
        } finally {
            System.setErr(oldErr);
        }
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(ThinkloopCli.EXIT_FAILED, rc, e);
        assertTrue(
                e.contains("does not serve the suite's tool server retail?seed=42")
                        && e.contains("thinkloop.tools.servers=retail?seed=42"),
                e);
        assertTrue(!Files.exists(out), "nothing written");
    }

    @Test
    void restEndpointRunsABenchAgainstTheServiceItself() throws Exception {
        BenchSolverBackend.mode = BenchSolverBackend.Mode.SOLVE;
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> started = http.send(
                HttpRequest.newBuilder(URI.create(url() + "/v1/bench/runs"))
                        .header("Authorization", "Bearer " + BenchTestProfile.KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"suite\":\"" + SUITE + "\",\"trials\":1,\"concurrency\":4}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        String id = Json.MAPPER.readTree(started.body()).get("id").asText();
        JsonNode state = Await.until(
                "the bench run finished",
                Duration.ofSeconds(120),
                () -> Json.MAPPER.readTree(http.send(
                                HttpRequest.newBuilder(URI.create(url() + "/v1/bench/runs/" + id))
                                        .header("Authorization", "Bearer " + BenchTestProfile.KEY)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body()),
                st -> !"running".equals(st.get("status").asText()));
        assertEquals("completed", state.get("status").asText(), state.toString());
        assertEquals(1.0, state.get("summary").get("scores").get("passAt1").asDouble());
        assertTrue(Files.exists(Path.of(state.get("out").asText(), "report.html")));
        HttpResponse<String> bad = http.send(
                HttpRequest.newBuilder(URI.create(url() + "/v1/bench/runs"))
                        .header("Authorization", "Bearer " + BenchTestProfile.KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"suite\":\"/no/such/suite.jsonl\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode());
    }

    /**
     * Against the embedded default model: runs when a backend with id {@code thinkloop.bench.test.delegate}
     * (default {@code embedded}) is in the service, whatever the score; that backend must be there.
     */
    @Test
    void runsAgainstTheEmbeddedModelAndWritesTheReport() throws Exception {
        BenchSolverBackend.delegateId = System.getProperty("thinkloop.bench.test.delegate", "embedded");
        assertTrue(backend.hasDelegate(), "no '" + BenchSolverBackend.delegateId + "' model backend in the service");
        BenchSolverBackend.mode = BenchSolverBackend.Mode.DELEGATE;
        try {
            Path out = TestTemp.dir("bench-embedded");
            assertEquals(
                    0,
                    bench(
                            out,
                            1,
                            "--stop-after",
                            "1",
                            "--deadline",
                            "180",
                            "--concurrency",
                            "1",
                            "--retries",
                            "1",
                            "--max-steps",
                            "4"));
            assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
            assertEquals(
                    1, results(out).get("scores").get("trials").asInt(), "--stop-after 1 scored exactly one trial");
        } finally {
            BenchSolverBackend.mode = BenchSolverBackend.Mode.SOLVE;
        }
    }
}
