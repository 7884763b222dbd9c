package io.thinkloop.bench;

import java.io.IOException;

/**
 * The service cannot run the suite at all (unreachable, the API key rejected, the suite's tools not served):
 * found before the first trial, so nothing was run or written. The message is one line saying what to fix.
 */
public final class PreflightFailure extends IOException {
    public PreflightFailure(String message) {
        super(message);
    }
}
