package io.thinkloop.backend.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.testkit.TestData;
import io.thinkloop.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The completions backend against a loopback server playing vLLM's {@code /v1/completions} stream with logprobs and token ids. */
@ExtendWith(ReplayServerExtension.class)
class RemoteCompletionsBackendTest {
    ReplayServer server;

    static final String PROMPT = "<｜begin▁of▁sentence｜><｜User｜>Weather in Zürich?<｜Assistant｜><think>";

    CompletionRequest request() {
        return new CompletionRequest(
                List.of(ChatMessage.user("Weather in Zürich?")),
                List.of(),
                ThinkingMode.THINKING,
                PROMPT,
                new CompletionRequest.Sampling(256, 1.0, 1.0, 0, 42L, List.of()));
    }

    @Test
    void streamsTextWithTokenIdsAndLogprobsAndMarksTheEnd() {
        server.enqueue(
                "/v1/completions",
                ReplayServer.Reply.transcript("vllm-completions.sse").chunked(5));
        RemoteConfig config = RemoteConfig.of(server.baseUrl(), "deepseek-ai/DeepSeek-V3.2", Provider.VLLM);
        List<ModelChunk> items = new RemoteCompletionsBackend(config)
                .stream(request())
                        .subscribe()
                        .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                        .awaitCompletion(Duration.ofSeconds(10))
                        .getItems();

        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        List<Float> logprobs = new ArrayList<>();
        ModelChunk.Usage usage = null;
        for (ModelChunk c : items) {
            if (c instanceof ModelChunk.Text t) {
                text.append(t.text());
                for (int id : t.tokenIds()) {
                    ids.add(id);
                }
                for (float lp : t.logprobs()) {
                    logprobs.add(lp);
                }
                assertEquals(t.tokenIds().length, t.logprobs().length, "one logprob per token");
            } else if (c instanceof ModelChunk.Usage u) {
                usage = u;
            }
        }
        assertEquals("Weather check</think>Zürich is sunny.<｜end▁of▁sentence｜>", text.toString());
        assertEquals(List.of(42853, 2268, 128799, 62, 9081, 344, 42432, 16, 1), ids);
        assertEquals(
                List.of(-0.0213f, -1.2507f, -0.0004f, -0.311f, -0.0021f, -0.5f, -0.25f, -0.125f, -0.0625f), logprobs);
        assertEquals(new ModelChunk.Usage(120, 9, 0), usage);

        JsonNode body = server.requests().get(0);
        assertEquals(PROMPT, body.path("prompt").asText());
        assertEquals(1, body.path("logprobs").asInt());
        assertTrue(body.path("return_token_ids").asBoolean());
        assertFalse(body.path("skip_special_tokens").asBoolean(true));
        assertTrue(body.path("stream").asBoolean());
        assertEquals(42, body.path("seed").asInt());
        assertEquals(256, body.path("max_tokens").asInt());
    }

    @Test
    void tokensSpelledAsIdsAreReadWhenTokenIdsAreAbsent() throws Exception {
        String sse =
                "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"Hi\",\"logprobs\":"
                        + "{\"tokens\":[\"token_id:13048\"],\"token_logprobs\":[-0.5]},\"finish_reason\":null}]}\n\n"
                        + "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" there\",\"logprobs\":"
                        + "{\"tokens\":[\"token_id:1663\"],\"token_logprobs\":[-0.25]},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n";
        server.enqueue(
                "/v1/completions",
                new ReplayServer.Reply(200, Map.of(), sse.getBytes(StandardCharsets.UTF_8), 0, 0, -1, -1, false));
        List<ModelChunk> items = new RemoteCompletionsBackend(RemoteConfig.of(server.baseUrl(), "m", Provider.SGLANG))
                .stream(request())
                        .subscribe()
                        .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                        .awaitCompletion(Duration.ofSeconds(10))
                        .getItems();
        assertEquals(2, items.size(), "a length stop gets no end-of-sentence text");
        assertArrayEquals(new int[] {13048}, ((ModelChunk.Text) items.get(0)).tokenIds());
        assertArrayEquals(new int[] {1663}, ((ModelChunk.Text) items.get(1)).tokenIds());
        assertTrue(server.requests().get(0).path("return_token_ids").isMissingNode());
    }

    @Test
    void withATokenizerThePromptGoesOutAsTokenIds() throws Exception {
        Tokenizer tokenizer = Tokenizer.load(TestData.tokenizerJson());
        server.enqueue("/v1/completions", ReplayServer.Reply.transcript("vllm-completions.sse"));
        new RemoteCompletionsBackend(RemoteConfig.of(server.baseUrl(), "m", Provider.VLLM), tokenizer)
                .stream(request())
                        .subscribe()
                        .withSubscriber(AssertSubscriber.<ModelChunk>create(Long.MAX_VALUE))
                        .awaitCompletion(Duration.ofSeconds(10));
        JsonNode prompt = server.requests().get(0).path("prompt");
        assertTrue(prompt.isArray());
        int[] ids = new int[prompt.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = prompt.get(i).asInt();
        }
        assertEquals(0, ids[0], "BOS is its id, not text");
        assertEquals(128803, ids[1], "<｜User｜>");
        assertEquals(128798, ids[ids.length - 1], "<think>");
        assertEquals(PROMPT, tokenizer.decode(ids));
    }

    @Test
    void aRequestWithoutPromptIsRefused() {
        CompletionRequest noPrompt = new CompletionRequest(
                List.of(ChatMessage.user("x")),
                List.of(),
                ThinkingMode.CHAT,
                null,
                CompletionRequest.Sampling.greedy(5));
        Throwable f = new RemoteCompletionsBackend(RemoteConfig.of(server.baseUrl(), "m", Provider.VLLM))
                .stream(noPrompt)
                        .subscribe()
                        .withSubscriber(AssertSubscriber.<ModelChunk>create(1))
                        .awaitFailure()
                        .getFailure();
        assertEquals(ErrorCode.BAD_REQUEST, ((BackendException) f).code());
        assertTrue(server.requests().isEmpty());
    }
}
