package io.thinkloop.mcp.types;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A tool as {@code tools/list} describes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record McpTool(
        String name,
        String title,
        String description,
        JsonNode inputSchema,
        JsonNode outputSchema,
        JsonNode annotations,
        @JsonProperty("_meta") JsonNode meta) {}
