package io.thinkloop.engine;

import io.thinkloop.tokenizer.SubsetVocabulary;
import io.thinkloop.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The edge between the tokenizer's ids (DeepSeek-V3.2's, which every caller, event, logprob and rollout speaks)
 * and a model's own ids. A checkpoint with a {@value SubsetVocabulary#FILE} was trained on a vocabulary subset: its
 * embedding rows and logits are subset ids. Whoever drives a {@link Model} encodes text with {@link #encode}
 * (base ids inside the subset), feeds {@link #toModel} ids, samples over {@link #sampleSize} logits and maps the
 * chosen id back with {@link #toBase}. Without the file the map is the identity.
 */
public final class Vocabulary {
    private final Tokenizer tokenizer;
    private final SubsetVocabulary subset;

    private Vocabulary(Tokenizer tokenizer, SubsetVocabulary subset) {
        this.tokenizer = tokenizer;
        this.subset = subset;
    }

    /** The full vocabulary: model ids are the tokenizer's ids. */
    public static Vocabulary identity(Tokenizer tokenizer) {
        return new Vocabulary(tokenizer, null);
    }

    public static Vocabulary of(SubsetVocabulary subset) {
        return new Vocabulary(subset.base(), subset);
    }

    /** The vocabulary of a checkpoint directory: its {@value SubsetVocabulary#FILE} when present, else the identity. */
    public static Vocabulary forCheckpoint(Path dir, Tokenizer tokenizer) {
        Path file = dir.resolve(SubsetVocabulary.FILE);
        if (!Files.isRegularFile(file)) {
            return identity(tokenizer);
        }
        try {
            return of(SubsetVocabulary.read(file, tokenizer));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the vocabulary subset " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean isSubset() {
        return subset != null;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Base ids for text, each one the model has (the plain tokenizer's ids for the identity). */
    public int[] encode(String text) {
        return subset == null ? tokenizer.encode(text) : subset.encode(text);
    }

    /** Model ids of base ids that {@link #encode} produced. */
    public int[] toModel(int[] baseIds) {
        return subset == null ? baseIds : subset.toSubset(baseIds);
    }

    public int toModel(int baseId) {
        if (subset == null) {
            return baseId;
        }
        int id = subset.toSubset(baseId);
        if (id < 0) {
            throw new IllegalArgumentException("token " + baseId + " is not in the model's vocabulary subset");
        }
        return id;
    }

    /** The base id of a model id (a sampled token). */
    public int toBase(int modelId) {
        return subset == null ? modelId : subset.toBase(modelId);
    }

    /** How many leading logits are real tokens: the model's vocabulary may be padded past the tokenizer's. */
    public int sampleSize(int modelVocab) {
        return Math.min(subset == null ? tokenizer.vocabSize() : subset.size(), modelVocab);
    }
}
