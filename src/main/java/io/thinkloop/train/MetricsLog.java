package io.thinkloop.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.jsonl}: one JSON object per optimizer step ({@code step, loss, lr, grad_norm, tokens,
 * tokens_per_s, ...}, with {@code eval_loss} on the steps that evaluated). A resumed run first drops the lines
 * after its checkpoint's step, so the file reads as one uninterrupted run.
 */
public final class MetricsLog {
    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void append(ObjectNode record) {
        try {
            Files.writeString(
                    file,
                    Json.MAPPER.writeValueAsString(record) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every record, in order (a torn last line from a crash is skipped). */
    public List<JsonNode> readAll() {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(Json.MAPPER.readTree(line));
                } catch (IOException torn) {
                    // a line cut short by a crash: the run resumes from a checkpoint before it
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Keeps only the records of steps {@code <= step} (resume from that step's checkpoint). */
    public void truncateAfter(int step) {
        List<JsonNode> keep =
                readAll().stream().filter(n -> n.path("step").asInt() <= step).toList();
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : keep) {
            sb.append(n.toString()).append('\n');
        }
        try {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
