package io.thinkloop.mcp.protocol;

import java.util.concurrent.CompletionStage;

/** Opens a fresh client {@link Transport} to one server; called again on every reconnect. */
public interface Connector {
    CompletionStage<Transport> connect();

    String describe();
}
