package io.thinkloop.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Questions to the session's user that come from outside the turn loop: an MCP server's sampling request waiting
 * for approval ({@code approval.requested}, answered by {@code approve}/{@code deny} like a tool call's) and its
 * elicitation requests ({@code elicitation.requested}, answered by {@code elicitation.respond}). The asker holds
 * the future and removes its question when it stops waiting (answered, cancelled, timed out).
 */
public final class PendingQuestions {
    /** The answers an elicitation accepts. */
    public static final List<String> ACTIONS = List.of("accept", "decline", "cancel");

    public record Decision(boolean approved, String reason) {}

    public record ElicitationAnswer(String action, JsonNode content) {}

    private final Map<String, CompletableFuture<Decision>> approvals = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<ElicitationAnswer>> elicitations = new ConcurrentHashMap<>();

    /** Registers an approval question; its future completes with the user's decision. */
    public CompletableFuture<Decision> awaitApproval(String id) {
        return approvals.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    /** False when no question of that id waits for a decision. */
    public boolean decide(String id, boolean approved, String reason) {
        CompletableFuture<Decision> f = id == null ? null : approvals.remove(id);
        return f != null && f.complete(new Decision(approved, reason));
    }

    public CompletableFuture<ElicitationAnswer> awaitElicitation(String id) {
        return elicitations.computeIfAbsent(id, k -> new CompletableFuture<>());
    }

    /** False when no elicitation of that id waits for an answer. */
    public boolean respond(String id, String action, JsonNode content) {
        CompletableFuture<ElicitationAnswer> f = id == null ? null : elicitations.remove(id);
        return f != null && f.complete(new ElicitationAnswer(action, content));
    }

    /** The asker stopped waiting. */
    public void forget(String id) {
        approvals.remove(id);
        elicitations.remove(id);
    }

    public boolean waiting(String id) {
        return approvals.containsKey(id) || elicitations.containsKey(id);
    }
}
