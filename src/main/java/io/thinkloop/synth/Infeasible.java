package io.thinkloop.synth;

/** A generated task the reference solution cannot satisfy: the synthesizer drops it. */
public final class Infeasible extends RuntimeException {
    public Infeasible(String message) {
        super(message, null, false, false);
    }
}
