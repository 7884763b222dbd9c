package io.thinkloop.backend.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.engine.InferenceState;
import io.thinkloop.engine.Model;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.openai.CompletionAssembler;
import io.thinkloop.testkit.Await;
import io.thinkloop.testkit.TestData;
import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation loop over a real (synthetic, untrained) checkpoint with the real tokenizer. */
class GenerationEngineTest {
    static final String PROMPT = "<｜begin▁of▁sentence｜>You are helpful.<｜User｜>What is 2+2?<｜Assistant｜><think>";
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;

    static Model model;
    static Tokenizer tokenizer;
    static GenerationEngine engine;

    @BeforeAll
    static void load() {
        Path dir = EmbeddedDefault.ensure(tmp, 7);
        model = Model.load(dir, 2);
        tokenizer = BundledTokenizer.get();
        engine = new GenerationEngine(model, tokenizer, 4096, 4, 1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    record Result(List<ModelChunk> chunks) {
        String text() {
            StringBuilder b = new StringBuilder();
            chunks.stream()
                    .filter(c -> c instanceof ModelChunk.Text)
                    .forEach(c -> b.append(((ModelChunk.Text) c).text()));
            return b.toString();
        }

        int[] ids() {
            return chunks.stream()
                    .filter(c -> c instanceof ModelChunk.Text)
                    .flatMapToInt(c -> Arrays.stream(((ModelChunk.Text) c).tokenIds()))
                    .toArray();
        }

        ModelChunk.Usage usage() {
            return (ModelChunk.Usage) chunks.getLast();
        }
    }

    static CompletionRequest request(String prompt, int max, double temperature, Long seed, List<String> stop) {
        return new CompletionRequest(
                List.of(),
                List.of(),
                ThinkingMode.THINKING,
                prompt,
                new CompletionRequest.Sampling(max, temperature, 1.0, 0, seed, stop));
    }

    static Result run(CompletionRequest r) {
        AssertSubscriber<ModelChunk> s =
                engine.stream(r).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        s.awaitCompletion(WAIT);
        return new Result(new ArrayList<>(s.getItems()));
    }

    @Test
    void bundledTokenizerMatchesTheSharedOneAndMatchesBos() throws IOException {
        Path shared = TestData.tokenizerJson();
        Tokenizer fromShared = Tokenizer.load(shared);
        int[] ids = tokenizer.encode(PROMPT);
        assertEquals(0, ids[0], "the BOS text is the added token 0");
        assertEquals(128798, ids[ids.length - 1], "<think>");
        assertArrayEquals(
                fromShared.encode(PROMPT + " ünïcödé 日本語 code() {}"),
                tokenizer.encode(PROMPT + " ünïcödé 日本語 code() {}"));
        assertEquals(fromShared.vocabSize(), tokenizer.vocabSize());
        assertTrue(Files.exists(tmp.resolve("models/embedded-7/UNTRAINED.txt")));
    }

    @Test
    void greedyIsTheArgmaxSequenceOfTheModelWithLogprobs() {
        int max = 12;
        Result r = run(request(PROMPT, max, 0, null, List.of()));
        // The reference: the engine driven directly, whole prompt in one prefill, argmax each step.
        int[] prompt = tokenizer.encode(PROMPT);
        int n = Math.min(tokenizer.vocabSize(), model.config().vocabSize());
        InferenceState s = model.newState(prompt.length + max);
        float[] logits = model.prefill(s, prompt);
        List<Integer> expected = new ArrayList<>();
        List<Float> expectedLogprobs = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            int a = 0;
            for (int t = 1; t < n; t++) {
                if (logits[t] > logits[a]) {
                    a = t;
                }
            }
            double z = 0;
            for (int t = 0; t < n; t++) {
                z += Math.exp(logits[t] - logits[a]);
            }
            expected.add(a);
            expectedLogprobs.add((float) -Math.log(z));
            if (a == BundledTokenizer.EOS) {
                break;
            }
            logits = model.decode(s, a);
        }
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), r.ids());
        int k = 0;
        for (ModelChunk c : r.chunks()) {
            if (c instanceof ModelChunk.Text t && t.tokenIds().length > 0) {
                assertEquals(1, t.tokenIds().length);
                assertEquals(1, t.logprobs().length);
                assertTrue(t.logprobs()[0] <= 0);
                assertEquals(expectedLogprobs.get(k++), t.logprobs()[0], 1e-3);
            }
        }
        assertEquals(tokenizer.decode(r.ids()), r.text(), "UTF-8-safe streaming text equals the full decode");
        assertEquals(new ModelChunk.Usage(prompt.length, expected.size(), expected.size()), r.usage());
    }

    @Test
    void sampledOutputIsDeterministicForASeed() {
        Result a = run(request(PROMPT, 10, 0.9, 1234L, List.of()));
        Result b = run(request(PROMPT, 10, 0.9, 1234L, List.of()));
        Result c = run(request(PROMPT, 10, 0.9, 999L, List.of()));
        assertArrayEquals(a.ids(), b.ids());
        assertEquals(a.text(), b.text());
        assertFalse(Arrays.equals(a.ids(), c.ids()), "another seed, other tokens");
    }

    @Test
    void maxTokensEndsTheCompletion() {
        Result r = run(request(PROMPT, 5, 0.9, 5L, List.of()));
        assertEquals(5, r.ids().length);
        assertEquals(5, r.usage().completionTokens());
    }

    @Test
    void stopSequenceEndsTheTextBeforeIt() {
        Result full = run(request(PROMPT, 16, 0, null, List.of()));
        String text = full.text();
        assertTrue(text.length() > 6, text);
        String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
        int at = text.indexOf(stop);
        Result r = run(request(PROMPT, 16, 0, null, List.of(stop)));
        assertEquals(
                text.substring(0, at) + GenerationEngine.EOS_TEXT,
                r.text(),
                "the text before it, then end of sentence");
        assertTrue(r.ids().length < full.ids().length);
    }

    @Test
    void cancellingBeforeTheFirstTokenAndMidStreamStopsTheWork() {
        // A long prompt (slow prefill) with a budget of thousands of tokens: minutes of work if not stopped.
        String longPrompt = "<｜begin▁of▁sentence｜>" + "the quick brown fox jumps over the lazy dog. ".repeat(300);
        AssertSubscriber<ModelChunk> early = engine.stream(request(longPrompt, 3000, 0, null, List.of()))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        Await.until("the long prompt's prefill running", engine::busy);
        early.cancel();
        // The next generation runs on the same single worker: it completes only if the cancelled one stopped.
        Result after = run(request(PROMPT, 2, 0, null, List.of()));
        assertEquals(2, after.ids().length);
        assertTrue(early.getItems().isEmpty(), "cancelled before its first token");

        AssertSubscriber<ModelChunk> mid = engine.stream(request(PROMPT, 3000, 0, null, List.of()))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        mid.awaitItems(3, WAIT);
        mid.cancel();
        Result next = run(request(PROMPT, 2, 0, null, List.of()));
        assertEquals(2, next.ids().length, "mid-stream cancel stopped the decode loop, the next one ran");
        assertTrue(mid.getItems().size() < 3000);
        assertFalse(
                mid.getItems().stream().anyMatch(c -> c instanceof ModelChunk.Usage),
                "a cancelled stream never completes");
    }

    @Test
    void aStopSequenceFinishesWithStopAtTheOpenAiEndpointNotLength() {
        Result full = run(new CompletionRequest(
                List.of(),
                List.of(),
                ThinkingMode.CHAT,
                PROMPT,
                new CompletionRequest.Sampling(16, 0, 1.0, 0, null, List.of())));
        String stop =
                full.text().substring(full.text().length() / 2, full.text().length() / 2 + 2);
        for (boolean stopped : List.of(false, true)) {
            Result r = run(new CompletionRequest(
                    List.of(),
                    List.of(),
                    ThinkingMode.CHAT,
                    PROMPT,
                    new CompletionRequest.Sampling(16, 0, 1.0, 0, null, stopped ? List.of(stop) : List.of())));
            CompletionAssembler assembler = new CompletionAssembler("embedded", ThinkingMode.CHAT, List.of());
            r.chunks().forEach(assembler::accept);
            assembler.finish();
            String finish = assembler
                    .completion()
                    .path("choices")
                    .get(0)
                    .path("finish_reason")
                    .asText();
            assertEquals(stopped ? "stop" : "length", finish, "stop sequence " + stopped);
        }
    }

    @Test
    void aFullQueueIsABusyErrorAndOthersStillRun() {
        AssertSubscriber<ModelChunk> running = engine.stream(request(PROMPT, 3000, 0, null, List.of()))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        running.awaitItems(1, WAIT);
        AssertSubscriber<ModelChunk> queued = engine.stream(request(PROMPT, 2, 0, null, List.of()))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        AssertSubscriber<ModelChunk> rejected = engine.stream(request(PROMPT, 2, 0, null, List.of()))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        rejected.awaitFailure(WAIT);
        assertInstanceOf(GenerationEngine.BusyException.class, rejected.getFailure());
        assertTrue(rejected.getFailure().getMessage().contains("busy"));
        running.cancel();
        queued.awaitCompletion(WAIT);
        assertEquals(2, new Result(queued.getItems()).ids().length);
    }

    @Test
    void aPromptBeyondTheContextIsAClearError() {
        String huge = "word ".repeat(5000);
        AssertSubscriber<ModelChunk> s = engine.stream(request(huge, 2, 0, null, List.of()))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        s.awaitFailure(WAIT);
        assertTrue(
                s.getFailure().getMessage().contains("does not fit"),
                s.getFailure().getMessage());
        assertNotEquals(0, run(request(PROMPT, 1, 0, null, List.of())).ids().length);
    }
}
