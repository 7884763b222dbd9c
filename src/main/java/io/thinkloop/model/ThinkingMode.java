package io.thinkloop.model;

/** Whether the model reasons in a {@code <think>} block before answering (DeepSeek-V3.2 "thinking") or not. */
public enum ThinkingMode {
    THINKING,
    CHAT
}
