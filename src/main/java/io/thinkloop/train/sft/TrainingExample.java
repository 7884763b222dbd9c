package io.thinkloop.train.sft;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.thinkloop.json.Json;
import io.thinkloop.tokenizer.SubsetVocabulary;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One training sequence: DeepSeek-V3.2 token ids and, per position {@code t < tokens.length - 1}, the weight of
 * predicting {@code tokens[t + 1]}: 1 where the model writes that token (reasoning, tool calls, answer, their
 * end-of-sentence), 0 where the prompt, the user or a tool wrote it. {@code split} is {@link SftData#TRAIN} or
 * {@link SftData#EVAL}, decided by the database seed of the task's environment.
 *
 * <p>JSONL, one object per line: {@code {"id": "...", "split": "train", "db_seed": 7, "tokens": [0, 2, ...],
 * "loss_weight": [0.0, 1.0, ...]}}.
 */
public record TrainingExample(
        String id,
        String split,
        @JsonProperty("db_seed") long dbSeed,
        int[] tokens,
        @JsonProperty("loss_weight") float[] lossWeight) {

    public TrainingExample {
        if (tokens == null || lossWeight == null || tokens.length < 2 || lossWeight.length != tokens.length - 1) {
            throw new IllegalArgumentException("an example needs at least two tokens and one loss weight per"
                    + " position but the last (tokens " + (tokens == null ? null : tokens.length) + ", weights "
                    + (lossWeight == null ? null : lossWeight.length) + ")");
        }
    }

    /** Positions whose next token the model writes. */
    public int weightedPositions() {
        int n = 0;
        for (float w : lossWeight) {
            if (w != 0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The same example in a vocabulary subset's reach: every token outside it is split into its pieces (base ids
     * still), and each piece is weighted as the token it replaces (written by the model or not).
     */
    public TrainingExample restrictTo(SubsetVocabulary vocabulary) {
        SubsetVocabulary.Restricted r = vocabulary.restrictTracked(tokens);
        int n = r.ids().length;
        float[] w = new float[n - 1];
        for (int t = 0; t < n - 1; t++) {
            int from = r.origin()[t + 1];
            w[t] = from == 0 ? 0f : lossWeight[from - 1];
        }
        return new TrainingExample(id, split, dbSeed, r.ids(), w);
    }

    public static void writeJsonl(Path file, List<TrainingExample> examples) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (TrainingExample e : examples) {
                out.write(Json.MAPPER.writeValueAsString(e));
                out.write('\n');
            }
        }
    }

    public static List<TrainingExample> readJsonl(Path file) throws IOException {
        List<TrainingExample> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(Json.MAPPER.readValue(line, TrainingExample.class));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IOException(file + " line " + n + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }
}
