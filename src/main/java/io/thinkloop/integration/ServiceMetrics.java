package io.thinkloop.integration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.thinkloop.backend.embedded.EngineBackend;
import io.thinkloop.session.EventEnvelope;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import io.thinkloop.session.SessionManager;
import io.thinkloop.session.SessionObserver;
import io.thinkloop.tools.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The service's application metrics at {@code /q/metrics}, read off the session events every turn emits (so the
 * agent loop, the sessions and the backends carry no metric code): turns by finish reason and their duration,
 * model generations (time to first output, tokens/s, tokens by kind), tool calls by tool and source (latency,
 * errors), journal append latency, sessions in memory and connected clients, MCP servers by state, the embedded
 * engine's queue. Names are
 * {@code thinkloop_*} in Prometheus form; docs in README.md "Metrics".
 */
@ApplicationScoped
public class ServiceMetrics implements SessionObserver {
    @Inject
    MeterRegistry registry;

    @Inject
    SessionManager sessions;

    @Inject
    ToolRegistry tools;

    @Inject
    Instance<McpServerDirectory> mcp;

    @Inject
    Instance<EngineBackend> engine;

    /** Where a session's current turn stands; touched under that session's lock only. */
    private static final class TurnClock {
        long turnStart;
        long generationStart;
        long firstOutput = -1;
        final Map<String, Long> toolStarts = new ConcurrentHashMap<>();
    }

    private final Map<String, TurnClock> turns = new ConcurrentHashMap<>();
    private Timer journalAppend;
    private Timer ttft;
    private DistributionSummary tokensPerSecond;
    private Counter generations;

    void onStart(@Observes StartupEvent event) {
        journalAppend = Timer.builder("thinkloop.journal.append")
                .description("session journal append latency (per event)")
                .register(registry);
        ttft = Timer.builder("thinkloop.generation.ttft")
                .description("time from a generation's start (turn start or last tool result) to its first output")
                .register(registry);
        tokensPerSecond = DistributionSummary.builder("thinkloop.generation.tokens.per.second")
                .description("completion tokens per second of a generation, after its first output")
                .register(registry);
        generations = Counter.builder("thinkloop.generations")
                .description("model generations")
                .register(registry);
        Gauge.builder("thinkloop.sessions.active", sessions, SessionManager::loadedCount)
                .description("sessions in memory")
                .register(registry);
        Gauge.builder("thinkloop.sessions.clients", sessions, SessionManager::connectedClients)
                .description("clients connected to sessions")
                .register(registry);
        Gauge.builder("thinkloop.turns.active", turns, Map::size)
                .description("turns running")
                .register(registry);
        if (engine.isResolvable()) {
            Gauge.builder("thinkloop.engine.queue.depth", engine, e -> e.get().queueDepth())
                    .description("requests waiting for the embedded engine (one generates at a time)")
                    .register(registry);
        }
        if (mcp.isResolvable()) {
            for (String state : new String[] {"ready", "connecting", "failed"}) {
                Gauge.builder(
                                "thinkloop.mcp.servers",
                                mcp,
                                m -> m.get().servers().stream()
                                        .filter(s -> state.equalsIgnoreCase(String.valueOf(s.state())))
                                        .count())
                        .tag("state", state)
                        .description("configured MCP servers by state")
                        .register(registry);
            }
        }
    }

    @Override
    public void onEvent(Session session, EventEnvelope envelope, long journalNanos) {
        if (journalAppend == null) {
            return; // before start-up
        }
        if (journalNanos > 0) {
            journalAppend.record(journalNanos, TimeUnit.NANOSECONDS);
        }
        long now = System.nanoTime();
        String id = session.id();
        switch (envelope.event()) {
            case ServerEvent.TurnStarted t -> {
                TurnClock c = new TurnClock();
                c.turnStart = now;
                c.generationStart = now;
                turns.put(id, c);
            }
            case ServerEvent.ReasoningDelta r -> firstOutput(id, now);
            case ServerEvent.TextDelta t -> firstOutput(id, now);
            case ServerEvent.ToolCallStarted t -> firstOutput(id, now);
            case ServerEvent.ToolCallCompleted call -> {
                TurnClock c = turns.get(id);
                if (c != null) {
                    c.toolStarts.put(call.toolCallId(), now);
                }
                Counter.builder("thinkloop.tool.calls")
                        .tags("tool", call.name(), "source", source(call.name()))
                        .description("tool calls the model made")
                        .register(registry)
                        .increment();
            }
            case ServerEvent.ToolResultEvent r -> {
                TurnClock c = turns.get(id);
                String source = source(r.name());
                Timer.builder("thinkloop.tool.call.duration")
                        .tags("tool", r.name(), "source", source, "error", Boolean.toString(r.isError()))
                        .description("tool call latency")
                        .register(registry)
                        .record(Duration.ofMillis(Math.max(0, r.latencyMs())));
                if (r.isError()) {
                    Counter.builder("thinkloop.tool.errors")
                            .tags("tool", r.name(), "source", source)
                            .description("tool calls that returned an error")
                            .register(registry)
                            .increment();
                }
                if (c != null) {
                    c.toolStarts.remove(r.toolCallId());
                    c.generationStart = now; // the next generation starts after the results
                    c.firstOutput = -1;
                }
            }
            case ServerEvent.Usage u -> {
                generations.increment();
                tokens("prompt", u.promptTokens());
                tokens("completion", u.completionTokens());
                tokens("reasoning", u.reasoningTokens());
                tokens("answer", Math.max(0, u.completionTokens() - u.reasoningTokens()));
                TurnClock c = turns.get(id);
                if (c != null) {
                    if (c.firstOutput > 0 && now > c.firstOutput && u.completionTokens() > 1) {
                        tokensPerSecond.record((u.completionTokens() - 1) / ((now - c.firstOutput) / 1e9));
                    }
                    c.generationStart = now;
                    c.firstOutput = -1;
                }
            }
            case ServerEvent.TurnCompleted done ->
                endTurn(id, done.finishReason() == null ? "stop" : done.finishReason(), now);
            case ServerEvent.Cancelled x -> endTurn(id, "cancelled", now);
            case ServerEvent.Error e -> {
                if (turns.containsKey(id) && envelope.turnId() != null) {
                    endTurn(id, "error", now);
                }
            }
            default -> {}
        }
    }

    private void firstOutput(String session, long now) {
        TurnClock c = turns.get(session);
        if (c != null && c.firstOutput < 0) {
            c.firstOutput = now;
            ttft.record(now - c.generationStart, TimeUnit.NANOSECONDS);
        }
    }

    private void tokens(String kind, int n) {
        if (n > 0) {
            Counter.builder("thinkloop.tokens")
                    .tag("kind", kind)
                    .description("tokens by kind (prompt, completion, reasoning, answer)")
                    .register(registry)
                    .increment(n);
        }
    }

    private void endTurn(String session, String finishReason, long now) {
        TurnClock c = turns.remove(session);
        if (c == null) {
            return;
        }
        String reason = finishReason.toLowerCase(Locale.ROOT);
        Counter.builder("thinkloop.turns")
                .tag("finish_reason", reason)
                .description("turns ended, by finish reason")
                .register(registry)
                .increment();
        Timer.builder("thinkloop.turn.duration")
                .tag("finish_reason", reason)
                .description("turn duration")
                .register(registry)
                .record(now - c.turnStart, TimeUnit.NANOSECONDS);
    }

    private String source(String tool) {
        return tools.sourceOf(tool).orElse("unknown");
    }
}
