package io.thinkloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.engine.Model;
import io.thinkloop.json.Json;
import io.thinkloop.train.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./thinkloop train sft} through the real picocli tree: bad input is one line and exit 2 with nothing
 * written; a tiny fresh model trains, writes metrics, report and an engine-loadable checkpoint, and resumes.
 */
class TrainSftCommandTest {
    private static final String[] TINY = {
        "--vocab", "64", "--hidden", "32", "--layers", "2", "--heads", "2", "--experts", "4", "--active-experts", "2",
        "--index-topk", "4", "--threads", "1", "--batch", "2", "--lr", "3e-3", "--warmup", "2", "--eval-every", "3"
    };

    @TempDir
    Path tmp;

    private Path dataFile(int maxId) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int s = 0; s < 12; s++) {
            int len = 10 + s % 5;
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("id", "ex-" + s);
            n.put("split", s < 10 ? "train" : "eval");
            n.put("dbSeed", s);
            var tokens = n.putArray("tokens");
            var weights = n.putArray("lossWeight");
            for (int t = 0; t < len; t++) {
                tokens.add((s * 7 + t * 3) % maxId);
                if (t + 1 < len) {
                    weights.add(t < 3 ? 0 : 1);
                }
            }
            lines.add(Json.MAPPER.writeValueAsString(n));
        }
        Path f = tmp.resolve("sft-" + maxId + ".jsonl");
        Files.write(f, lines);
        return f;
    }

    private static String[] args(String[] head, String... rest) {
        List<String> all = new ArrayList<>(List.of("train", "sft"));
        all.addAll(List.of(head));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    @Test
    void badValuesAreOneLineUsageErrorsAndWriteNothing() throws Exception {
        Path data = dataFile(64);
        Path out = tmp.resolve("run");
        for (String[] bad : List.of(
                new String[] {"--steps", "0"},
                new String[] {"--batch", "0"},
                new String[] {"--lr", "-1"},
                new String[] {"--warmup", "2000"},
                new String[] {"--min-lr-ratio", "2"},
                new String[] {"--clip", "-1"},
                new String[] {"--threads", "0"},
                new String[] {"--active-experts", "9"})) {
            CliBadInputTest.Run r =
                    CliBadInputTest.run(args(new String[] {"--data", data.toString(), "--out", out.toString()}, bad));
            assertEquals(ThinkloopCli.EXIT_USAGE, r.exit(), String.join(" ", bad) + ": " + r.err());
            r.assertOneLineCause(bad[0] + " must be");
        }
        assertFalse(Files.exists(out), "no run directory");
    }

    @Test
    void badDataIsAUsageErrorNamingTheProblem() throws Exception {
        Path out = tmp.resolve("run");
        CliBadInputTest.Run missing = CliBadInputTest.run(
                args(TINY, "--data", tmp.resolve("none.jsonl").toString(), "--out", out.toString()));
        assertEquals(2, missing.exit());
        missing.assertOneLineCause("is not a file");

        Path torn = tmp.resolve("torn.jsonl");
        Files.writeString(torn, "{\"tokens\":[1,2,3],\"lossWeight\":[1]}\n");
        CliBadInputTest.Run shortWeights =
                CliBadInputTest.run(args(TINY, "--data", torn.toString(), "--out", out.toString()));
        assertEquals(2, shortWeights.exit());
        shortWeights.assertOneLineCause("line 1");

        CliBadInputTest.Run tooBig =
                CliBadInputTest.run(args(TINY, "--data", dataFile(200).toString(), "--out", out.toString()));
        assertEquals(2, tooBig.exit());
        tooBig.assertOneLineCause("vocabulary has 64 entries");
        assertFalse(Files.exists(out), "no run directory");

        CliBadInputTest.Run nothingToResume =
                CliBadInputTest.run(args(TINY, "--data", dataFile(64).toString(), "--out", out.toString(), "--resume"));
        assertEquals(2, nothingToResume.exit());
        nothingToResume.assertOneLineCause("holds no checkpoint");
    }

    @Test
    void aTinyFreshModelTrainsWritesAnEngineCheckpointAndResumes() throws Exception {
        Path data = dataFile(64);
        Path out = tmp.resolve("run");
        CliBadInputTest.Run r =
                CliBadInputTest.run(args(TINY, "--data", data.toString(), "--out", out.toString(), "--steps", "6"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("done: 6 steps"), r.out());
        List<JsonNode> metrics = new MetricsLog(out.resolve("metrics.jsonl")).readAll();
        assertEquals(6, metrics.size());
        assertTrue(metrics.get(2).has("eval_loss") && metrics.get(5).has("eval_loss"), metrics.toString());
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
        Path model = out.resolve("checkpoints/step-00000006/model");
        try (Model m = Model.load(model, 1)) {
            assertEquals(64, m.config().vocabSize(), "the engine loads the trained checkpoint");
        }

        CliBadInputTest.Run again =
                CliBadInputTest.run(args(TINY, "--data", data.toString(), "--out", out.toString(), "--steps", "6"));
        assertEquals(2, again.exit());
        again.assertOneLineCause("already holds a run");

        CliBadInputTest.Run resumed = CliBadInputTest.run(
                args(TINY, "--data", data.toString(), "--out", out.toString(), "--steps", "8", "--resume"));
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("resuming at step 6 of 8"), resumed.out());
        assertEquals(8, new MetricsLog(out.resolve("metrics.jsonl")).readAll().size());
    }

    @Test
    void helpListsTheTrainGroupAndItsSft() {
        CliBadInputTest.Run r = CliBadInputTest.run("help", "train");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("Usage: thinkloop train") && r.out().contains("sft"), r.out());
    }
}
