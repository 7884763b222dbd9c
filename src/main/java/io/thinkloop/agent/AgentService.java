package io.thinkloop.agent;

import io.thinkloop.backend.BackendSelector;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.SamplingSettings;
import io.thinkloop.session.JournalWriteException;
import io.thinkloop.session.ServerEvent;
import io.thinkloop.session.Session;
import io.thinkloop.tools.ApprovalPolicy;
import io.thinkloop.tools.ToolRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Starts turns. Each turn runs on its own virtual thread ({@link TurnRunner}); tool calls run on virtual
 * threads too, so nothing here ever blocks a Vert.x event loop.
 */
@ApplicationScoped
public class AgentService {

    @Inject
    BackendSelector backends;

    @Inject
    ToolRegistry tools;

    @Inject
    ApprovalPolicy approvals;

    @ConfigProperty(name = "thinkloop.agent.max-steps", defaultValue = "16")
    int maxSteps;

    @ConfigProperty(name = "thinkloop.agent.tool-timeout", defaultValue = "60s")
    Duration toolTimeout;

    @ConfigProperty(name = "thinkloop.agent.turn-timeout", defaultValue = "10m")
    Duration turnTimeout;

    @ConfigProperty(name = "thinkloop.agent.max-tokens", defaultValue = "8192")
    int maxTokens;

    @ConfigProperty(name = "thinkloop.agent.system-prompt")
    Optional<String> systemPrompt;

    final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();

    public TurnLimits limits() {
        return new TurnLimits(maxSteps, toolTimeout, turnTimeout, maxTokens);
    }

    /** Result of {@link #startTurn}: the turn's id, or why it did not start. */
    public record Started(String turnId, ServerEvent.Error refused) {}

    /**
     * Journals the user message and starts a turn answering it; refused (nothing journaled) while another
     * turn of the session runs.
     */
    public Started startTurn(Session session, String content) {
        return startTurn(session, content, limits());
    }

    /** As {@link #startTurn(Session, String)}; {@code includeTokens} makes the turn emit {@code tokens} events. */
    public Started startTurn(Session session, String content, boolean includeTokens) {
        return startTurn(session, content, limits(), includeTokens);
    }

    public Started startTurn(Session session, String content, TurnLimits limits) {
        return startTurn(session, content, limits, false);
    }

    /** As {@link #startTurn(Session, String, boolean)}, sampled as {@code sampling} asks (null: greedy). */
    public Started startTurn(Session session, String content, boolean includeTokens, SamplingSettings sampling) {
        return startTurn(session, content, limits(), includeTokens, sampling);
    }

    public Started startTurn(Session session, String content, TurnLimits limits, boolean includeTokens) {
        return startTurn(session, content, limits, includeTokens, null);
    }

    public Started startTurn(
            Session session, String content, TurnLimits limits, boolean includeTokens, SamplingSettings sampling) {
        if (content == null || content.isEmpty()) {
            return new Started(
                    null, ServerEvent.Error.of(ErrorCode.INVALID_MESSAGE, "user_message needs a non-empty content"));
        }
        TurnRunner runner = new TurnRunner(
                session,
                content,
                limits,
                backends,
                tools,
                approvals,
                systemPrompt.orElse(null),
                virtualThreads,
                includeTokens,
                sampling);
        boolean began;
        try {
            began = session.beginTurn(runner); // on a shared store: takes the session's lease
        } catch (JournalWriteException e) {
            return new Started(
                    null,
                    new ServerEvent.Error(
                            JournalWriteException.CODE,
                            "the session store cannot be reached; the message was not taken",
                            true));
        }
        if (!began) {
            return new Started(
                    null,
                    new ServerEvent.Error(
                            ErrorCode.TURN_IN_PROGRESS,
                            "a turn is running in this session; wait for turn.completed or send cancel",
                            true));
        }
        try {
            runner.begin();
        } catch (JournalWriteException e) {
            session.endTurn(runner, null);
            return new Started(
                    null,
                    new ServerEvent.Error(
                            JournalWriteException.CODE,
                            "the session's journal cannot be written; the message was not taken",
                            true));
        }
        Thread.ofVirtual().name("turn-" + runner.turnId()).start(runner);
        return new Started(runner.turnId(), null);
    }
}
