package io.thinkloop.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Replays a checkpoint's {@code golden.json} (reference logits per prefill/decode step) through the
 * engine: a case passes when every step's max |logit difference| is within the tolerance, the
 * argmax agrees and every layer's indexer selection for the last row is identical.
 */
public final class GoldenCheck {
    public static final double TOLERANCE = 1e-3;

    /** One case's outcome; {@code problems} is empty when it passed. */
    public record CaseResult(
            int index, int promptLength, int steps, double maxAbsDiff, int selectionMismatches, List<String> problems) {
        public boolean passed() {
            return problems.isEmpty();
        }
    }

    private GoldenCheck() {}

    public static List<CaseResult> run(Model model, Path goldenJson, AttentionMode mode) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(goldenJson));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + goldenJson, e);
        }
        List<CaseResult> results = new ArrayList<>();
        int index = 0;
        for (JsonNode c : root.path("cases")) {
            results.add(runCase(model, index++, c, mode));
        }
        return results;
    }

    private static CaseResult runCase(Model model, int index, JsonNode c, AttentionMode mode) {
        int[] prompt = ints(c.get("prompt"));
        JsonNode steps = c.get("steps");
        InferenceState state = model.newState(prompt.length + steps.size() + 1, mode);
        List<String> problems = new ArrayList<>();
        double maxDiff = 0;
        int selMismatch = 0;
        for (int i = 0; i < steps.size(); i++) {
            JsonNode st = steps.get(i);
            int[] input = ints(st.get("input"));
            int pos = st.get("pos").asInt();
            if (state.position() + input.length - 1 != pos) {
                problems.add("step " + i + ": golden pos " + pos + " but the engine is at "
                        + (state.position() + input.length - 1));
            }
            float[] logits = i == 0 ? model.prefill(state, input) : model.decode(state, input[0]);
            float[] expected = floats(st.get("logits_f32le_b64").asText());
            if (expected.length != logits.length) {
                problems.add("step " + i + ": golden has " + expected.length + " logits, model " + logits.length);
                continue;
            }
            double d = 0;
            int arg = 0;
            for (int v = 0; v < logits.length; v++) {
                d = Math.max(d, Math.abs((double) logits[v] - expected[v]));
                if (logits[v] > logits[arg]) {
                    arg = v;
                }
            }
            if (Double.isNaN(d) || !(d <= TOLERANCE)) {
                problems.add("step " + i + ": max |dlogit| " + d);
            }
            maxDiff = Math.max(maxDiff, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            if (arg != st.get("argmax").asInt()) {
                problems.add("step " + i + ": argmax " + arg + ", golden "
                        + st.get("argmax").asInt());
            }
            JsonNode sel = st.get("indexer_selected_last");
            for (int l = 0; sel != null && l < sel.size(); l++) {
                int[] want = ints(sel.get(l));
                int[] got = state.selectedPositions(l);
                if (!Arrays.equals(want, got)) {
                    selMismatch++;
                    problems.add("step " + i + " layer " + l + ": selected " + Arrays.toString(got) + ", golden "
                            + Arrays.toString(want));
                }
            }
        }
        return new CaseResult(index, prompt.length, steps.size(), maxDiff, selMismatch, problems);
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    private static float[] floats(String b64) {
        ByteBuffer bb = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(f);
        return f;
    }
}
