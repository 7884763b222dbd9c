package io.thinkloop.train.sft;

import io.thinkloop.tokenizer.SubsetVocabulary;
import io.thinkloop.tokenizer.Tokenizer;
import java.util.BitSet;
import java.util.List;

/**
 * Fits vocabulary subsets to supervised data and measures them: how many distinct tokens the data uses with the
 * full vocabulary, and per subset size the tokens per byte (the data's length in tokens over its UTF-8 bytes) next to
 * the full vocabulary's. Subsets are fitted on the train split only; the eval split shows how the fit carries to
 * unseen databases.
 */
public final class VocabularyFit {
    /** Figures of one subset size: its compression on the train and eval splits, and the ratio to the full vocabulary. */
    public record Figures(
            int size,
            int usedTrain,
            double tokensPerByteTrain,
            double ratioTrain,
            double tokensPerByteEval,
            double ratioEval) {}

    /** Data figures with the full vocabulary. */
    public record Baseline(
            long bytesTrain,
            long tokensTrain,
            int distinctTrain,
            long bytesEval,
            long tokensEval,
            int distinctEval,
            int distinctTrainAndEval) {}

    private VocabularyFit() {}

    public static long[] counts(List<TrainingExample> examples, int vocabSize) {
        long[] c = new long[vocabSize];
        for (TrainingExample e : examples) {
            for (int id : e.tokens()) {
                c[id]++;
            }
        }
        return c;
    }

    public static SubsetVocabulary fit(List<TrainingExample> train, Tokenizer tokenizer, int size) {
        return SubsetVocabulary.fit(tokenizer, counts(train, tokenizer.vocabSize()), size);
    }

    public static Baseline baseline(List<TrainingExample> train, List<TrainingExample> eval, Tokenizer tokenizer) {
        BitSet t = distinct(train);
        BitSet e = distinct(eval);
        BitSet both = (BitSet) t.clone();
        both.or(e);
        return new Baseline(
                bytes(train, tokenizer),
                tokens(train),
                t.cardinality(),
                bytes(eval, tokenizer),
                tokens(eval),
                e.cardinality(),
                both.cardinality());
    }

    public static Figures measure(
            List<TrainingExample> train, List<TrainingExample> eval, Tokenizer tokenizer, Baseline base, int size) {
        SubsetVocabulary v = fit(train, tokenizer, size);
        long trainTokens = 0;
        BitSet used = new BitSet();
        for (TrainingExample e : train) {
            int[] ids = v.restrict(e.tokens());
            trainTokens += ids.length;
            for (int id : ids) {
                used.set(id);
            }
        }
        long evalTokens = 0;
        for (TrainingExample e : eval) {
            evalTokens += v.restrict(e.tokens()).length;
        }
        return new Figures(
                size,
                used.cardinality(),
                perByte(trainTokens, base.bytesTrain()),
                ratio(trainTokens, base.tokensTrain()),
                perByte(evalTokens, base.bytesEval()),
                ratio(evalTokens, base.tokensEval()));
    }

    private static BitSet distinct(List<TrainingExample> examples) {
        BitSet b = new BitSet();
        for (TrainingExample e : examples) {
            for (int id : e.tokens()) {
                b.set(id);
            }
        }
        return b;
    }

    private static long tokens(List<TrainingExample> examples) {
        return examples.stream().mapToLong(e -> e.tokens().length).sum();
    }

    private static long bytes(List<TrainingExample> examples, Tokenizer tokenizer) {
        return examples.stream()
                .mapToLong(e -> SubsetVocabulary.byteLength(tokenizer, e.tokens()))
                .sum();
    }

    static double perByte(long tokens, long bytes) {
        return bytes == 0 ? 0 : (double) tokens / bytes;
    }

    static double ratio(long tokens, long full) {
        return full == 0 ? 0 : (double) tokens / full;
    }
}
