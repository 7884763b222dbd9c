package io.thinkloop.session;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a tool call ended, the {@code status} of a {@code tool.result} event, so that no client has to guess it
 * from the result's text. Every status but {@link #OK} comes with {@code isError: true}.
 */
public enum ToolStatus {
    /** The tool ran and answered. */
    OK,
    /** The tool reported a failure, failed, or was not run: unknown tool, arguments not valid for its schema. */
    ERROR,
    /** The user denied the call. */
    DENIED,
    /** The call was stopped because its turn was cancelled or failed. */
    CANCELLED,
    /** The call ran longer than {@code thinkloop.agent.tool-timeout}, or its turn passed its deadline. */
    TIMEOUT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return wireName();
    }
}
