package io.thinkloop.model;

import java.util.List;

/** The assistant message a completion parses into (the reference's {role, content, reasoning_content, tool_calls}). */
public record ParsedMessage(String content, String reasoningContent, List<ToolCall> toolCalls) {}
