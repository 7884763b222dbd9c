package io.thinkloop.cli;

import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.StreamingDecoder;
import io.thinkloop.tokenizer.Tokenizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code thinkloop perf tokenizer}: encode/decode throughput of the DeepSeek-V3.2 tokenizer in MB of
 * UTF-8 text per second, on a file or on a deterministic mix of prose, code, numbers and CJK. The
 * baseline beside it is the same tokenizer without its word cache (every word merged afresh).
 */
@Command(
        name = "tokenizer",
        mixinStandardHelpOptions = true,
        description = "Tokenizer encode/decode throughput (MB/s), with and without the word cache.")
public final class TokenizerPerfCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", description = "tokenizer.json (default: the one bundled in the jar).")
    Path tokenizerJson;

    @Option(names = "--file", description = "UTF-8 text to tokenize (default: a generated mix).")
    Path file;

    @Option(
            names = "--mb",
            defaultValue = "4",
            description = "Size of the generated text in MB (default ${DEFAULT-VALUE}).")
    int megabytes;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description = "Timed rounds; the best is reported (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        Path json = tokenizerJson;
        if (json != null && !Files.isRegularFile(json)) {
            System.err.println("tokenizer.json not found: " + json + " (use --tokenizer)");
            return 2;
        }
        String text = file != null ? Files.readString(file) : generate(megabytes * 1_000_000);
        // Documents of a few KB, as prompts and tool outputs are, rather than one giant string.
        String[] docs = splitDocs(text, 4096);
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;

        long t0 = System.nanoTime();
        Tokenizer tokenizer = json != null ? Tokenizer.load(json) : BundledTokenizer.get();
        double loadMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf(
                "tokenizer: %s (vocab %d), loaded in %.0f ms%n",
                json != null ? json : "bundled", tokenizer.vocabSize(), loadMs);
        System.out.printf("text: %.2f MB in %d documents%n", mb, docs.length);

        int[][] ids = new int[docs.length][];
        long coldNs = time(() -> encodeAll(tokenizer, docs, ids));
        long tokens = 0;
        for (int[] d : ids) {
            tokens += d.length;
        }
        System.out.printf("tokens: %d (%.2f bytes/token)%n", tokens, mb * 1e6 / tokens);

        Tokenizer uncached = tokenizer.withoutWordCache();
        long baseNs = best(() -> encodeAll(uncached, docs, ids));
        long warmNs = best(() -> encodeAll(tokenizer, docs, ids));
        long decodeNs = best(() -> {
            for (int[] d : ids) {
                tokenizer.decode(d);
            }
        });
        long streamNs = best(() -> {
            for (int[] d : ids) {
                StreamingDecoder sd = tokenizer.newDecoder();
                for (int id : d) {
                    sd.next(id);
                }
                sd.flush();
            }
        });
        System.out.printf("%-36s %10s %14s   (per CPU-second of one thread)%n", "", "MB/s", "Mtokens/s");
        row("encode, no word cache (baseline)", mb, tokens, baseNs);
        row("encode, first pass (cold cache)", mb, tokens, coldNs);
        row("encode, warm cache", mb, tokens, warmNs);
        row("decode", mb, tokens, decodeNs);
        row("streaming decode (one id at a time)", mb, tokens, streamNs);
        System.out.printf("warm-cache encode vs baseline: %.2fx%n", (double) baseNs / warmNs);
        return 0;
    }

    private static void row(String name, double mb, long tokens, long ns) {
        double s = ns / 1e9;
        System.out.printf("%-36s %10.1f %14.2f%n", name, mb / s, tokens / 1e6 / s);
    }

    private static void encodeAll(Tokenizer t, String[] docs, int[][] ids) {
        for (int i = 0; i < docs.length; i++) {
            ids[i] = t.encode(docs[i]);
        }
    }

    /**
     * CPU time of this thread running r: on a shared machine wall time mostly measures the neighbours,
     * while the single-threaded work's CPU time stays put.
     */
    private static long time(Runnable r) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long t = threads.getCurrentThreadCpuTime();
        r.run();
        return threads.getCurrentThreadCpuTime() - t;
    }

    private long best(Runnable r) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < Math.max(1, rounds); i++) {
            best = Math.min(best, time(r));
        }
        return best;
    }

    private static String[] splitDocs(String text, int size) {
        List<String> docs = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int to = Math.min(text.length(), from + size);
            if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
                to++; // never cut a surrogate pair
            }
            docs.add(text.substring(from, to));
            from = to;
        }
        return docs.toArray(String[]::new);
    }

    private static final String[] WORDS =
            ("the of and to in is that for it as with was on be by this are from at or an "
                            + "have not which but had they you we were their one all there can has been more would if will about "
                            + "model token stream agent tool call function result value error request response server client "
                            + "thinking reasoning answer question weather Paris London temperature celsius because however")
                    .split(" ");
    private static final String CODE = """
            public final class Example {
                private final Map<String, Integer> counts = new HashMap<>();

                int add(String key, int delta) {
                    return counts.merge(key, delta, Integer::sum); // 42
                }
            }
            """;
    private static final String JSON =
            "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}\n";

    /** A deterministic mix: 70% English prose, 15% code/JSON, 8% numbers, 7% Chinese. */
    public static String generate(int bytes) {
        SplittableRandom rnd = new SplittableRandom(42);
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() < bytes) {
            int r = rnd.nextInt(100);
            if (r < 70) {
                int n = 5 + rnd.nextInt(25);
                for (int i = 0; i < n; i++) {
                    String w = WORDS[rnd.nextInt(WORDS.length)];
                    sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
                    sb.append(i == n - 1 ? ". " : rnd.nextInt(12) == 0 ? ", " : " ");
                }
                if (rnd.nextInt(6) == 0) {
                    sb.append("\n\n");
                }
            } else if (r < 85) {
                sb.append(rnd.nextBoolean() ? CODE : JSON);
            } else if (r < 93) {
                sb.append(rnd.nextInt(1_000_000))
                        .append('.')
                        .append(rnd.nextInt(100))
                        .append(' ')
                        .append(2000 + rnd.nextInt(30))
                        .append('-')
                        .append(1 + rnd.nextInt(12))
                        .append(' ');
            } else {
                int n = 5 + rnd.nextInt(30);
                for (int i = 0; i < n; i++) {
                    sb.append((char) (0x4E00 + rnd.nextInt(0x5000)));
                }
                sb.append("。");
            }
        }
        return sb.toString();
    }
}
