package io.thinkloop.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.thinkloop.cli.TokenizerPerfCommand;
import io.thinkloop.testkit.TestData;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Side-by-side encode throughput of ours and the Hugging Face Rust library (through DJL's JNI, one
 * call per document, on the calling thread) on the {@code perf tokenizer} text. The oracle is a test
 * dependency only, so this lives here and runs only when asked:
 * {@code mvn test -Dtest=TokenizerThroughputComparison -Dthinkloop.tokenizer.compare=true}.
 */
@EnabledIfSystemProperty(named = "thinkloop.tokenizer.compare", matches = "true")
class TokenizerThroughputComparison {
    @Test
    void compareWithHuggingFace() throws Exception {
        String text = TokenizerPerfCommand.generate(2_000_000);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 4096) {
            docs.add(text.substring(i, Math.min(text.length(), i + 4096)));
        }
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        Tokenizer ours = Tokenizer.load(TestData.tokenizerJson());
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
                TestData.tokenizerJson(),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            // Same ids first: a fast wrong tokenizer would prove nothing.
            for (String d : docs.subList(0, 50)) {
                assertArrayEquals(
                        hf.encode(d, false, false).getIds(),
                        Arrays.stream(ours.encode(d)).asLongStream().toArray());
            }
            long bestOurs = Long.MAX_VALUE;
            long bestHf = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                bestOurs = Math.min(bestOurs, cpu(() -> docs.forEach(ours::encode)));
                bestHf = Math.min(
                        bestHf,
                        cpu(() -> docs.forEach(d -> hf.encode(d, false, false).getIds())));
            }
            System.out.printf(
                    "encode throughput per CPU-second: ours %.1f MB/s, Hugging Face tokenizers (Rust via JNI) %.1f MB/s, ratio %.2fx%n",
                    mb / (bestOurs / 1e9), mb / (bestHf / 1e9), (double) bestHf / bestOurs);
        }
    }

    private static long cpu(Runnable r) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long t = threads.getCurrentThreadCpuTime();
        r.run();
        return threads.getCurrentThreadCpuTime() - t;
    }
}
