package io.thinkloop.backend;

import io.smallrye.mutiny.Multi;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelBackend;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * LOAD-TEST BACKEND, not a model: a synthetic token source for {@code ./thinkloop perf load}. Every
 * completion is {@code thinkloop.model.synthetic.tokens} text deltas, one every
 * {@code thinkloop.model.synthetic.interval}, driven by a timer (no thread per stream). Select it with
 * {@code thinkloop.model.backend=synthetic}.
 */
@ApplicationScoped
public class SyntheticBackend implements ModelBackend {

    @ConfigProperty(name = "thinkloop.model.synthetic.tokens", defaultValue = "32")
    int tokens;

    @ConfigProperty(name = "thinkloop.model.synthetic.interval", defaultValue = "20ms")
    Duration interval;

    @Override
    public String id() {
        return "synthetic";
    }

    @Override
    public String notice() {
        return "Load-test token source, not a model: emits synthetic text deltas on a timer.";
    }

    @Override
    public Multi<ModelChunk> stream(CompletionRequest request) {
        Multi<Long> ticks = interval.isZero()
                ? Multi.createFrom().range(0, tokens).map(Integer::longValue)
                : Multi.createFrom().ticks().every(interval).select().first(tokens);
        return Multi.createBy()
                .concatenating()
                .streams(
                        ticks.map(i -> (ModelChunk) new ModelChunk.Parsed(new ParseEvent.TextDelta("tok" + i + " "))),
                        Multi.createFrom()
                                .items(
                                        new ModelChunk.Usage(
                                                request.prompt() == null
                                                        ? 0
                                                        : request.prompt().length() / 4,
                                                tokens,
                                                0),
                                        new ModelChunk.Parsed(new ParseEvent.End("stop"))));
    }
}
