package io.thinkloop.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thinkloop.json.Json;
import io.thinkloop.model.ErrorCode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventEnvelopeTest {
    @Test
    void fastTextEqualsTheTreeForm() throws Exception {
        Instant t = Instant.parse("2026-01-02T03:04:05.123456Z");
        for (ServerEvent e : new ServerEvent[] {
            new ServerEvent.SessionCreated(),
            new ServerEvent.TextDelta("a \"quoted\"\n line"),
            new ServerEvent.ToolResultEvent("c1", "t", "x", null, true, ToolStatus.ERROR, 12),
            new ServerEvent.Error(ErrorCode.BACKEND_ERROR, "m", true)
        }) {
            EventEnvelope env =
                    new EventEnvelope("s-1", e instanceof ServerEvent.SessionCreated ? null : "turn_1", 7, t, e);
            assertEquals(Json.MAPPER.readTree(env.toJson().toString()), Json.MAPPER.readTree(env.toJsonText()));
            assertEquals(env.toJson().toString(), env.toJsonText(), "same field order too");
        }
    }
}
