package io.thinkloop.session;

/**
 * When journal appends reach the disk ({@code thinkloop.journal.fsync}). Every append is written to the
 * file (the OS page cache) before the event is sent or the message acknowledged, so a crash of the
 * process loses nothing under any policy; the policy decides what survives a crash of the machine.
 */
public enum FsyncPolicy {
    /** fsync after every append: nothing acknowledged is ever lost, slowest. */
    ALWAYS,
    /** fsync dirty journals every {@code thinkloop.journal.fsync-interval} (default 200 ms) and at turn end. */
    BATCH,
    /** leave it to the OS. */
    NEVER
}
