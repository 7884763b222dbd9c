package io.thinkloop.session;

import java.io.IOException;
import java.util.List;

/** A session's journaled events in seq order, read in bounded batches (a replay never holds the whole history). */
interface EventSource {
    boolean done();

    /** The next event lines, at most {@code maxLines} and about {@code maxBytes}; empty once done. */
    List<String> next(int maxLines, int maxBytes) throws IOException;
}
