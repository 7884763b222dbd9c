package io.thinkloop.train.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.codec.AgentPrompt;
import io.thinkloop.codec.DeepSeekV32Codec;
import io.thinkloop.json.Json;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ParsedMessage;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolCall;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.synth.Domains;
import io.thinkloop.synth.Verdict;
import io.thinkloop.testkit.TestTemp;
import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SftTrajectoryTest {
    private static final Tokenizer TOKENIZER = BundledTokenizer.get();
    private static List<Trajectory> trajectories;

    @BeforeAll
    static void solveTasksOfEveryDomainAndLevel() {
        // Two databases, both domains, six tasks per (seed, domain): every difficulty twice.
        trajectories = SftData.trajectories(List.of(3L, 4L), 24, Domains.NAMES, null);
    }

    @Test
    void everyDomainAndDifficultyIsCovered() {
        assertEquals(24, trajectories.size());
        for (String domain : Domains.NAMES) {
            for (int level = 1; level <= 3; level++) {
                int l = level;
                assertTrue(
                        trajectories.stream()
                                .anyMatch(t -> t.task().domain().equals(domain)
                                        && t.task().difficulty() == l),
                        domain + " level " + level);
            }
        }
    }

    @Test
    void everyTrajectorysSubmissionPassesTheTasksVerifier() {
        for (Trajectory t : trajectories) {
            Verdict v = t.verdict();
            assertEquals(List.of(), v.failures(), t.task().id());
            assertTrue(v.checks() > 0);
        }
    }

    @Test
    void theSubmissionIsTheLastToolCallAndTheToolAcceptedIt() throws Exception {
        for (Trajectory t : trajectories) {
            List<ChatMessage> h = t.history();
            ChatMessage submit = h.get(h.size() - 3);
            assertEquals(1, submit.toolCalls().size());
            ToolCall call = submit.toolCalls().getFirst();
            assertEquals("submit_result", call.name());
            assertEquals(t.submission(), Json.MAPPER.readTree(call.arguments()));
            ChatMessage result = h.get(h.size() - 2);
            assertEquals(ChatMessage.Role.TOOL, result.role());
            assertFalse(result.content().contains("error"), result.content());
            assertNull(h.getLast().toolCalls());
            assertFalse(h.getLast().content().isBlank());
        }
    }

    @Test
    void everyStepReasonsBeforeItActs() {
        for (Trajectory t : trajectories) {
            for (ChatMessage m : t.history()) {
                if (m.role() == ChatMessage.Role.ASSISTANT) {
                    assertFalse(m.reasoningContent().isBlank(), t.task().id());
                }
            }
        }
    }

    @Test
    void theToolsAreOfferedAsTheAgentOffersThem() {
        for (Trajectory t : trajectories) {
            List<String> names = t.tools().stream().map(ToolSpec::name).toList();
            List<String> sorted = new ArrayList<>(names);
            sorted.sort(null);
            assertEquals(sorted, names);
            assertTrue(names.contains("submit_result"));
            assertEquals(t.task().environment().tools().size(), names.size(), "every tool of the server is offered");
            ChatMessage system = t.conversation().getFirst();
            assertEquals(ChatMessage.Role.SYSTEM, system.role());
            assertEquals("", system.content());
            assertEquals(t.tools(), system.tools());
        }
    }

    @Test
    void theRenderingEqualsTheCodecsEncodingOfTheConversation() {
        for (Trajectory t : trajectories) {
            Rendering r = Rendering.of(t.conversation(), TOKENIZER);
            String encoded = DeepSeekV32Codec.encode(t.conversation(), ThinkingMode.THINKING, true, true);
            assertEquals(encoded, r.text());
            assertArrayEquals(TOKENIZER.encode(encoded), r.tokens());
            assertEquals(0, r.tokens()[0], "BOS");
            assertEquals(BundledTokenizer.EOS, r.tokens()[r.tokens().length - 1]);
        }
    }

    @Test
    void eachStepsPromptIsAPrefixAndTheWeightedTokensAreExactlyTheCompletionsThatParseBack() throws Exception {
        for (Trajectory t : trajectories) {
            List<ChatMessage> conv = t.conversation();
            Rendering r = Rendering.of(conv, TOKENIZER);
            float[] w = r.lossWeight();
            int weighted = 0;
            for (int i = 0; i < conv.size(); i++) {
                ChatMessage m = conv.get(i);
                if (m.role() != ChatMessage.Role.ASSISTANT) {
                    continue;
                }
                // The agent's prompt for this step, then what the model must write.
                String prompt = AgentPrompt.encode(conv.subList(0, i));
                assertTrue(prompt.endsWith("<think>"));
                int[] p = TOKENIZER.encode(prompt);
                int[] upTo = TOKENIZER.encode(AgentPrompt.encode(conv.subList(0, i + 1)));
                assertArrayEquals(p, Arrays.copyOf(r.tokens(), p.length));
                int[] completion = Arrays.copyOfRange(upTo, p.length, upTo.length);
                assertArrayEquals(completion, Arrays.copyOfRange(r.tokens(), p.length, upTo.length));
                for (int pos = p.length - 1; pos < upTo.length - 1; pos++) {
                    assertEquals(1f, w[pos], "position " + pos + " predicts a token the model writes");
                }
                assertEquals(BundledTokenizer.EOS, completion[completion.length - 1]);
                weighted += completion.length;
                ParsedMessage parsed = DeepSeekV32Codec.parse(TOKENIZER.decode(completion), ThinkingMode.THINKING);
                assertEquals(m.reasoningContent(), parsed.reasoningContent());
                assertEquals(m.content(), parsed.content());
                List<ToolCall> calls = m.toolCalls() == null ? List.of() : m.toolCalls();
                assertEquals(calls.size(), parsed.toolCalls().size());
                for (int c = 0; c < calls.size(); c++) {
                    assertEquals(calls.get(c).name(), parsed.toolCalls().get(c).name());
                    assertEquals(
                            Json.MAPPER.readTree(calls.get(c).arguments()),
                            Json.MAPPER.readTree(parsed.toolCalls().get(c).arguments()));
                }
            }
            // Nothing else is weighted: not the system prompt, the user's text or any tool result.
            float sum = 0;
            for (float x : w) {
                sum += x;
            }
            assertEquals(weighted, (int) sum, t.task().id());
        }
    }

    @Test
    void examplesRoundTripThroughJsonl() throws Exception {
        List<TrainingExample> examples = List.of(
                SftData.example(trajectories.get(0), SftData.TRAIN, TOKENIZER),
                SftData.example(trajectories.get(1), SftData.EVAL, TOKENIZER));
        Path file = TestTemp.file("sft", ".jsonl");
        TrainingExample.writeJsonl(file, examples);
        List<TrainingExample> back = TrainingExample.readJsonl(file);
        assertEquals(2, back.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(examples.get(i).id(), back.get(i).id());
            assertEquals(examples.get(i).split(), back.get(i).split());
            assertEquals(examples.get(i).dbSeed(), back.get(i).dbSeed());
            assertArrayEquals(examples.get(i).tokens(), back.get(i).tokens());
            assertArrayEquals(examples.get(i).lossWeight(), back.get(i).lossWeight());
        }
        String first = Files.readAllLines(file).getFirst();
        assertTrue(
                first.contains("\"db_seed\":3")
                        && first.contains("\"loss_weight\":[")
                        && first.contains("\"split\":\"train\""),
                first);
    }

    @Test
    void trainAndEvalSeedsMustBeDisjoint() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new SftData.Options(List.of(1L, 42L), List.of(42L), 1, 1, Domains.NAMES, null));
        assertTrue(e.getMessage().contains("42"));
        assertTrue(SftData.DEFAULT_TRAIN_SEEDS.stream().noneMatch(SftData.DEFAULT_EVAL_SEEDS::contains));
    }

    @Test
    void generatedExamplesTakeTheirSplitFromTheirDatabaseSeed() {
        List<TrainingExample> all = SftData.generate(
                new SftData.Options(List.of(5L), List.of(42L), 2, 2, List.of("retail"), null), TOKENIZER);
        assertEquals(4, all.size());
        for (TrainingExample e : all) {
            assertEquals(e.dbSeed() == 42 ? SftData.EVAL : SftData.TRAIN, e.split(), e.id());
            assertTrue(e.weightedPositions() > 0);
        }
        assertEquals(2, all.stream().filter(e -> e.split().equals(SftData.EVAL)).count());
    }
}
