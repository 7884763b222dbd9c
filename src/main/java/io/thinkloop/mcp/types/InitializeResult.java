package io.thinkloop.mcp.types;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** The server's answer to {@code initialize}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InitializeResult(
        String protocolVersion, JsonNode capabilities, Implementation serverInfo, String instructions) {}
