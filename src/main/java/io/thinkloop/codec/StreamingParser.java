package io.thinkloop.codec;

import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolSpec;
import java.util.List;

/**
 * Incremental parser of a streamed completion: feed chunks of any size, get {@link ParseEvent}s as soon
 * as they are decided. Strict mode fails like {@link DeepSeekV32Codec#parse}; lenient mode (live model
 * output) repairs known deviations and coerces argument values by the tools' schemas.
 * Not thread-safe: one parser per completion.
 */
public final class StreamingParser {

    public static StreamingParser strict(ThinkingMode mode) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public static StreamingParser lenient(ThinkingMode mode, List<ToolSpec> tools) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Events decided by this chunk (possibly none). */
    public List<ParseEvent> feed(CharSequence chunk) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Ends the stream: flushes held-back text and emits {@link ParseEvent.End}. */
    public List<ParseEvent> finish() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
