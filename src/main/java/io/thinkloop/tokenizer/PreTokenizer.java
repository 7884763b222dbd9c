package io.thinkloop.tokenizer;

/**
 * Cuts text (between added tokens) into the words that BPE merges within. Implementations must be
 * stateless and thread-safe.
 */
interface PreTokenizer {
    /** Receives each word as a range of the text, in order. */
    interface Sink {
        void word(int from, int to);
    }

    void split(String text, int from, int to, Sink sink);
}
