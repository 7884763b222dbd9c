package io.thinkloop.tools;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tool's answer: {@code text} is what the model reads; {@code structured} the optional structured
 * content; {@code isError} marks results that report a failure (the model sees them and may recover).
 */
public record ToolResult(String text, JsonNode structured, boolean isError) {
    public static ToolResult ok(String text) {
        return new ToolResult(text, null, false);
    }

    public static ToolResult error(String text) {
        return new ToolResult(text, null, true);
    }
}
