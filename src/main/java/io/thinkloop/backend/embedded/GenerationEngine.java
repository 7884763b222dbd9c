package io.thinkloop.backend.embedded;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.thinkloop.engine.InferenceState;
import io.thinkloop.engine.Model;
import io.thinkloop.engine.Vocabulary;
import io.thinkloop.engine.sampling.LogprobMode;
import io.thinkloop.engine.sampling.Sampler;
import io.thinkloop.engine.sampling.SamplingParams;
import io.thinkloop.engine.sampling.StopMatcher;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.StreamingDecoder;
import io.thinkloop.tokenizer.Tokenizer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Generates completions with one loaded {@link Model}: tokenize the prompt, prefill it in batches, then
 * sample and decode token by token, streaming a {@link ModelChunk.Text} per token (its id and
 * log-probability; text made UTF-8-safe by a {@link StreamingDecoder} and held back by a
 * {@link StopMatcher} while it may be the start of a stop sequence), ending with {@link ModelChunk.Usage}.
 *
 * <p>A model runs one forward pass at a time, so requests are served one after another by a single
 * worker thread (never a caller's or an event-loop thread) from a bounded queue; when the queue is full a
 * request fails at once with {@link BusyException}. Cancelling a subscription stops its generation at the
 * next layer boundary ({@link InferenceState#cancel()}), or drops it from the queue if it has not started.
 */
public final class GenerationEngine implements AutoCloseable {

    /** The queue of waiting requests is full. */
    public static final class BusyException extends BackendException {
        /** When a client may try again: about one short generation. */
        public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

        public BusyException(String message) {
            super(ErrorCode.BUSY, 0, true, RETRY_AFTER, message, null);
        }
    }

    /**
     * Appended when a stop sequence ended the generation: the end-of-sentence marker tells the parser (and so
     * the OpenAI endpoint and the agent) that the completion stopped, rather than ran out of tokens.
     */
    static final String EOS_TEXT = "<｜end▁of▁sentence｜>";

    private final Model model;
    private final Tokenizer tokenizer;
    private final Vocabulary vocabulary;
    private final int maxContext;
    private final int prefillBatch;
    private final int sampleVocab;
    private final ThreadPoolExecutor worker;
    private final int queueSize;

    /**
     * @param maxContext   most tokens (prompt + completion) a request may use
     * @param prefillBatch prompt tokens per forward pass while prefilling
     * @param queueSize    requests that may wait while one runs
     */
    public GenerationEngine(Model model, Tokenizer tokenizer, int maxContext, int prefillBatch, int queueSize) {
        this(model, Vocabulary.identity(tokenizer), maxContext, prefillBatch, queueSize);
    }

    /**
     * An engine whose model may have a vocabulary subset: prompts are encoded within it and sampled ids mapped
     * back, so every emitted token id and logprob is the tokenizer's (DeepSeek-V3.2's) id.
     */
    public GenerationEngine(Model model, Vocabulary vocabulary, int maxContext, int prefillBatch, int queueSize) {
        if (maxContext < 2 || prefillBatch < 1 || queueSize < 0) {
            throw new IllegalArgumentException("bad engine limits: maxContext " + maxContext + ", prefillBatch "
                    + prefillBatch + ", queueSize " + queueSize);
        }
        this.model = model;
        this.tokenizer = vocabulary.tokenizer();
        this.vocabulary = vocabulary;
        this.maxContext = maxContext;
        this.prefillBatch = prefillBatch;
        this.queueSize = queueSize;
        // The model's vocabulary may be padded past the tokenizer's: padding ids are never sampled.
        this.sampleVocab = vocabulary.sampleSize(model.config().vocabSize());
        this.worker = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                queueSize == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueSize),
                Thread.ofPlatform().daemon().name("embedded-engine").factory());
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int maxContext() {
        return maxContext;
    }

    /** Whether a generation is running on the worker now (tests wait for it instead of sleeping). */
    boolean busy() {
        return worker.getActiveCount() > 0;
    }

    /** Requests waiting while one generates (for the metrics). */
    public int queued() {
        return worker.getQueue().size();
    }

    /** A cold stream: each subscription is one generation. */
    public Multi<ModelChunk> stream(CompletionRequest request) {
        return Multi.createFrom().emitter(em -> {
            Job job = new Job(request, em);
            em.onTermination(job::cancel);
            try {
                job.future = worker.submit(job);
            } catch (RejectedExecutionException e) {
                em.fail(
                        worker.isShutdown()
                                ? new IllegalStateException("the embedded engine is shut down")
                                : new BusyException("the embedded model is busy: one generation running and "
                                        + queueSize + " waiting; try again later"));
            }
        });
    }

    /** The sampling settings for a request: greedy at temperature 0; log-probabilities of chosen tokens. */
    static SamplingParams params(CompletionRequest.Sampling s) {
        double topP = s.topP() > 0 && s.topP() <= 1 ? s.topP() : 1.0;
        double minP = s.minP() >= 0 && s.minP() <= 1 ? s.minP() : 0;
        return new SamplingParams(
                Math.max(0, s.temperature()),
                Math.max(0, s.topK()),
                topP,
                minP,
                s.seed(),
                true,
                0,
                LogprobMode.PROCESSED);
    }

    private final class Job implements Runnable {
        private final CompletionRequest request;
        private final MultiEmitter<? super ModelChunk> em;
        private volatile boolean cancelled;
        private volatile InferenceState state;
        volatile Future<?> future;

        Job(CompletionRequest request, MultiEmitter<? super ModelChunk> em) {
            this.request = request;
            this.em = em;
        }

        void cancel() {
            cancelled = true;
            InferenceState s = state;
            if (s != null) {
                s.cancel();
            }
            Future<?> f = future;
            if (f != null && !f.isDone()) {
                f.cancel(false);
                worker.remove((Runnable) f);
            }
        }

        @Override
        public void run() {
            if (cancelled) {
                return;
            }
            try {
                generate();
            } catch (CancellationException e) {
                if (!cancelled) {
                    em.fail(e);
                }
            } catch (RuntimeException | Error e) {
                if (!cancelled) {
                    em.fail(e);
                }
            }
        }

        private void generate() {
            CompletionRequest.Sampling sampling =
                    request.sampling() == null ? CompletionRequest.Sampling.greedy(256) : request.sampling();
            if (request.prompt() == null || request.prompt().isEmpty()) {
                throw new IllegalArgumentException(
                        "the embedded engine needs a prompt (the codec's encoding of the messages)");
            }
            SamplingParams params = params(sampling);
            int[] prompt = vocabulary.toModel(vocabulary.encode(request.prompt()));
            if (prompt.length >= maxContext) {
                throw new BackendException(
                        ErrorCode.CONTEXT_LENGTH_EXCEEDED,
                        400,
                        false,
                        null,
                        "prompt of " + prompt.length
                                + " tokens does not fit the embedded model's context of " + maxContext
                                + " tokens (thinkloop.model.embedded.max-context)",
                        null);
            }
            int maxTokens = Math.min(
                    sampling.maxTokens() <= 0 ? Integer.MAX_VALUE : sampling.maxTokens(), maxContext - prompt.length);
            InferenceState s = model.newState(prompt.length + maxTokens);
            state = s;
            if (cancelled) {
                return;
            }
            float[] logits = null;
            for (int from = 0; from < prompt.length; from += prefillBatch) {
                logits = model.prefill(
                        s, Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + prefillBatch)));
                if (cancelled) {
                    return;
                }
            }
            Sampler sampler = new Sampler(params);
            StreamingDecoder decoder = tokenizer.newDecoder();
            List<String> stops = sampling.stop() == null
                    ? List.of()
                    : sampling.stop().stream()
                            .filter(x -> x != null && !x.isEmpty())
                            .toList();
            StopMatcher stop = new StopMatcher(stops);
            // Tokens count as reasoning while the prompt's opened <think> block is not yet closed.
            boolean thinking = request.thinking() == ThinkingMode.THINKING
                    && request.prompt().endsWith("<think>");
            int generated = 0;
            int reasoning = 0;
            while (generated < maxTokens) {
                int modelId = sampler.sample(logits, sampleVocab);
                int id = vocabulary.toBase(modelId);
                float logprob = sampler.logprob();
                generated++;
                if (thinking) {
                    reasoning++;
                    thinking = id != BundledTokenizer.THINK_END;
                }
                if (id == BundledTokenizer.EOS) {
                    em.emit(new ModelChunk.Text("", new int[] {id}, new float[] {logprob}));
                    break;
                }
                em.emit(new ModelChunk.Text(stop.feed(decoder.next(id)), new int[] {id}, new float[] {logprob}));
                if (stop.stopped() || generated == maxTokens || cancelled) {
                    break;
                }
                logits = model.decode(s, modelId);
            }
            if (cancelled) {
                return;
            }
            if (!stop.stopped()) {
                String tail = stop.feed(decoder.flush());
                if (!stop.stopped()) {
                    tail += stop.flush();
                }
                if (!tail.isEmpty()) {
                    em.emit(new ModelChunk.Text(tail, new int[0], new float[0]));
                }
            }
            if (stop.stopped()) {
                em.emit(new ModelChunk.Text(EOS_TEXT, new int[0], new float[0]));
            }
            em.emit(new ModelChunk.Usage(prompt.length, generated, reasoning));
            em.complete();
        }
    }

    /** Stops the worker (a running generation is cancelled at its next layer) and closes the model. */
    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
    }
}
