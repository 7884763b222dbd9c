package io.thinkloop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.cli.ThinkloopCli;
import io.thinkloop.json.Json;
import io.thinkloop.synth.Suite;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.testkit.TestTemp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's figures on hand-made trials, and its behaviour when the service is unreachable. */
class MetricsTest {
    private static TrialResult trial(String task, int i, int difficulty, boolean passed, long latency) {
        return new TrialResult(
                task,
                i,
                1,
                difficulty,
                "s",
                passed,
                passed ? 1 : 0,
                passed ? List.of() : List.of("x"),
                null,
                4,
                passed ? 0 : 1,
                3,
                30,
                12,
                2,
                5,
                latency,
                passed ? "stop" : "max_steps",
                null);
    }

    @Test
    void passHatKIsTheChanceThatAllKDrawnTrialsPass() {
        assertEquals(1.0 / 6, Metrics.passHatK(4, 2, 2), 1e-12); // C(2,2)/C(4,2)
        assertEquals(0.5, Metrics.passHatK(4, 2, 1), 1e-12);
        assertEquals(0.0, Metrics.passHatK(4, 2, 3), 1e-12);
        assertEquals(0.4, Metrics.passHatK(5, 4, 3), 1e-12); // C(4,3)/C(5,3) = 4/10
        assertEquals(5.0 / 6, Metrics.passAtK(4, 2, 2), 1e-12); // 1 - C(2,2)/C(4,2)
    }

    @Test
    void summaryOfHandMadeTrials() throws Exception {
        List<SynthTask> tasks =
                Suite.load("classpath:trip-smoke-v1.jsonl").tasks().subList(0, 3);
        List<TrialResult> trials = new ArrayList<>();
        // task A: 4/4, task B: 2/4, task C: 0/4
        for (int i = 0; i < 4; i++) {
            trials.add(trial(tasks.get(0).id(), i, 1, true, 100 + i));
            trials.add(trial(tasks.get(1).id(), i, 2, i < 2, 200 + i));
            trials.add(trial(tasks.get(2).id(), i, 3, false, 300 + i));
        }
        Metrics.Summary s = Metrics.summarize("t", 1, tasks, 4, trials);
        Metrics.Scores sc = s.scores();
        assertEquals(0.5, sc.passAt1(), 1e-6); // (1 + 0.5 + 0) / 3
        assertEquals((1 + 1.0 / 6) / 3, sc.passHatK().get(2), 1e-6);
        assertEquals((1 + 0.0) / 3, sc.passHatK().get(3), 1e-6);
        assertEquals(1.0 / 3, sc.passHatK().get(4), 1e-6);
        assertEquals((1 + 5.0 / 6) / 3, sc.passAtK().get(2), 1e-6);
        assertEquals(0.5, sc.averageReward(), 1e-6);
        assertEquals(48, sc.toolCalls());
        assertEquals(6, sc.toolErrors());
        assertEquals(12 * 2, sc.reasoningTokens());
        assertEquals(12 * 10, sc.answerTokens());
        assertEquals(Map.of("stop", 6, "max_steps", 6), sc.terminations());
        assertEquals(Map.of(1, 1.0, 2, 0.5, 3, 0.0), sc.successByDifficulty());
        assertEquals(
                new Metrics.LevelScore(4, 2, 0.5, Metrics.wilson(2, 4)),
                sc.levels().get(2));
        assertEquals(Metrics.wilson(6, 12), sc.trialPassRate());
        assertEquals(201, s.timing().latencyP50Ms()); // nearest rank 6 of 12
        assertEquals(303, s.timing().latencyP95Ms()); // nearest rank 12
        assertEquals(0, s.pendingTrials());
        // GRPO groups: advantage = reward - group mean
        var groups = Rollouts.groups(tasks, trials);
        assertEquals(0.5, groups.get(1).get("samples").get(0).get("advantage").asDouble());
        assertEquals(-0.5, groups.get(1).get("samples").get(3).get("advantage").asDouble());
        assertEquals(0.0, groups.get(0).get("samples").get(0).get("advantage").asDouble());
        // no token data from the backend: the token fields stay null
        var plain = groups.get(0).get("samples").get(0);
        assertTrue(plain.get("tokenIds").isNull()
                && plain.get("logprobs").isNull()
                && plain.get("generations").isNull());
    }

    @Test
    void unreachableServiceFailsBeforeTheFirstTrialAndWritesNothing() throws Exception {
        Path out = TestTemp.dir("bench-down").resolve("run");
        int rc = ThinkloopCli.execute(
                "bench",
                "--url",
                "http://127.0.0.1:9",
                "--suite",
                "classpath:trip-smoke-v1.jsonl",
                "--trials",
                "1",
                "--out",
                out.toString(),
                "--retries",
                "2",
                "--concurrency",
                "8");
        assertEquals(ThinkloopCli.EXIT_FAILED, rc);
        assertTrue(!Files.exists(out), "nothing written: " + out);
        assertEquals(
                2,
                ThinkloopCli.execute(
                        "bench",
                        "--url",
                        "ftp://x",
                        "--suite",
                        "classpath:trip-smoke-v1.jsonl",
                        "--out",
                        out.toString()));
        assertEquals(
                2,
                ThinkloopCli.execute(
                        "bench", "--url", "http://x", "--suite", "/no/such.jsonl", "--out", out.toString()));
    }

    @Test
    void wilsonIntervalsMatchTheTextbookValuesAndStayInsideZeroAndOne() {
        // Wilson 95% for 5/10 is [0.2366, 0.7634]; for 0/10 [0, 0.2775]; for 10/10 [0.7225, 1]
        assertEquals(0.2366, Metrics.wilson(5, 10).low(), 1e-4);
        assertEquals(0.7634, Metrics.wilson(5, 10).high(), 1e-4);
        assertEquals(0, Metrics.wilson(0, 10).low());
        assertEquals(0.2775, Metrics.wilson(0, 10).high(), 1e-4);
        assertEquals(0.7225, Metrics.wilson(10, 10).low(), 1e-4);
        assertEquals(1.0, Metrics.wilson(10, 10).high(), 1e-9);
        assertEquals(new Metrics.Interval(0, 1), Metrics.wilson(0, 0));
    }

    @Test
    void mcNemarIsTheExactTwoSidedBinomialOnDiscordantPairs() {
        assertEquals(2.0 / 64, Comparison.mcNemarExact(0, 6), 1e-12); // 2 * (1/2)^6
        assertEquals(2 * 11.0 / 1024, Comparison.mcNemarExact(1, 9), 1e-12); // 2 * (1 + 10) / 2^10
        assertEquals(1.0, Comparison.mcNemarExact(3, 3), 1e-12);
        assertEquals(1.0, Comparison.mcNemarExact(0, 0), 1e-12);
    }

    @Test
    void compareCommandPairsTrialsByTaskAndTrialAndReportsWhatChanged() throws Exception {
        List<SynthTask> tasks =
                Suite.load("classpath:trip-smoke-v1.jsonl").tasks().subList(0, 3);
        Path a = TestTemp.dir("bench-compare-a");
        Path b = TestTemp.dir("bench-compare-b");
        StringBuilder ta = new StringBuilder();
        StringBuilder tb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            // task 0: both pass; task 1: only B passes; task 2: both fail
            ta.append(Json.MAPPER.writeValueAsString(trial(tasks.get(0).id(), i, 1, true, 10)))
                    .append('\n');
            tb.append(Json.MAPPER.writeValueAsString(trial(tasks.get(0).id(), i, 1, true, 10)))
                    .append('\n');
            ta.append(Json.MAPPER.writeValueAsString(trial(tasks.get(1).id(), i, 2, false, 10)))
                    .append('\n');
            tb.append(Json.MAPPER.writeValueAsString(trial(tasks.get(1).id(), i, 2, true, 10)))
                    .append('\n');
            ta.append(Json.MAPPER.writeValueAsString(trial(tasks.get(2).id(), i, 3, false, 10)))
                    .append('\n');
            tb.append(Json.MAPPER.writeValueAsString(trial(tasks.get(2).id(), i, 3, false, 10)))
                    .append('\n');
        }
        Files.writeString(a.resolve(BenchRunner.TRIALS), ta);
        Files.writeString(b.resolve(BenchRunner.TRIALS), tb);

        Comparison c = Comparison.of(
                BenchRunner.readTrials(a.resolve(BenchRunner.TRIALS)),
                BenchRunner.readTrials(b.resolve(BenchRunner.TRIALS)));
        assertEquals(12, c.pairs());
        assertEquals(4, c.bothPassed());
        assertEquals(0, c.onlyA());
        assertEquals(4, c.onlyB());
        assertEquals(4, c.bothFailed());
        assertEquals(2.0 / 16, c.pValue(), 1e-9);
        assertEquals(
                List.of(tasks.get(1).id()),
                c.tasks().stream()
                        .filter(Comparison.TaskDelta::differs)
                        .map(Comparison.TaskDelta::taskId)
                        .toList());

        Path html = a.resolve("compare.html");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int rc;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            rc = ThinkloopCli.execute("bench", "compare", a.toString(), b.toString(), "--html", html.toString());
        } finally {
            System.setOut(old);
        }
        String text = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("only A 0, only B 4") && text.contains("McNemar exact p = 0.1250"), text);
        assertTrue(
                text.contains(tasks.get(1).id()) && !text.contains(tasks.get(2).id() + " "), text);
        assertTrue(Files.readString(html).contains("class=\"up\">+100%"));
        assertEquals(
                2,
                ThinkloopCli.execute(
                        "bench", "compare", a.toString(), a.resolve("none").toString()));
    }
}
