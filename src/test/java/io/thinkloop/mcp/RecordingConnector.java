package io.thinkloop.mcp;

import io.thinkloop.mcp.protocol.Connector;
import io.thinkloop.mcp.protocol.Transport;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** Wraps a real connector and records every frame the client sends (to prove notifications/cancelled went out). */
final class RecordingConnector implements Connector {
    final Connector inner;
    final List<String> sent = new CopyOnWriteArrayList<>();

    RecordingConnector(Connector inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<Transport> connect() {
        return inner.connect().thenApply(t -> new Transport() {
            @Override
            public void start(Listener listener) {
                t.start(listener);
            }

            @Override
            public CompletionStage<Void> send(String frame) {
                sent.add(frame);
                return t.send(frame);
            }

            @Override
            public void close() {
                t.close();
            }

            @Override
            public boolean isOpen() {
                return t.isOpen();
            }

            @Override
            public String describe() {
                return t.describe();
            }
        });
    }

    @Override
    public String describe() {
        return inner.describe();
    }
}
