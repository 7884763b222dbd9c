package io.thinkloop.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Training and eval sequences read from the SFT data's JSONL: one {@code TrainingExample} per line,
 * {@code {id, split, dbSeed, tokens, lossWeight}} (only {@code tokens} and {@code lossWeight} are required; a
 * line without {@code split} counts as training data). The fingerprint lets a resumed run refuse data that
 * changed under its data cursor.
 */
public record TrainingData(List<Sample> train, List<Sample> eval) {
    public TrainingData {
        train = List.copyOf(train);
        eval = List.copyOf(eval);
    }

    /** Reads {@code file}; errors name the line. Splits other than {@code train} and {@code eval} are skipped. */
    public static TrainingData readJsonl(Path file) {
        List<Sample> train = new ArrayList<>();
        List<Sample> eval = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                Sample s;
                try {
                    s = parse(Json.MAPPER.readTree(line), no);
                } catch (IOException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + " line " + no + ": " + firstLine(e.getMessage()), e);
                }
                switch (s.split()) {
                    case "train" -> train.add(s);
                    case "eval" -> eval.add(s);
                    default -> {}
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new TrainingData(train, eval);
    }

    private static Sample parse(JsonNode n, int line) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode t = n.get("tokens");
        JsonNode w = n.get("lossWeight");
        if (t == null || !t.isArray() || w == null || !w.isArray()) {
            throw new IllegalArgumentException("needs arrays 'tokens' and 'lossWeight'");
        }
        int[] tokens = new int[t.size()];
        for (int i = 0; i < tokens.length; i++) {
            if (!t.get(i).canConvertToInt() || t.get(i).asInt() < 0) {
                throw new IllegalArgumentException("tokens[" + i + "] is not a token id");
            }
            tokens[i] = t.get(i).asInt();
        }
        float[] weights = new float[w.size()];
        for (int i = 0; i < weights.length; i++) {
            if (!w.get(i).isNumber()) {
                throw new IllegalArgumentException("lossWeight[" + i + "] is not a number");
            }
            weights[i] = (float) w.get(i).asDouble();
        }
        String id = n.path("id").asText("line-" + line);
        String split = n.path("split").asText("train");
        return new Sample(id, split, tokens, weights);
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }

    /** The largest token id in either split (a model's vocabulary must exceed it). */
    public int maxTokenId() {
        int max = -1;
        for (List<Sample> l : List.of(train, eval)) {
            for (Sample s : l) {
                for (int t : s.tokens()) {
                    max = Math.max(max, t);
                }
            }
        }
        return max;
    }

    /** A hash of the training sequences in order (ids, tokens, weights): same data, same fingerprint. */
    public static long fingerprint(List<Sample> samples) {
        long h = 0xCBF29CE484222325L;
        for (Sample s : samples) {
            h = mix(h, s.id().hashCode());
            for (int t : s.tokens()) {
                h = mix(h, t);
            }
            for (float w : s.lossWeight()) {
                h = mix(h, Float.floatToIntBits(w));
            }
        }
        return h;
    }

    private static long mix(long h, long x) {
        h ^= x;
        h *= 0x100000001B3L;
        return h ^ (h >>> 29);
    }
}
