package io.thinkloop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.testkit.TestTemp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The comparison logic of {@code train gradcheck} against a test double: a "model" whose gradients are
 * a known function of the stage, and references written to disk in the generator's file format.
 */
class GradientCheckTest {
    /** Two parameters; stage "full" trains both, stage "only_b" only b (like the dense warm-up). */
    static class Toy {
        final Parameter a = new Parameter("a.weight", new int[] {2, 2}, new float[4], new float[4]);
        final Parameter b = new Parameter("b.bias", new int[] {3}, new float[3], new float[3]);
        float aScale = 1f;
        final List<String> stagesRun = new ArrayList<>();

        List<Parameter> parameters() {
            return List.of(a, b);
        }

        Trainable.StepLoss run(String stage, int[] tokens, float[] w) {
            stagesRun.add(stage);
            for (int i = 0; i < 3; i++) {
                b.grad()[i] += tokens[i] * w[0];
            }
            if (stage.equals("full")) {
                for (int i = 0; i < 4; i++) {
                    a.grad()[i] += (i + 1) * aScale;
                }
            }
            return new Trainable.StepLoss(2.5, 1, 0.75);
        }
    }

    static Map<String, float[]> expectedGradients(String stage) {
        Map<String, float[]> g = new LinkedHashMap<>();
        if (stage.equals("full")) {
            g.put("a.weight", new float[] {1, 2, 3, 4});
        }
        g.put("b.bias", new float[] {5 * 0.5f, 6 * 0.5f, 7 * 0.5f});
        return g;
    }

    static Path writeReference(Map<String, float[]> full, Map<String, float[]> onlyB) throws IOException {
        Path dir = TestTemp.dir("gradref");
        Files.writeString(dir.resolve("reference.json"), """
                {"tokens": [5, 6, 7, 8], "loss_weight": [0.5, 1, 1], "torch": "test",
                 "stages": {"full": {"lm_loss_sum": 2.5, "aux_loss": 0.75}, "only_b": {"aux_loss": 0.75}}}
                """);
        writeSafetensors(dir.resolve("full.safetensors"), full);
        writeSafetensors(dir.resolve("only_b.safetensors"), onlyB);
        return dir;
    }

    static void writeSafetensors(Path file, Map<String, float[]> tensors) throws IOException {
        StringBuilder h = new StringBuilder("{");
        long off = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            int n = e.getValue().length;
            int[] shape = e.getKey().equals("a.weight") ? new int[] {2, 2} : new int[] {n};
            h.append(h.length() > 1 ? "," : "")
                    .append('"')
                    .append(e.getKey())
                    .append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(Arrays.toString(shape).replace(" ", ""))
                    .append(",\"data_offsets\":[")
                    .append(off)
                    .append(',')
                    .append(off + 4L * n)
                    .append("]}");
            off += 4L * n;
        }
        byte[] header = h.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + header.length + (int) off).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).put(header);
        for (float[] v : tensors.values()) {
            for (float x : v) {
                buf.putFloat(x);
            }
        }
        Files.write(file, buf.array());
    }

    static GradientCheck.Result check(Toy toy, Path dir) {
        return GradientCheck.run(toy.parameters(), toy::run, GradientReference.read(dir), 1e-4);
    }

    @Test
    void aModelThatReproducesTheReferencePassesEveryLine() throws IOException {
        Path dir = writeReference(expectedGradients("full"), expectedGradients("only_b"));
        Toy toy = new Toy();
        GradientCheck.Result r = check(toy, dir);
        assertEquals(0, r.failed(), r.lines().toString());
        // full: 2 losses + 2 tensors; only_b: 1 loss + 1 tensor + a.weight must stay without gradient.
        assertEquals(7, r.lines().size());
        assertEquals("7 passed, 0 failed", r.summary());
        assertEquals(List.of("full", "only_b"), toy.stagesRun);
    }

    @Test
    void gradientsAreZeroedBeforeEachStageSoOnlyThatStageCounts() throws IOException {
        Path dir = writeReference(expectedGradients("full"), expectedGradients("only_b"));
        Toy toy = new Toy();
        toy.a.grad()[0] = 100f; // left over from an earlier step
        assertEquals(0, check(toy, dir).failed());
        assertArrayEquals(new float[] {0, 0, 0, 0}, toy.a.grad());
    }

    @Test
    void aGradientOffByMoreThanTheToleranceFailsOnlyThatTensor() throws IOException {
        Path dir = writeReference(expectedGradients("full"), expectedGradients("only_b"));
        Toy toy = new Toy();
        toy.aScale = 1.001f;
        GradientCheck.Result r = check(toy, dir);
        assertEquals(1, r.failed());
        GradientCheck.Line bad =
                r.lines().stream().filter(l -> !l.passed()).findFirst().orElseThrow();
        assertEquals("a.weight", bad.name());
        assertEquals("full", bad.stage());
        assertEquals(1e-3, bad.error(), 1e-6);
        assertTrue(bad.format().contains("FAIL"));
    }

    @Test
    void aGradientWithinTheToleranceStillPasses() throws IOException {
        Path dir = writeReference(expectedGradients("full"), expectedGradients("only_b"));
        Toy toy = new Toy();
        toy.aScale = 1.00001f;
        assertEquals(0, check(toy, dir).failed());
    }

    @Test
    void aParameterTheStageMustNotTrainFailsWhenItGetsAGradient() throws IOException {
        // The reference of "only_b" leaves a.weight out: a model that trains it there is wrong.
        Path dir = writeReference(expectedGradients("full"), expectedGradients("only_b"));
        Toy wrong = new Toy() {
            @Override
            Trainable.StepLoss run(String stage, int[] tokens, float[] w) {
                return super.run("full", tokens, w);
            }
        };
        GradientCheck.Result r = check(wrong, dir);
        assertEquals(1, r.failed());
        GradientCheck.Line bad =
                r.lines().stream().filter(l -> !l.passed()).findFirst().orElseThrow();
        assertEquals("only_b", bad.stage());
        assertEquals("a.weight", bad.name());
        assertTrue(bad.note().contains("no gradient"));
    }

    @Test
    void aLossThatDiffersFails() throws IOException {
        Path dir = writeReference(expectedGradients("full"), expectedGradients("only_b"));
        Files.writeString(
                dir.resolve("reference.json"),
                Files.readString(dir.resolve("reference.json"))
                        .replace("\"lm_loss_sum\": 2.5", "\"lm_loss_sum\": 2.6"));
        GradientCheck.Result r = check(new Toy(), dir);
        assertEquals(1, r.failed());
        assertEquals(
                "lm_loss_sum",
                r.lines().stream()
                        .filter(l -> !l.passed())
                        .findFirst()
                        .orElseThrow()
                        .name());
    }

    @Test
    void aReferenceTensorTheModelLacksOrShapesDifferentlyFails() throws IOException {
        Map<String, float[]> full = expectedGradients("full");
        full.put("c.weight", new float[] {1});
        Path dir = writeReference(full, expectedGradients("only_b"));
        GradientCheck.Result r = check(new Toy(), dir);
        assertEquals(1, r.failed());
        assertTrue(r.lines().stream().anyMatch(l -> !l.passed() && l.note().contains("no such parameter")));
    }

    @Test
    void aZeroReferenceGradientPassesOnlyIfTheModelsIsZeroToo() throws IOException {
        Map<String, float[]> full = expectedGradients("full");
        full.put("a.weight", new float[4]);
        Path dir = writeReference(full, expectedGradients("only_b"));
        Toy toy = new Toy();
        toy.aScale = 0f;
        assertEquals(0, check(toy, dir).failed());
        toy.aScale = 1e-9f;
        assertEquals(1, check(toy, dir).failed());
    }

    @Test
    void theReaderRejectsMissingFilesAndBrokenHeaders() throws IOException {
        Path dir = writeReference(expectedGradients("full"), expectedGradients("only_b"));
        Files.delete(dir.resolve("only_b.safetensors"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientReference.read(dir));
        assertTrue(e.getMessage().contains("only_b.safetensors"), e.getMessage());
        Files.write(dir.resolve("only_b.safetensors"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThrows(IllegalArgumentException.class, () -> GradientReference.read(dir));
        assertThrows(IllegalArgumentException.class, () -> GradientReference.read(TestTemp.dir("empty")));
        GradientReference ok =
                GradientReference.read(writeReference(expectedGradients("full"), expectedGradients("only_b")));
        assertArrayEquals(new int[] {5, 6, 7, 8}, ok.tokens());
        assertArrayEquals(
                new int[] {2, 2},
                ok.stages().get("full").gradients().get("a.weight").shape());
        assertFalse(ok.stages().get("only_b").gradients().containsKey("a.weight"));
    }
}
