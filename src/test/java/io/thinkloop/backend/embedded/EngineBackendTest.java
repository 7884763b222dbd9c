package io.thinkloop.backend.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CDI bean's own logic, without Quarkus: lazy load, waiting while loading, the default model's cap. */
class EngineBackendTest {
    @TempDir
    Path data;

    EngineBackend backend(Optional<Path> checkpoint) {
        EngineBackend b = new EngineBackend();
        b.selectedBackend = "other";
        b.dataDir = data;
        b.checkpoint = checkpoint;
        b.tokenizerFile = Optional.empty();
        b.seed = 11;
        b.threads = Optional.of(2);
        b.maxContext = 2048;
        b.prefillBatch = 64;
        b.queueSize = 2;
        b.defaultModelMaxTokens = 5;
        return b;
    }

    @Test
    void aRequestBeforeTheModelIsLoadedWaitsAndTheDefaultModelIsCappedAndUntrained() {
        EngineBackend b = backend(Optional.empty());
        assertEquals(EngineBackend.State.IDLE, b.state());
        CompletionRequest r = new CompletionRequest(
                List.of(),
                List.of(),
                ThinkingMode.CHAT,
                GenerationEngineTest.PROMPT,
                CompletionRequest.Sampling.greedy(1000));
        AssertSubscriber<ModelChunk> s =
                b.stream(r).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        s.awaitCompletion(Duration.ofSeconds(120));
        assertEquals(EngineBackend.State.READY, b.state());
        ModelChunk.Usage u = (ModelChunk.Usage) s.getItems().getLast();
        assertEquals(5, u.completionTokens(), "capped at default-max-tokens");
        assertTrue(Files.exists(EmbeddedDefault.directory(data, 11).resolve("model.safetensors")));
        assertTrue(b.untrained());
        assertTrue(String.valueOf(b.info().get("notice")).contains("UNTRAINED"));
        assertEquals("ready", b.info().get("state"));
    }

    @Test
    void aMissingCheckpointFailsRequestsClearlyAndIsReported() {
        EngineBackend b = backend(Optional.of(data.resolve("nope")));
        AssertSubscriber<ModelChunk> s = b.stream(new CompletionRequest(
                        List.of(),
                        List.of(),
                        ThinkingMode.CHAT,
                        GenerationEngineTest.PROMPT,
                        CompletionRequest.Sampling.greedy(3)))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        s.awaitFailure(Duration.ofSeconds(60));
        assertTrue(
                s.getFailure().getMessage().contains("could not be loaded"),
                s.getFailure().getMessage());
        assertEquals(EngineBackend.State.FAILED, b.state());
        assertEquals("failed", b.info().get("state"));
        assertTrue(b.info().containsKey("error"));
    }
}
