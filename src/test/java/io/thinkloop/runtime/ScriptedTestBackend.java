package io.thinkloop.runtime;

import io.thinkloop.testkit.FakeBackend;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The test kit's {@link FakeBackend} as the service's model backend for the loop's logic
 * ({@code thinkloop.model.backend=test-script}): per session, a queue of scripted completions and the
 * requests it received. A session without script gets the answer "ok".
 */
@ApplicationScoped
public class ScriptedTestBackend extends FakeBackend {
    public static final String ID = "test-script";

    public ScriptedTestBackend() {
        super(ID);
    }
}
