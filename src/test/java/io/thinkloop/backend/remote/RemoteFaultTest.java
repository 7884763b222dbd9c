package io.thinkloop.backend.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.testkit.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults on a real loopback connection: each is retried when nothing was emitted yet, or surfaced as a
 * retryable {@link BackendException} — and the consumer never sees a piece of output twice.
 */
@ExtendWith(ReplayServerExtension.class)
class RemoteFaultTest {
    static final String PATH = "/v1/chat/completions";
    static final String ANSWER = "Zürich is 18 °C and sunny today. 🌤";
    static final String REASONING = "It is 18°C and sunny.";

    ReplayServer server;

    private static boolean warm;

    @BeforeEach
    void warmUp() throws Exception {
        if (!warm) {
            // The timeouts below are tight; a cold JVM on a busy machine can take seconds for its first request.
            try (ReplayServer warmUp = new ReplayServer()) {
                warmUp.enqueue(PATH, answer());
                subscribe(new RemoteChatBackend(RemoteConfig.of(warmUp.baseUrl(), "m", Provider.DEEPSEEK)))
                        .awaitCompletion(Duration.ofSeconds(30));
            }
            warm = true;
        }
    }

    RemoteConfig config() {
        return RemoteConfig.of(server.baseUrl(), "m", Provider.DEEPSEEK)
                .withRetries(3, Duration.ofMillis(20), Duration.ofMillis(200))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(400));
    }

    static AssertSubscriber<ModelChunk> subscribe(RemoteChatBackend backend) {
        return backend.stream(RemoteChatBackendTest.weatherQuestion())
                .subscribe()
                .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
    }

    static ReplayServer.Reply answer() {
        return ReplayServer.Reply.transcript("deepseek-answer.sse");
    }

    static void assertWholeAnswerOnce(List<ModelChunk> items) {
        Collected c = Collected.of(items);
        assertEquals(ANSWER, c.text());
        assertEquals(REASONING, c.reasoning());
        assertEquals("stop", c.endReason());
    }

    @Test
    void rateLimitWithRetryAfterIsHonouredThenRetried() {
        server.enqueue(
                PATH,
                ReplayServer.Reply.status(
                        429,
                        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}",
                        Map.of("Retry-After", "1", "Content-Type", "application/json")),
                answer());
        long t0 = System.nanoTime();
        List<ModelChunk> items = subscribe(new RemoteChatBackend(config()))
                .awaitCompletion(Duration.ofSeconds(10))
                .getItems();
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertWholeAnswerOnce(items);
        assertEquals(2, server.requests().size());
        assertTrue(waitedMs >= 1000, "waited " + waitedMs + " ms, Retry-After said 1 s");
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() {
        server.enqueue(
                PATH,
                ReplayServer.Reply.status(500, "{\"error\":{\"message\":\"Internal error\"}}", Map.of()),
                ReplayServer.Reply.status(503, "{\"error\":{\"message\":\"Service busy\"}}", Map.of()),
                answer());
        assertWholeAnswerOnce(subscribe(new RemoteChatBackend(config()))
                .awaitCompletion(Duration.ofSeconds(10))
                .getItems());
        assertEquals(3, server.requests().size());
    }

    @Test
    void exhaustedRetriesSurfaceARetryableError() {
        for (int i = 0; i < 4; i++) {
            server.enqueue(PATH, ReplayServer.Reply.status(502, "bad gateway", Map.of()));
        }
        AssertSubscriber<ModelChunk> s =
                subscribe(new RemoteChatBackend(config())).awaitFailure(Duration.ofSeconds(10));
        BackendException e = assertInstanceOf(BackendException.class, s.getFailure());
        assertEquals(ErrorCode.SERVER_ERROR, e.code());
        assertEquals(502, e.httpStatus());
        assertTrue(e.retryable());
        assertTrue(s.getItems().isEmpty());
        assertEquals(4, server.requests().size(), "first attempt + 3 retries");
    }

    @Test
    void tooLongRetryAfterIsNotWaitedFor() {
        server.enqueue(PATH, ReplayServer.Reply.status(429, "slow down", Map.of("Retry-After", "3600")), answer());
        BackendException e = assertInstanceOf(
                BackendException.class,
                subscribe(new RemoteChatBackend(config()))
                        .awaitFailure(Duration.ofSeconds(5))
                        .getFailure());
        assertEquals(ErrorCode.RATE_LIMITED, e.code());
        assertTrue(e.retryable());
        assertEquals(Duration.ofHours(1), e.retryAfter());
        assertEquals(1, server.requests().size());
    }

    @Test
    void connectionResetBeforeAnyOutputIsRetriedWithoutDuplicates() {
        // 300 bytes: inside the first event, so nothing was emitted when the connection drops.
        server.enqueue(PATH, answer().resetAfter(300), answer());
        assertWholeAnswerOnce(subscribe(new RemoteChatBackend(config()))
                .awaitCompletion(Duration.ofSeconds(10))
                .getItems());
        assertEquals(2, server.requests().size());
    }

    @Test
    void connectionResetMidStreamAfterOutputSurfacesARetryableErrorAndNoDuplicates() {
        server.enqueue(PATH, answer().resetAfter(1800), answer());
        AssertSubscriber<ModelChunk> s =
                subscribe(new RemoteChatBackend(config())).awaitFailure(Duration.ofSeconds(10));
        BackendException e = assertInstanceOf(BackendException.class, s.getFailure());
        assertEquals(ErrorCode.STREAM_INTERRUPTED, e.code());
        assertTrue(e.retryable());
        assertEquals(1, server.requests().size(), "no silent retry once output was emitted");
        assertTrue(e.getMessage().contains("connection_lost"), e.getMessage());
        assertFalse(s.getItems().isEmpty());
        Collected partial = Collected.of(s.getItems());
        assertTrue(REASONING.startsWith(partial.reasoning()), partial.reasoning());
        assertTrue(
                ANSWER.startsWith(partial.text()), "partial output is a prefix, nothing repeated: " + partial.text());
        assertTrue(partial.reasoning().length() + partial.text().length() > 0);
    }

    @Test
    void stalledStreamBeforeOutputTimesOutAndIsRetried() {
        server.enqueue(PATH, answer().stallAfter(0), answer());
        assertWholeAnswerOnce(subscribe(new RemoteChatBackend(config()))
                .awaitCompletion(Duration.ofSeconds(10))
                .getItems());
        assertEquals(2, server.requests().size());
    }

    @Test
    void stalledStreamAfterOutputSurfacesARetryableIdleTimeout() {
        server.enqueue(PATH, answer().stallAfter(1800), answer());
        AssertSubscriber<ModelChunk> s =
                subscribe(new RemoteChatBackend(config())).awaitFailure(Duration.ofSeconds(10));
        BackendException e = assertInstanceOf(BackendException.class, s.getFailure());
        assertEquals(ErrorCode.STREAM_INTERRUPTED, e.code());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("idle_timeout"), e.getMessage());
        assertEquals(1, server.requests().size());
        assertTrue(ANSWER.startsWith(Collected.of(s.getItems()).text()));
    }

    @Test
    void firstTokenTimeoutCoversASlowServer() {
        RemoteConfig c = config().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5))
                .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10));
        server.enqueue(PATH, answer().stallAfter(0), answer().stallAfter(0));
        BackendException e = assertInstanceOf(
                BackendException.class,
                subscribe(new RemoteChatBackend(c))
                        .awaitFailure(Duration.ofSeconds(10))
                        .getFailure());
        assertEquals(ErrorCode.FIRST_TOKEN_TIMEOUT, e.code());
        assertTrue(e.retryable());
        assertEquals(2, server.requests().size());
    }

    @Test
    void aLongStreamOutlivesTheFirstTokenTimeout() {
        // 9 events, 250 ms apart: about 2 s in all, well past the 1 s first-token limit, never idle for 600 ms.
        RemoteConfig c = config().withTimeouts(Duration.ofMillis(1000), Duration.ofMillis(600))
                .withRetries(0, Duration.ofMillis(1), Duration.ofMillis(1));
        server.enqueue(PATH, answer().delay(250));
        long t0 = System.nanoTime();
        assertWholeAnswerOnce(subscribe(new RemoteChatBackend(c))
                .awaitCompletion(Duration.ofSeconds(10))
                .getItems());
        assertTrue(System.nanoTime() - t0 > Duration.ofMillis(1500).toNanos());
        assertEquals(1, server.requests().size());
    }

    @Test
    void connectionRefusedIsRetryable() throws Exception {
        String base = server.baseUrl();
        server.close();
        RemoteConfig c =
                RemoteConfig.of(base, "m", Provider.VLLM).withRetries(2, Duration.ofMillis(10), Duration.ofMillis(20));
        BackendException e = assertInstanceOf(
                BackendException.class,
                subscribe(new RemoteChatBackend(c))
                        .awaitFailure(Duration.ofSeconds(10))
                        .getFailure());
        assertEquals(ErrorCode.CONNECT_FAILED, e.code());
        assertTrue(e.retryable());
        server = new ReplayServer();
    }

    @Test
    void circuitBreakerOpensAfterRepeatedFailuresAndFailsFast() {
        RemoteConfig c = config().withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10))
                .withBreaker(2, Duration.ofMillis(500));
        RemoteChatBackend backend = new RemoteChatBackend(c);
        server.enqueue(
                PATH, ReplayServer.Reply.status(500, "x", Map.of()), ReplayServer.Reply.status(500, "x", Map.of()));
        subscribe(backend).awaitFailure(Duration.ofSeconds(5));
        subscribe(backend).awaitFailure(Duration.ofSeconds(5));
        assertEquals(CircuitBreaker.State.OPEN, backend.breakerState());
        BackendException open = assertInstanceOf(
                BackendException.class,
                subscribe(backend).awaitFailure(Duration.ofSeconds(5)).getFailure());
        assertEquals(ErrorCode.CIRCUIT_OPEN, open.code());
        // Not retryable: asking again at once fails the same way; retryAfter says when the breaker lets one through.
        assertFalse(open.retryable());
        assertEquals(Duration.ofMillis(500), open.retryAfter());
        assertEquals(2, server.requests().size(), "the open circuit sent nothing");
        // After the open period one trial goes through; its success closes the circuit.
        server.enqueue(PATH, answer());
        Await.until(
                "the circuit half-open after its open period",
                () -> backend.breakerState() == CircuitBreaker.State.HALF_OPEN);
        assertWholeAnswerOnce(
                subscribe(backend).awaitCompletion(Duration.ofSeconds(5)).getItems());
        assertEquals(CircuitBreaker.State.CLOSED, backend.breakerState());
    }

    @Test
    void deepSeekOverloadFinishReasonIsARetryableInterruption() {
        String overloaded = new String(ReplayServer.resource("deepseek-answer.sse"), StandardCharsets.UTF_8)
                .replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"insufficient_system_resource\"");
        server.enqueue(
                PATH,
                new ReplayServer.Reply(
                        200,
                        Map.of("Content-Type", "text/event-stream"),
                        overloaded.getBytes(StandardCharsets.UTF_8),
                        0,
                        0,
                        -1,
                        -1,
                        false),
                answer());
        AssertSubscriber<ModelChunk> s =
                subscribe(new RemoteChatBackend(config())).awaitFailure(Duration.ofSeconds(10));
        BackendException e = assertInstanceOf(BackendException.class, s.getFailure());
        assertEquals(ErrorCode.STREAM_INTERRUPTED, e.code());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("insufficient_system_resource"), e.getMessage());
        assertEquals(ANSWER, Collected.of(s.getItems()).text(), "what came before is passed on once, and no End");
        assertEquals(1, server.requests().size());
    }

    @Test
    void aJsonAnswerToAStreamRequestIsAClearNonRetryableError() {
        server.enqueue(
                PATH,
                ReplayServer.Reply.status(
                        200,
                        "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}",
                        Map.of("Content-Type", "application/json")),
                answer());
        BackendException e = assertInstanceOf(
                BackendException.class,
                subscribe(new RemoteChatBackend(config()))
                        .awaitFailure(Duration.ofSeconds(10))
                        .getFailure());
        assertEquals(ErrorCode.BAD_RESPONSE, e.code());
        assertTrue(!e.retryable());
        assertTrue(e.getMessage().contains("application/json"), e.getMessage());
        assertEquals(1, server.requests().size());
    }

    @Test
    void cancellingTheSubscriptionAbortsTheRequest() throws Exception {
        server.enqueue(PATH, answer().delay(200));
        AssertSubscriber<ModelChunk> s = subscribe(new RemoteChatBackend(config()));
        s.awaitItems(1, Duration.ofSeconds(5));
        s.cancel();
        int seen = s.getItems().size();
        // The request is aborted: the server sees its client close the connection mid-reply.
        Await.until("the server's reply abandoned by the client", () -> server.abandonedResponses() == 1);
        assertEquals(seen, s.getItems().size(), "no items after cancel");
    }
}
