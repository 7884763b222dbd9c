package io.thinkloop.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool as the model sees it: name, description and the JSON Schema of its arguments
 * ({@code function.parameters} in the OpenAI shape, {@code inputSchema} in MCP).
 */
public record ToolSpec(String name, String description, JsonNode parameters) {}
