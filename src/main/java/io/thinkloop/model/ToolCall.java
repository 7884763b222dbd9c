package io.thinkloop.model;

/**
 * A tool call made by the assistant. {@code arguments} is the JSON text of the argument object, exactly
 * as the codec renders it (OpenAI's {@code function.arguments}).
 */
public record ToolCall(String id, String name, String arguments) {}
