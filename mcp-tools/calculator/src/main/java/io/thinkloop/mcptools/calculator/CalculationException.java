package io.thinkloop.mcptools.calculator;

/** An expression that cannot be evaluated; {@code position} is the 1-based column, or 0 when not tied to one. */
public final class CalculationException extends RuntimeException {
    private final int position;

    public CalculationException(String message, int position) {
        super(position > 0 ? message + " at position " + position : message, null, false, false);
        this.position = position;
    }

    public int position() {
        return position;
    }
}
