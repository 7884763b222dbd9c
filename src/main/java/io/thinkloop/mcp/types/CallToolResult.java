package io.thinkloop.mcp.types;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The result of {@code tools/call}: content blocks, optional structured content, and the tool-error flag. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CallToolResult(List<JsonNode> content, JsonNode structuredContent, Boolean isError) {
    public boolean failed() {
        return Boolean.TRUE.equals(isError);
    }

    /** The text blocks joined by newlines; other blocks as their JSON. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        if (content != null) {
            for (JsonNode block : content) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(
                        "text".equals(block.path("type").asText())
                                ? block.path("text").asText()
                                : block.toString());
            }
        }
        if (sb.isEmpty() && structuredContent != null) {
            sb.append(structuredContent);
        }
        return sb.toString();
    }
}
