package io.thinkloop.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One message of a conversation in the OpenAI chat shape, as the DeepSeek-V3.2 template reads it.
 * Only the fields of its role are set: {@code tools} and {@code responseFormat} on system/developer,
 * {@code reasoningContent} and {@code toolCalls} on assistant, {@code toolCallId} on tool.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatMessage(
        Role role,
        String content,
        @JsonProperty("reasoning_content") String reasoningContent,
        @JsonProperty("tool_calls") List<ToolCall> toolCalls,
        @JsonProperty("tool_call_id") String toolCallId,
        List<ToolSpec> tools,
        @JsonProperty("response_format") JsonNode responseFormat) {

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content, null, null, null, null, null);
    }

    public static ChatMessage system(String content, List<ToolSpec> tools) {
        return new ChatMessage(Role.SYSTEM, content, null, null, null, tools, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content, null, null, null, null, null);
    }

    public static ChatMessage assistant(String content, String reasoning, List<ToolCall> toolCalls) {
        return new ChatMessage(Role.ASSISTANT, content, reasoning, toolCalls, null, null, null);
    }

    public static ChatMessage tool(String toolCallId, String content) {
        return new ChatMessage(Role.TOOL, content, null, null, toolCallId, null, null);
    }

    public enum Role {
        @JsonProperty("system")
        SYSTEM,
        @JsonProperty("developer")
        DEVELOPER,
        @JsonProperty("user")
        USER,
        @JsonProperty("assistant")
        ASSISTANT,
        @JsonProperty("tool")
        TOOL
    }
}
