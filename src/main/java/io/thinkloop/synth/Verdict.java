package io.thinkloop.synth;

import java.util.List;

/** A verifier's decision: {@code checks} constraints looked at, {@code failures} the ones broken (empty = pass). */
public record Verdict(int checks, List<String> failures) {
    public Verdict {
        failures = List.copyOf(failures);
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    public double reward() {
        return passed() ? 1.0 : 0.0;
    }
}
