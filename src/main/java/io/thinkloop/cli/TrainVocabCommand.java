package io.thinkloop.cli;

import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.SubsetVocabulary;
import io.thinkloop.tokenizer.Tokenizer;
import io.thinkloop.train.sft.SftData;
import io.thinkloop.train.sft.TrainingExample;
import io.thinkloop.train.sft.VocabularyFit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./thinkloop train vocab}: fits vocabulary subsets to SFT data (train split) and prints, per size, the
 * compression against the full DeepSeek-V3.2 vocabulary; with {@code --out DIR} writes {@code DIR/vocab.json} of
 * {@code --size}.
 */
@Command(
        name = "vocab",
        mixinStandardHelpOptions = true,
        description = "Fit DeepSeek-V3.2 vocabulary subsets to SFT data; print tokens/byte per size; write vocab.json.")
public final class TrainVocabCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "SFT examples (JSONL of train data)")
    Path data;

    @Option(
            names = "--sizes",
            split = ",",
            defaultValue = "4096,8192,16384,32768",
            description = "subset sizes to measure (default ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(
            names = "--size",
            defaultValue = "8192",
            description = "size of the vocab.json to write (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--out", description = "checkpoint directory to write vocab.json into")
    Path out;

    @Option(
            names = "--text-sample",
            description = "a text file outside the data (e.g. README.md): its tokens/byte per size shows the cost of"
                    + " text the subset was not fitted to")
    Path textSample;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer = BundledTokenizer.get();
        List<TrainingExample> all = TrainingExample.readJsonl(data);
        List<TrainingExample> train =
                all.stream().filter(e -> e.split().equals(SftData.TRAIN)).toList();
        List<TrainingExample> eval =
                all.stream().filter(e -> !e.split().equals(SftData.TRAIN)).toList();
        if (train.isEmpty()) {
            System.err.println("train vocab: " + data + " has no train examples");
            return ThinkloopCli.EXIT_USAGE;
        }
        VocabularyFit.Baseline b = VocabularyFit.baseline(train, eval, tokenizer);
        System.out.printf(
                "full vocabulary (%d): train %d examples, %d bytes, %d tokens, %.4f tokens/byte, %d distinct tokens;"
                        + " eval %d examples, %.4f tokens/byte, %d distinct (train+eval %d)%n",
                tokenizer.vocabSize(),
                train.size(),
                b.bytesTrain(),
                b.tokensTrain(),
                (double) b.tokensTrain() / b.bytesTrain(),
                b.distinctTrain(),
                eval.size(),
                b.bytesEval() == 0 ? 0.0 : (double) b.tokensEval() / b.bytesEval(),
                b.distinctEval(),
                b.distinctTrainAndEval());
        String sample = textSample == null ? null : Files.readString(textSample);
        int[] sampleFull = sample == null ? null : tokenizer.encode(sample);
        long sampleBytes = sample == null ? 0 : SubsetVocabulary.byteLength(tokenizer, sampleFull);
        if (sample != null) {
            System.out.printf(
                    "text sample %s: %d bytes, full vocabulary %.4f tokens/byte%n",
                    textSample, sampleBytes, (double) sampleFull.length / sampleBytes);
        }
        System.out.println("   size  used(train)  tokens/byte train  x full   tokens/byte eval  x full"
                + (sample == null ? "" : "   tokens/byte sample  x full"));
        for (int n : sizes) {
            VocabularyFit.Figures f = VocabularyFit.measure(train, eval, tokenizer, b, n);
            System.out.printf(
                    "%7d  %11d  %17.4f  %6.3f  %17.4f  %6.3f",
                    f.size(),
                    f.usedTrain(),
                    f.tokensPerByteTrain(),
                    f.ratioTrain(),
                    f.tokensPerByteEval(),
                    f.ratioEval());
            if (sample != null) {
                int[] restricted = VocabularyFit.fit(train, tokenizer, n).restrict(sampleFull);
                System.out.printf(
                        "  %19.4f  %6.3f",
                        (double) restricted.length / sampleBytes, (double) restricted.length / sampleFull.length);
            }
            System.out.println();
        }
        if (out != null) {
            Files.createDirectories(out);
            SubsetVocabulary v = VocabularyFit.fit(train, tokenizer, size);
            v.write(out.resolve(SubsetVocabulary.FILE));
            System.out.println("wrote " + out.resolve(SubsetVocabulary.FILE) + " (" + v.size() + " tokens)");
        }
        return 0;
    }
}
