package io.thinkloop.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The third-party peers an interop test drives (npm packages, node, Chromium) must be there: a missing peer
 * fails the test, so CI cannot pass by silently skipping it. A developer without them opts out explicitly
 * with {@code THINKLOOP_SKIP_INTEROP=1} (environment) or {@code -Dthinkloop.skip-interop=true}; the tests
 * are then reported as skipped, not passed.
 */
public final class Interop {
    public static final String SKIP_ENV = "THINKLOOP_SKIP_INTEROP";
    public static final String SKIP_PROPERTY = "thinkloop.skip-interop";

    private Interop() {}

    /** Whether the developer opted out of interop tests whose peers are missing. */
    public static boolean optedOut() {
        String env = System.getenv(SKIP_ENV);
        return "1".equals(env) || "true".equalsIgnoreCase(env) || Boolean.getBoolean(SKIP_PROPERTY);
    }

    /** Passes when the peer is there; else skips (opted out) or fails saying how to install it. */
    public static void requirePeer(boolean present, String peer) {
        if (present) {
            return;
        }
        String why = "missing: " + peer + "; run src/test/setup.sh (npm packages, Chromium), or set " + SKIP_ENV
                + "=1 to skip the interop tests that need it";
        if (optedOut()) {
            Assumptions.abort(why);
        }
        fail(why);
    }
}
