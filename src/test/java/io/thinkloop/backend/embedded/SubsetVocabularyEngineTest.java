package io.thinkloop.backend.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.engine.InferenceState;
import io.thinkloop.engine.Model;
import io.thinkloop.engine.Vocabulary;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.testkit.TestData;
import io.thinkloop.testkit.TestTemp;
import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.SubsetVocabulary;
import io.thinkloop.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint trained on a vocabulary subset ({@code vocab.json} beside its weights, vocab_size = the subset's
 * size): the engine reads subset ids and writes subset logits, yet every token id the backend emits is a
 * DeepSeek-V3.2 id, and the text is the tokenizer's decoding of those ids.
 */
class SubsetVocabularyEngineTest {
    private static final String PROMPT =
            "<｜begin▁of▁sentence｜>You are helpful.<｜User｜>Plan a trip to Hangzhou 🤖<｜Assistant｜><think>";

    @Test
    void aSubsetCheckpointSpeaksV32IdsAtTheBackendsEdge() throws Exception {
        Tokenizer tokenizer = BundledTokenizer.get();
        Path dir = TestTemp.dir("subset-ckpt");
        Path tiny = TestData.tinyCheckpoint("sparse");
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(tiny.resolve(f), dir.resolve(f));
        }
        // The tiny checkpoint has 1024 embedding rows: a 1024-token subset of bytes, specials, the prompt's pieces
        // and base ids spread over the whole vocabulary (so subset ids and V3.2 ids differ almost everywhere).
        TreeSet<Integer> ids = new TreeSet<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            if (tokenizer.token(id) != null && SubsetVocabulary.isRequired(tokenizer, id)) {
                ids.add(id);
            }
        }
        Arrays.stream(tokenizer.encode(PROMPT)).forEach(ids::add);
        for (int id = 1000; ids.size() < 1024; id += 97) {
            if (!tokenizer.isAdded(id)) {
                ids.add(id);
            }
        }
        SubsetVocabulary subset = SubsetVocabulary.of(
                tokenizer, ids.stream().mapToInt(Integer::intValue).toArray());
        subset.write(dir.resolve(SubsetVocabulary.FILE));

        Model model = Model.load(dir, 2);
        Vocabulary vocabulary = Vocabulary.forCheckpoint(dir, tokenizer);
        assertTrue(vocabulary.isSubset());
        assertEquals(1024, vocabulary.sampleSize(model.config().vocabSize()));
        int max = 10;
        List<ModelChunk> chunks;
        try (GenerationEngine engine = new GenerationEngine(model, vocabulary, 512, 4, 1)) {
            CompletionRequest request = new CompletionRequest(
                    List.of(), List.of(), ThinkingMode.THINKING, PROMPT, CompletionRequest.Sampling.greedy(max));
            AssertSubscriber<ModelChunk> s =
                    engine.stream(request).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
            s.awaitCompletion(Duration.ofSeconds(60));
            chunks = new ArrayList<>(s.getItems());

            // The reference: the model driven directly on subset ids, argmax over the subset, mapped back.
            int[] prompt = subset.encode(PROMPT);
            assertEquals(PROMPT, tokenizer.decode(prompt), "the prompt still encodes (the emoji as byte tokens)");
            InferenceState st = model.newState(prompt.length + max);
            float[] logits = model.prefill(st, subset.toSubset(prompt));
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                int a = 0;
                for (int t = 1; t < 1024; t++) {
                    if (logits[t] > logits[a]) {
                        a = t;
                    }
                }
                expected.add(subset.toBase(a));
                if (subset.toBase(a) == BundledTokenizer.EOS) {
                    break;
                }
                logits = model.decode(st, a);
            }
            int[] emitted = chunks.stream()
                    .filter(c -> c instanceof ModelChunk.Text)
                    .flatMapToInt(c -> Arrays.stream(((ModelChunk.Text) c).tokenIds()))
                    .toArray();
            assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), emitted);
            for (int id : emitted) {
                assertTrue(subset.contains(id), "emitted id " + id + " is a V3.2 id of the subset");
            }
            assertTrue(
                    Arrays.stream(emitted).anyMatch(id -> subset.toSubset(id) != id), "V3.2 ids, not the model's ids");
            StringBuilder text = new StringBuilder();
            chunks.stream()
                    .filter(c -> c instanceof ModelChunk.Text)
                    .forEach(c -> text.append(((ModelChunk.Text) c).text()));
            assertEquals(tokenizer.decode(emitted).replace("<｜end▁of▁sentence｜>", ""), text.toString());
            for (ModelChunk c : chunks) {
                if (c instanceof ModelChunk.Text t) {
                    for (float lp : t.logprobs()) {
                        assertFalse(Float.isNaN(lp) || lp > 0, "logprob " + lp);
                    }
                }
            }
        }
    }
}
