package io.thinkloop.backend.embedded;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.thinkloop.engine.Model;
import io.thinkloop.engine.Vocabulary;
import io.thinkloop.engine.kernel.VectorSupport;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.tokenizer.BundledTokenizer;
import io.thinkloop.tokenizer.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The embedded Java engine as model backend {@code embedded}. The model loads in the background (at
 * start-up when this backend is selected, else on first use); requests made meanwhile wait for it without
 * holding a thread. With no {@code thinkloop.model.embedded.checkpoint}, the untrained default
 * checkpoint ({@link EmbeddedDefault}) is generated into the data directory and used, with a warning.
 */
@ApplicationScoped
public class EngineBackend implements ModelBackend {
    public static final String ID = "embedded";
    private static final Logger LOG = Logger.getLogger(EngineBackend.class);

    /** Where the model stands. */
    public enum State {
        IDLE,
        LOADING,
        READY,
        FAILED
    }

    @ConfigProperty(name = "thinkloop.model.backend", defaultValue = "embedded")
    String selectedBackend;

    @ConfigProperty(name = "thinkloop.data-dir")
    Path dataDir;

    @ConfigProperty(name = "thinkloop.model.embedded.checkpoint")
    Optional<Path> checkpoint;

    @ConfigProperty(name = "thinkloop.model.embedded.tokenizer")
    Optional<Path> tokenizerFile;

    @ConfigProperty(name = "thinkloop.model.embedded.seed", defaultValue = "" + EmbeddedDefault.DEFAULT_SEED)
    long seed;

    @ConfigProperty(name = "thinkloop.model.embedded.threads")
    Optional<Integer> threads;

    @ConfigProperty(name = "thinkloop.model.embedded.max-context", defaultValue = "16384")
    int maxContext;

    @ConfigProperty(name = "thinkloop.model.embedded.prefill-batch", defaultValue = "128")
    int prefillBatch;

    @ConfigProperty(name = "thinkloop.model.embedded.queue-size", defaultValue = "8")
    int queueSize;
    /** The untrained default rarely emits EOS: its completions are capped so demo turns end in seconds. */
    @ConfigProperty(name = "thinkloop.model.embedded.default-max-tokens", defaultValue = "256")
    int defaultModelMaxTokens;

    private final CompletableFuture<GenerationEngine> engine = new CompletableFuture<>();
    private volatile State state = State.IDLE;
    private volatile Path checkpointDir;
    private volatile boolean untrained;
    private volatile String failure;
    private volatile long loadMillis = -1;

    @Override
    public String id() {
        return ID;
    }

    void onStart(@Observes StartupEvent ev) {
        if (ID.equals(selectedBackend)) {
            startLoading();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        GenerationEngine e = loaded();
        if (e != null) {
            e.close();
        }
    }

    /** Starts loading on a background thread (once). */
    public synchronized void startLoading() {
        if (state != State.IDLE) {
            return;
        }
        state = State.LOADING;
        Thread.ofPlatform().daemon().name("embedded-model-load").start(this::load);
    }

    private void load() {
        long t0 = System.nanoTime();
        try {
            if (!VectorSupport.available()) {
                throw new IllegalStateException(VectorSupport.MISSING);
            }
            Path dir;
            if (checkpoint.isPresent()) {
                dir = checkpoint.get();
                untrained = EmbeddedDefault.isUntrained(dir);
            } else {
                untrained = true;
                LOG.warnf(
                        "No model configured (thinkloop.model.embedded.checkpoint): using the embedded default in %s. %s",
                        EmbeddedDefault.directory(dataDir, seed), EmbeddedDefault.UNTRAINED_NOTICE);
                long g0 = System.nanoTime();
                boolean existed =
                        Files.exists(EmbeddedDefault.directory(dataDir, seed).resolve("model.safetensors"));
                dir = EmbeddedDefault.ensure(dataDir, seed);
                if (!existed) {
                    LOG.infof(
                            "Generated the default checkpoint (seed %d) in %d ms",
                            seed, (System.nanoTime() - g0) / 1_000_000);
                }
            }
            checkpointDir = dir;
            Tokenizer tok = BundledTokenizer.load(tokenizerFile.orElse(null));
            Model m = threads.isPresent() ? Model.load(dir, threads.get()) : Model.load(dir);
            GenerationEngine e =
                    new GenerationEngine(m, Vocabulary.forCheckpoint(dir, tok), maxContext, prefillBatch, queueSize);
            loadMillis = (System.nanoTime() - t0) / 1_000_000;
            state = State.READY;
            engine.complete(e);
            LOG.infof(
                    "Embedded model ready in %d ms: %s (%d layers, hidden %d, vocab %d)%s",
                    loadMillis,
                    dir,
                    m.config().numHiddenLayers(),
                    m.config().hiddenSize(),
                    m.config().vocabSize(),
                    untrained ? " -- UNTRAINED weights" : "");
        } catch (RuntimeException | Error e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            state = State.FAILED;
            LOG.errorf(e, "The embedded model could not be loaded: %s", failure);
            engine.completeExceptionally(
                    new IllegalStateException("the embedded model could not be loaded: " + failure, e));
        }
    }

    @Override
    public Multi<ModelChunk> stream(CompletionRequest original) {
        startLoading();
        CompletionRequest request = capForDefaultModel(original);
        GenerationEngine ready = loaded();
        if (ready != null) {
            return ready.stream(request);
        }
        // Still loading: wait for it without blocking anyone (cancellation propagates through).
        return Uni.createFrom()
                .completionStage(engine)
                .onFailure(CompletionException.class)
                .transform(Throwable::getCause)
                .onItem()
                .transformToMulti(e -> e.stream(request));
    }

    private CompletionRequest capForDefaultModel(CompletionRequest r) {
        CompletionRequest.Sampling s = r.sampling();
        if (checkpoint.isPresent() || s == null || (s.maxTokens() > 0 && s.maxTokens() <= defaultModelMaxTokens)) {
            return r;
        }
        return new CompletionRequest(
                r.messages(), r.tools(), r.thinking(), r.prompt(), s.withMaxTokens(defaultModelMaxTokens));
    }

    /** The engine once loaded, else null (also after a failed load). */
    private GenerationEngine loaded() {
        return engine.isDone() && !engine.isCompletedExceptionally() ? engine.join() : null;
    }

    public State state() {
        return state;
    }

    /** Requests waiting for the engine (0 until it is loaded). */
    public int queueDepth() {
        GenerationEngine e = loaded();
        return e == null ? 0 : e.queued();
    }

    @Override
    public String notice() {
        return untrained() ? EmbeddedDefault.UNTRAINED_NOTICE : null;
    }

    public boolean untrained() {
        return untrained || (checkpoint.isEmpty() && state != State.FAILED);
    }

    /** What /v1/engine and the health check show. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", ID);
        m.put("selected", ID.equals(selectedBackend));
        m.put("state", state.name().toLowerCase(Locale.ROOT));
        Path dir = checkpointDir != null ? checkpointDir : checkpoint.orElse(EmbeddedDefault.directory(dataDir, seed));
        m.put("checkpoint", dir.toString());
        m.put("untrained", untrained());
        if (untrained()) {
            m.put("notice", EmbeddedDefault.UNTRAINED_NOTICE);
        }
        GenerationEngine e = loaded();
        if (e != null) {
            var c = e.model().config();
            m.put("layers", c.numHiddenLayers());
            m.put("hiddenSize", c.hiddenSize());
            m.put("vocabSize", c.vocabSize());
            m.put("experts", c.nRoutedExperts());
            m.put("maxContext", e.maxContext());
            m.put("threads", e.model().threads());
            m.put("loadMillis", loadMillis);
        }
        if (failure != null) {
            m.put("error", failure);
        }
        return m;
    }
}
