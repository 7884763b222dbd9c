package io.thinkloop.mcptools.support;

/**
 * A failure the caller should read and may recover from (unknown name, date out of range, division by
 * zero); {@link SchemaTool} turns it into an error result carrying this message.
 */
public final class ToolFailure extends RuntimeException {
    public ToolFailure(String message) {
        super(message, null, false, false);
    }
}
