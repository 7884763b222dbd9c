package io.thinkloop.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.synth.Suite;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.synth.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a suite against a service: every (task, trial, seed) not yet in {@code OUT/trials.jsonl}, at most
 * {@code concurrency} at a time on virtual threads; each scored trial is appended (one line, flushed) as soon
 * as it ends, so a killed run loses only the trials in flight. Infrastructure errors re-queue the trial (up to
 * {@code retries} attempts in this run); what is still missing at the end stays pending for the next run.
 * At the end writes {@code results.json}, {@code report.html} and {@code rollouts.jsonl}.
 */
public final class BenchRunner {
    public static final String TRIALS = "trials.jsonl";
    public static final String RESULTS = "results.json";
    public static final String REPORT = "report.html";
    public static final String RUN = "run.json";
    public static final String ROLLOUTS = "rollouts.jsonl";

    /** Progress after each trial. */
    public record Progress(int done, int total, int passed, int infraErrors, String last) {}

    private final BenchConfig config;
    private final Consumer<Progress> progress;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger infraErrors = new AtomicInteger();

    public BenchRunner(BenchConfig config, Consumer<Progress> progress) {
        this.config = config;
        this.progress = progress == null ? p -> {} : progress;
    }

    /** Asks the run to stop taking new trials (in-flight ones finish). */
    public void stop() {
        stop.set(true);
    }

    public int infraErrors() {
        return infraErrors.get();
    }

    private record Job(SynthTask task, int trial, int attempt) {}

    /**
     * Runs the suite. Throws {@link PreflightFailure} before anything is run or written when the service cannot
     * run it (unreachable, key rejected, the suite's tools not served).
     */
    public Metrics.Summary run() throws IOException, InterruptedException {
        Suite suite = Suite.load(config.suite());
        ServiceClient client = new ServiceClient(config.url(), config.apiKey());
        client.preflight(suite.toolNames(), suite.header().env().serverSpec());
        Files.createDirectories(config.out());
        RunInfo run = client.describe(config);
        Files.writeString(
                config.out().resolve(RUN),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
        Path trialsFile = config.out().resolve(TRIALS);
        List<TrialResult> results = new ArrayList<>(readTrials(trialsFile));
        Set<String> done = new HashSet<>();
        results.forEach(r -> done.add(r.key()));
        LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
        for (SynthTask t : suite.tasks()) {
            t.environment(); // build the verifier's database before the clock starts
            for (int i = 0; i < config.trials(); i++) {
                if (!done.contains(TrialResult.key(t.id(), i, config.seed()))) {
                    queue.add(new Job(t, i, 1));
                }
            }
        }
        int total = suite.tasks().size() * config.trials();
        AtomicInteger finished = new AtomicInteger(results.size());
        AtomicInteger passed = new AtomicInteger(
                (int) results.stream().filter(TrialResult::passed).count());
        AtomicInteger newlyScored = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        progress.accept(
                new Progress(finished.get(), total, passed.get(), 0, "resuming with " + results.size() + " done"));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < config.concurrency(); w++) {
                workers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        Job job;
                        synchronized (queue) {
                            job = queue.poll();
                            if (job == null) {
                                if (inFlight.get() == 0) {
                                    return null;
                                }
                            } else {
                                inFlight.incrementAndGet();
                            }
                        }
                        if (job == null) {
                            Thread.sleep(50); // a re-queued job may come back
                            continue;
                        }
                        try {
                            TrialResult r = runOne(client, job);
                            synchronized (results) {
                                if (config.stopAfter() > 0 && newlyScored.get() >= config.stopAfter()) {
                                    stop.set(true);
                                    continue;
                                }
                                append(trialsFile, r);
                                results.add(r);
                                newlyScored.incrementAndGet();
                                if (config.stopAfter() > 0 && newlyScored.get() >= config.stopAfter()) {
                                    stop.set(true);
                                }
                            }
                            if (r.passed()) {
                                passed.incrementAndGet();
                            }
                            progress.accept(new Progress(
                                    finished.incrementAndGet(),
                                    total,
                                    passed.get(),
                                    infraErrors.get(),
                                    r.taskId() + " #" + r.trial() + (r.passed() ? " pass" : " fail")));
                        } catch (InfraError e) {
                            infraErrors.incrementAndGet();
                            if (job.attempt() < config.retries()) {
                                Thread.sleep(Math.min(5_000, 250L << job.attempt()));
                                queue.add(new Job(job.task(), job.trial(), job.attempt() + 1));
                            }
                            progress.accept(new Progress(
                                    finished.get(),
                                    total,
                                    passed.get(),
                                    infraErrors.get(),
                                    job.task().id() + " #" + job.trial() + " infrastructure error (" + e.getMessage()
                                            + ")"
                                            + (job.attempt() < config.retries() ? ", re-queued" : ", left pending")));
                        } finally {
                            inFlight.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IOException("bench worker failed: " + e.getCause(), e.getCause());
                }
            }
        }
        return writeOutputs(suite, results, config.out(), config.trials(), run, infraErrors.get());
    }

    private TrialResult runOne(ServiceClient client, Job job) throws InfraError, InterruptedException {
        String session = sessionId(job);
        ObjectNode sampling = sampling(job);
        TrialRun run;
        try {
            run = client.run(session, job.task().prompt(), config.deadline(), config.maxSteps(), sampling);
        } catch (InfraError e) {
            client.delete(session);
            throw e;
        }
        Verdict v;
        try {
            v = job.task().verify(run.submission());
        } catch (RuntimeException e) {
            v = new Verdict(1, List.of("verifier could not read the submission: " + e.getMessage()));
        }
        return new TrialResult(
                job.task().id(),
                job.trial(),
                config.seed(),
                job.task().difficulty(),
                session,
                v.passed(),
                v.reward(),
                v.failures(),
                run.submission(),
                run.toolCalls(),
                run.toolErrors(),
                run.steps(),
                run.promptTokens(),
                run.completionTokens(),
                run.reasoningTokens(),
                run.ttftMs(),
                run.latencyMs(),
                run.termination(),
                run.transcript(),
                run.tokens(),
                sampling);
    }

    /** The trial's {@code user_message.sampling}: null when greedy, else the run's settings and the trial's seed. */
    private ObjectNode sampling(Job job) {
        if (!config.sampled()) {
            return null;
        }
        ObjectNode s = Json.MAPPER.createObjectNode().put("temperature", config.temperature());
        if (config.topP() != null) {
            s.put("topP", config.topP());
        }
        return s.put("seed", config.trialSeed(job.task().id(), job.trial()));
    }

    private String sessionId(Job job) {
        String id = "bench-" + job.task().id() + "-t" + job.trial() + "-s" + config.seed() + "-a" + job.attempt() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        id = id.replaceAll("[^A-Za-z0-9_.-]", "_");
        return id.length() <= 128 ? id : id.substring(id.length() - 128);
    }

    private static void append(Path file, TrialResult r) {
        try {
            Files.writeString(
                    file,
                    Json.MAPPER.writeValueAsString(r) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }

    /** The scored trials of a run directory; a line torn by a kill (the last one) is skipped, duplicates keep the first. */
    public static List<TrialResult> readTrials(Path file) throws IOException {
        List<TrialResult> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                TrialResult r = Json.MAPPER.readValue(line, TrialResult.class);
                if (r.taskId() != null && seen.add(r.key())) {
                    out.add(r);
                }
            } catch (IOException e) {
                // a torn line from a killed run: that trial is simply run again
            }
        }
        return out;
    }

    /** The run's {@code run.json}, or null when the run predates it (or the file is unreadable). */
    public static RunInfo readRunInfo(Path out) {
        try {
            return Json.MAPPER.readValue(out.resolve(RUN).toFile(), RunInfo.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes results.json, report.html and rollouts.jsonl for the trials so far; returns the summary. */
    public static Metrics.Summary writeOutputs(
            Suite suite, List<TrialResult> trials, Path out, int k, RunInfo run, int infraErrors) throws IOException {
        List<TrialResult> sorted = new ArrayList<>(trials);
        sorted.sort(Comparator.comparing(TrialResult::taskId).thenComparingInt(TrialResult::trial));
        Metrics.Summary summary = Metrics.summarize(
                run, suite.header().name(), suite.header().suiteVersion(), suite.tasks(), k, sorted, infraErrors);
        Files.writeString(
                out.resolve(RESULTS),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
        Files.writeString(out.resolve(REPORT), HtmlReport.render(summary, suite.tasks(), sorted));
        Rollouts.write(out.resolve(ROLLOUTS), suite.tasks(), sorted);
        return summary;
    }
}
