package io.thinkloop.mcp.types;

import com.fasterxml.jackson.annotation.JsonInclude;

/** {@code clientInfo} / {@code serverInfo}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Implementation(String name, String version, String title) {
    public Implementation(String name, String version) {
        this(name, version, null);
    }
}
