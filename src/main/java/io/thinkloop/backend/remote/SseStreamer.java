package io.thinkloop.backend.remote;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.openai.ChatStreamDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * POSTs a JSON body to an SSE endpoint and streams the decoded items, with the resilience rules of the
 * remote backends:
 * <ul>
 * <li>429, 408, 5xx, lost connections and timeouts are retried with exponential backoff and jitter
 * (honouring {@code Retry-After}) — but only while nothing has been emitted, so the consumer never sees
 * output twice. After the first item such failures end the stream with a retryable
 * {@link BackendException} ({@link ErrorCode#STREAM_INTERRUPTED}).</li>
 * <li>Timeouts: connect (client), first item (from each attempt's start), idle (gap between bytes).</li>
 * <li>A {@link CircuitBreaker} fails requests fast while the server keeps failing.</li>
 * <li>Cancelling the subscription aborts the HTTP exchange.</li>
 * </ul>
 * Non-blocking: {@link HttpClient#sendAsync} with a streaming body subscriber; timers on one daemon thread.
 */
final class SseStreamer {
    private static final Logger LOG = Logger.getLogger(SseStreamer.class);
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "thinkloop-remote-timers");
        t.setDaemon(true);
        return t;
    });

    private final RemoteConfig config;
    private final HttpClient client;
    private final CircuitBreaker breaker;

    SseStreamer(RemoteConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .build();
        this.breaker = new CircuitBreaker(config.breakerFailures(), config.breakerOpen());
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    <T> Multi<T> stream(String path, byte[] body, Supplier<SseHandler<T>> handlers) {
        URI uri = config.endpoint(path);
        return Multi.createFrom()
                .emitter(em -> new Call<>(uri, body, handlers, em).start(), BackPressureStrategy.BUFFER);
    }

    /** One logical request: attempts until success, a final failure, or cancellation. */
    private final class Call<T> {
        private final URI uri;
        private final byte[] body;
        private final Supplier<SseHandler<T>> handlers;
        private final MultiEmitter<? super T> emitter;
        private int attempt;
        private int generation;
        private boolean emittedAny;
        private boolean finished;
        private CompletableFuture<?> inFlight;
        private Flow.Subscription subscription;
        private ScheduledFuture<?> firstItemTimer;
        private ScheduledFuture<?> idleTimer;
        private ScheduledFuture<?> retryTimer;

        Call(URI uri, byte[] body, Supplier<SseHandler<T>> handlers, MultiEmitter<? super T> emitter) {
            this.uri = uri;
            this.body = body;
            this.handlers = handlers;
            this.emitter = emitter;
        }

        void start() {
            emitter.onTermination(this::abort);
            launch();
        }

        private void launch() {
            int gen;
            SseHandler<T> handler;
            synchronized (this) {
                if (finished) {
                    return;
                }
                gen = ++generation;
                handler = handlers.get();
            }
            if (!breaker.tryAcquire()) {
                finish(new BackendException(
                        ErrorCode.CIRCUIT_OPEN,
                        503,
                        ErrorCode.CIRCUIT_OPEN.retryable(),
                        config.breakerOpen(),
                        "circuit breaker open for " + config.baseUrl() + " after repeated failures; try again later",
                        null));
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(config.firstTokenTimeout())
                    .header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (config.apiKey() != null) {
                request.header("Authorization", "Bearer " + config.apiKey());
            }
            synchronized (this) {
                if (gen != generation) {
                    return;
                }
                firstItemTimer = TIMERS.schedule(
                        () -> attemptFailed(
                                gen,
                                new BackendException(
                                        ErrorCode.FIRST_TOKEN_TIMEOUT,
                                        0,
                                        true,
                                        null,
                                        "no output within "
                                                + config.firstTokenTimeout().toMillis() + " ms",
                                        null)),
                        config.firstTokenTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
                CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> future =
                        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofPublisher());
                inFlight = future;
                future.whenComplete((response, error) -> {
                    if (error != null) {
                        attemptFailed(gen, classify(error));
                    } else {
                        onResponse(gen, handler, response);
                    }
                });
            }
        }

        private void onResponse(
                int gen, SseHandler<T> handler, HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
            int status = response.statusCode();
            if (status != 200) {
                response.body()
                        .subscribe(
                                new ErrorBodyCollector(text -> attemptFailed(gen, httpError(status, text, response))));
                return;
            }
            String type = response.headers().firstValue("Content-Type").orElse("text/event-stream");
            if (!type.startsWith("text/event-stream")) {
                // A server that ignored stream=true, or a proxy's page: asking again will not help.
                response.body()
                        .subscribe(new ErrorBodyCollector(text -> attemptFailed(
                                gen,
                                new BackendException(
                                        ErrorCode.BAD_RESPONSE,
                                        status,
                                        false,
                                        null,
                                        "expected an event stream from " + response.uri() + ", got " + type + ": "
                                                + ChatStreamDecoder.abbreviate(text.strip()),
                                        null))));
                return;
            }
            response.body().subscribe(new Flow.Subscriber<>() {
                private final SseDecoder decoder = new SseDecoder();

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    synchronized (Call.this) {
                        if (gen != generation || finished) {
                            s.cancel();
                            return;
                        }
                        subscription = s;
                        armIdleTimer(gen);
                    }
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(List<ByteBuffer> buffers) {
                    synchronized (Call.this) {
                        if (gen != generation || finished) {
                            return;
                        }
                        armIdleTimer(gen);
                    }
                    List<T> items = new ArrayList<>();
                    try {
                        for (ByteBuffer buffer : buffers) {
                            for (String data : decoder.feed(buffer)) {
                                items.addAll(handler.onData(data));
                            }
                        }
                    } catch (BackendException e) {
                        emit(gen, items);
                        attemptFailed(gen, e);
                        return;
                    } catch (RuntimeException e) {
                        emit(gen, items);
                        attemptFailed(
                                gen,
                                new BackendException(
                                        ErrorCode.BAD_RESPONSE,
                                        0,
                                        false,
                                        null,
                                        "unreadable stream from " + uri + ": " + e.getMessage(),
                                        e));
                        return;
                    }
                    emit(gen, items);
                }

                @Override
                public void onError(Throwable t) {
                    attemptFailed(gen, classify(t));
                }

                @Override
                public void onComplete() {
                    if (!handler.complete()) {
                        attemptFailed(
                                gen,
                                new BackendException(
                                        ErrorCode.STREAM_TRUNCATED,
                                        0,
                                        true,
                                        null,
                                        "the server closed the stream before it was complete",
                                        null));
                        return;
                    }
                    List<T> tail;
                    try {
                        tail = handler.onEnd();
                    } catch (BackendException e) {
                        attemptFailed(gen, e);
                        return;
                    }
                    emit(gen, tail);
                    breaker.onSuccess();
                    succeed(gen);
                }
            });
        }

        private void emit(int gen, List<T> items) {
            if (items.isEmpty()) {
                return;
            }
            synchronized (this) {
                if (gen != generation || finished) {
                    return;
                }
                if (!emittedAny) {
                    emittedAny = true;
                    cancel(firstItemTimer);
                }
                for (T item : items) {
                    emitter.emit(item);
                }
            }
        }

        private void armIdleTimer(int gen) {
            cancel(idleTimer);
            idleTimer = TIMERS.schedule(
                    () -> attemptFailed(
                            gen,
                            new BackendException(
                                    ErrorCode.IDLE_TIMEOUT,
                                    0,
                                    true,
                                    null,
                                    "the stream stalled for "
                                            + config.idleTimeout().toMillis() + " ms",
                                    null)),
                    config.idleTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        private void attemptFailed(int gen, BackendException error) {
            long delayMs;
            synchronized (this) {
                if (gen != generation || finished) {
                    return;
                }
                generation++;
                stopAttempt();
                if (countsAgainstServer(error)) {
                    breaker.onFailure();
                } else {
                    breaker.onNeutral();
                }
                boolean mayRetry = error.retryable() && !emittedAny && attempt < config.maxRetries();
                if (mayRetry
                        && error.retryAfter() != null
                        && error.retryAfter().compareTo(config.maxRetryAfter()) > 0) {
                    mayRetry = false;
                }
                if (!mayRetry) {
                    delayMs = -1;
                } else {
                    attempt++;
                    delayMs = backoffMillis(attempt, error.retryAfter());
                    LOG.debugf("retry %d of %s in %d ms after %s", attempt, uri, delayMs, error.getMessage());
                    retryTimer = TIMERS.schedule(this::launch, delayMs, TimeUnit.MILLISECONDS);
                }
            }
            if (delayMs < 0) {
                if (emittedAny && error.retryable()) {
                    finish(new BackendException(
                            ErrorCode.STREAM_INTERRUPTED,
                            error.httpStatus(),
                            true,
                            error.retryAfter(),
                            "stream interrupted after partial output (" + error.code() + ": " + error.getMessage()
                                    + "); discard the partial output and retry",
                            error));
                } else {
                    finish(error);
                }
            }
        }

        private long backoffMillis(int retry, Duration retryAfter) {
            long exp = config.backoffBase().toMillis() << Math.min(retry - 1, 20);
            long capped = Math.min(exp, config.backoffMax().toMillis());
            long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
            return retryAfter == null ? jittered : Math.max(retryAfter.toMillis(), jittered);
        }

        private void succeed(int gen) {
            synchronized (this) {
                if (gen != generation || finished) {
                    return;
                }
                finished = true;
                stopAttempt();
            }
            emitter.complete();
        }

        private void finish(BackendException error) {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
                stopAttempt();
            }
            emitter.fail(error);
        }

        /** Downstream cancelled (or the stream terminated): stop everything. */
        private void abort() {
            boolean wasRunning;
            synchronized (this) {
                wasRunning = !finished;
                finished = true;
                generation++;
                stopAttempt();
                cancel(retryTimer);
            }
            if (wasRunning) {
                breaker.onNeutral();
            }
        }

        private void stopAttempt() {
            cancel(firstItemTimer);
            cancel(idleTimer);
            if (subscription != null) {
                subscription.cancel();
                subscription = null;
            }
            if (inFlight != null) {
                inFlight.cancel(true);
                inFlight = null;
            }
        }

        private static void cancel(ScheduledFuture<?> timer) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    private static boolean countsAgainstServer(BackendException e) {
        return e.retryable() && e.code() != ErrorCode.CIRCUIT_OPEN;
    }

    static BackendException classify(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof BackendException b) {
            return b;
        }
        if (t instanceof HttpConnectTimeoutException) {
            return new BackendException(
                    ErrorCode.CONNECT_TIMEOUT, 0, true, null, "connect timed out: " + t.getMessage(), t);
        }
        if (t instanceof HttpTimeoutException) {
            return new BackendException(
                    ErrorCode.FIRST_TOKEN_TIMEOUT, 0, true, null, "no response headers in time: " + t.getMessage(), t);
        }
        if (t instanceof ConnectException) {
            return new BackendException(ErrorCode.CONNECT_FAILED, 0, true, null, "cannot connect: " + t, t);
        }
        if (t instanceof IOException) {
            return new BackendException(ErrorCode.CONNECTION_LOST, 0, true, null, "connection lost: " + t, t);
        }
        if (t instanceof CancellationException) {
            return new BackendException(ErrorCode.CANCELLED, 0, false, null, "cancelled", t);
        }
        return new BackendException(ErrorCode.CLIENT_ERROR, 0, false, null, String.valueOf(t), t);
    }

    static BackendException httpError(int status, String body, HttpResponse<?> response) {
        boolean retryable = status == 429 || status == 408 || status >= 500;
        Duration retryAfter = response.headers()
                .firstValue("Retry-After")
                .map(SseStreamer::parseRetryAfter)
                .orElse(null);
        ErrorCode code =
                status == 429 ? ErrorCode.RATE_LIMITED : status >= 500 ? ErrorCode.SERVER_ERROR : ErrorCode.HTTP_ERROR;
        String detail = body == null ? "" : body.strip();
        if (detail.length() > 2000) {
            detail = detail.substring(0, 2000) + "…";
        }
        return new BackendException(
                code,
                status,
                retryable,
                retryAfter,
                "HTTP " + status + " from " + response.uri() + (detail.isEmpty() ? "" : ": " + detail),
                null);
    }

    static Duration parseRetryAfter(String value) {
        String v = value.trim();
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(
                        ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException notDate) {
                return null;
            }
        }
    }

    /** Reads a small error body (up to 64 KiB) as text. */
    private static final class ErrorBodyCollector implements Flow.Subscriber<List<ByteBuffer>> {
        private final Consumer<String> done;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        ErrorBodyCollector(Consumer<String> done) {
            this.done = done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            for (ByteBuffer b : item) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                bytes.writeBytes(a);
            }
            if (bytes.size() > 65536) {
                subscription.cancel();
                done.accept(bytes.toString(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void onError(Throwable t) {
            done.accept(bytes.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void onComplete() {
            done.accept(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
