package io.thinkloop.cli;

import io.thinkloop.cli.perf.Measure;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.codec.StreamingParser;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code thinkloop perf codec}: encode and streaming-parse throughput, and the cost of one chunk in a 1 KB
 * completion against one in a 1 MB completion (same chunk size): the parser holds back only possible
 * markers, so the ratio should stay near 1 however much text came before.
 */
@Command(
        name = "codec",
        mixinStandardHelpOptions = true,
        description = "Codec throughput (encode, streaming parse) and per-chunk parse cost, 1 KB vs 1 MB completion.")
public final class CodecPerfCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--chunk", description = "Characters per streamed chunk (default ${DEFAULT-VALUE}).")
    int chunk = 8;

    @Option(names = "--warmup-ms", description = "Warm-up per measurement (default ${DEFAULT-VALUE}).")
    long warmupMillis = 2000;

    @Option(names = "--round-ms", description = "Length of each of the 5 measured rounds (default ${DEFAULT-VALUE}).")
    long roundMillis = 400;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "codec perf: JDK %s, %d CPUs, chunk %d chars, warm-up %d ms, 5 rounds x %d ms (median)%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), chunk, warmupMillis, roundMillis);

        List<ChatMessage> conversation = conversation(40);
        String prompt = DeepSeekV32Codec.encode(conversation, ThinkingMode.THINKING, true, true);
        long promptBytes = prompt.getBytes(StandardCharsets.UTF_8).length;
        Measure.Timing enc = Measure.time(
                "encode",
                warmupMillis,
                5,
                roundMillis,
                () -> DeepSeekV32Codec.encode(conversation, ThinkingMode.THINKING, true, true)
                        .length());
        out.printf(
                "encode           %8.1f MB/s   (%d-message conversation, %,d-byte prompt, %.1f us each)%n",
                enc.megabytesPerSecond(promptBytes), conversation.size(), promptBytes, enc.nanosPerCall() / 1e3);

        String big = completion(1 << 20, 7);
        String small = completion(1 << 10, 7);
        long bigBytes = big.getBytes(StandardCharsets.UTF_8).length;
        long smallBytes = small.getBytes(StandardCharsets.UTF_8).length;
        for (int size : new int[] {chunk, 64, 4096}) {
            Measure.Timing t =
                    Measure.time("stream " + size, warmupMillis, 5, roundMillis, () -> streamStrict(big, size));
            out.printf(
                    "stream parse     %8.1f MB/s   (1 MB completion, strict, %d-char chunks)%n",
                    t.megabytesPerSecond(bigBytes), size);
        }
        Measure.Timing lenient = Measure.time("lenient", warmupMillis, 5, roundMillis, () -> streamLenient(big, chunk));
        out.printf(
                "stream parse     %8.1f MB/s   (1 MB completion, lenient, %d-char chunks)%n",
                lenient.megabytesPerSecond(bigBytes), chunk);
        Measure.Timing batch = Measure.time(
                "batch",
                warmupMillis,
                5,
                roundMillis,
                () -> DeepSeekV32Codec.parse(big, ThinkingMode.THINKING)
                        .content()
                        .length());
        out.printf("batch parse      %8.1f MB/s   (1 MB completion, whole text)%n", batch.megabytesPerSecond(bigBytes));

        long smallChunks = (small.length() + chunk - 1) / chunk;
        long bigChunks = (big.length() + chunk - 1) / chunk;
        // Per chunk, the 1 KB and 1 MB runs alternate round by round so that outside load hits both alike.
        Measure.Comparison cmp = Measure.compare(
                "1 KB",
                () -> streamStrict(small, chunk),
                "1 MB",
                () -> streamStrict(big, chunk),
                warmupMillis,
                9,
                roundMillis);
        double perSmall = cmp.a().nanosPerCall() / smallChunks;
        double perBig = cmp.b().nanosPerCall() / bigChunks;
        double ratio = cmp.ratio() * smallChunks / bigChunks;
        out.printf(
                "per-chunk cost   1 KB completion: %6.1f ns/chunk (%,d chunks, %,d bytes)%n",
                perSmall, smallChunks, smallBytes);
        out.printf(
                "per-chunk cost   1 MB completion: %6.1f ns/chunk (%,d chunks, %,d bytes)%n",
                perBig, bigChunks, bigBytes);
        out.printf(
                "per-chunk ratio  1 MB / 1 KB = %.2f (median of 9 alternating rounds; 1.00 = cost independent of text already seen)%n",
                ratio);
        out.flush();
        return 0;
    }

    private static long streamStrict(String text, int chunk) {
        return drain(StreamingParser.strict(ThinkingMode.THINKING), text, chunk);
    }

    private static long streamLenient(String text, int chunk) {
        return drain(StreamingParser.lenient(ThinkingMode.THINKING, List.of()), text, chunk);
    }

    private static long drain(StreamingParser p, String text, int chunk) {
        long events = 0;
        int n = text.length();
        for (int i = 0; i < n; i += chunk) {
            events += p.feed(text.subSequence(i, Math.min(n, i + chunk))).size();
        }
        List<ParseEvent> end = p.finish();
        return events + end.size();
    }

    private static final String[] WORDS = {
        "the",
        "hotel",
        "Hangzhou",
        "günstig",
        "東京",
        "price",
        "<b>",
        "x<y",
        "rating",
        "emoji 😀",
        "tab\tin",
        "a&b",
        "\"quoted\"",
        "back\\slash",
        "newline\n",
        "42",
        "{\"k\": 1}"
    };

    private static String prose(Random rnd, int chars) {
        StringBuilder sb = new StringBuilder(chars + 16);
        while (sb.length() < chars) {
            sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
        }
        sb.setLength(chars);
        return sb.toString();
    }

    /**
     * A strict-valid thinking-mode completion of about {@code size} characters: reasoning (45%), content
     * (25%), and tool calls whose string and JSON parameters make up the rest.
     */
    static String completion(int size, long seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder(size + 256);
        sb.append(prose(rnd, size * 45 / 100)).append("</think>");
        sb.append(prose(rnd, size * 25 / 100));
        sb.append("\n\n<｜DSML｜function_calls>\n");
        int call = 0;
        while (sb.length() < size - 200 || call == 0) {
            sb.append("<｜DSML｜invoke name=\"tool_").append(call % 5).append("\">\n");
            int budget = Math.max(16, Math.min(4000, size - sb.length() - 200));
            sb.append("<｜DSML｜parameter name=\"query\" string=\"true\">")
                    .append(prose(rnd, budget / 2))
                    .append("</｜DSML｜parameter>\n");
            sb.append("<｜DSML｜parameter name=\"limit\" string=\"false\">")
                    .append(rnd.nextInt(1000))
                    .append("</｜DSML｜parameter>\n");
            sb.append("<｜DSML｜parameter name=\"filters\" string=\"false\">{\"city\": \"東京\", \"max\": ")
                    .append(rnd.nextInt(500))
                    .append(".5, \"tags\": [\"a\", \"b\"]}</｜DSML｜parameter>\n");
            sb.append("</｜DSML｜invoke>\n");
            call++;
        }
        sb.append("</｜DSML｜function_calls><｜end▁of▁sentence｜>");
        return sb.toString();
    }

    /** A multi-turn agent conversation with tools, tool calls and results. */
    static List<ChatMessage> conversation(int turns) {
        Random rnd = new Random(11);
        List<ToolSpec> tools = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tools.add(new ToolSpec(
                    "tool_" + i,
                    prose(rnd, 80),
                    Json.MAPPER
                            .createObjectNode()
                            .put("type", "object")
                            .set(
                                    "properties",
                                    Json.MAPPER
                                            .createObjectNode()
                                            .set(
                                                    "query",
                                                    Json.MAPPER
                                                            .createObjectNode()
                                                            .put("type", "string")))));
        }
        List<ChatMessage> msgs = new ArrayList<>();
        msgs.add(ChatMessage.system(prose(rnd, 400), tools));
        for (int t = 0; t < turns; t++) {
            msgs.add(ChatMessage.user(prose(rnd, 200)));
            String args = "{\"query\": \""
                    + prose(rnd, 60)
                            .replace("\\", "\\\\")
                            .replace("\"", "\\\"")
                            .replace("\n", "\\n")
                            .replace("\t", "\\t")
                    + "\", \"limit\": 10, \"ratio\": 0.25}";
            msgs.add(ChatMessage.assistant(
                    "", prose(rnd, 300), List.of(new ToolCall("c" + t, "tool_" + (t % 6), args))));
            msgs.add(ChatMessage.tool("c" + t, prose(rnd, 500)));
            msgs.add(ChatMessage.assistant(prose(rnd, 300), prose(rnd, 200), null));
        }
        return msgs;
    }
}
