package io.thinkloop.codec;

import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * How the agent loop prompts the model, as pure functions: which tools it offers in which order, the conversation
 * it sends (a system message carrying the tools, then the session's history) and the prompt text (thinking mode,
 * reasoning of the current turn kept across tool calls, BOS). The agent's turn runner and the trainer's
 * supervised trajectories both call these, so a model is trained on exactly the prompts it will be served.
 */
public final class AgentPrompt {
    /** The agent always reasons before it acts. */
    public static final ThinkingMode MODE = ThinkingMode.THINKING;

    /** Tools are offered sorted by name, so a prompt does not depend on the order in which servers registered. */
    public static final Comparator<ToolSpec> TOOL_ORDER = Comparator.comparing(ToolSpec::name);

    private AgentPrompt() {}

    /** The tools in the order a prompt offers them. */
    public static List<ToolSpec> offered(Collection<ToolSpec> tools) {
        List<ToolSpec> out = new ArrayList<>(tools);
        out.sort(TOOL_ORDER);
        return out;
    }

    /**
     * The messages of one generation: a system message (the configured system prompt, or empty text, with the
     * offered tools) when there is a prompt or a tool, then the history. {@code tools} must already be in offer
     * order ({@link #offered}).
     */
    public static List<ChatMessage> conversation(String systemPrompt, List<ToolSpec> tools, List<ChatMessage> history) {
        List<ChatMessage> messages = new ArrayList<>(history.size() + 1);
        if (systemPrompt != null || !tools.isEmpty()) {
            messages.add(ChatMessage.system(systemPrompt == null ? "" : systemPrompt, tools.isEmpty() ? null : tools));
        }
        messages.addAll(history);
        return messages;
    }

    /** The prompt text of a conversation; throws {@link CodecException} for one the format cannot hold. */
    public static String encode(List<ChatMessage> conversation) {
        return DeepSeekV32Codec.encode(conversation, MODE, true, true);
    }
}
