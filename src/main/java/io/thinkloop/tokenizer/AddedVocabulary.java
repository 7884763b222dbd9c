package io.thinkloop.tokenizer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens (special ones like {@code <｜User｜>} and plain ones like {@code <think>}) in raw
 * text before any BPE, the way the Rust library's AddedVocabulary does: first the tokens marked
 * {@code normalized: false} over the whole text, then the {@code normalized: true} ones over the
 * gaps that remain; each pass takes the leftmost match and, among matches there, the longest.
 */
final class AddedVocabulary {
    /** One added token from tokenizer.json. */
    record AddedToken(int id, String content, boolean special, boolean normalized) {}

    /** Receives the text gaps and the matched tokens, in order. */
    interface Sink {
        void text(int from, int to);

        void token(int id);
    }

    private final Trie raw;
    private final Trie normalized;
    private final BitSet ids = new BitSet();

    AddedVocabulary(List<AddedToken> tokens) {
        raw = new Trie();
        normalized = new Trie();
        for (AddedToken t : tokens) {
            ids.set(t.id());
            if (t.content().isEmpty()) {
                continue;
            }
            (t.normalized() ? normalized : raw).add(t.content(), t.id());
        }
    }

    /** Whether {@code id} is an added token. */
    boolean contains(int id) {
        return id >= 0 && ids.get(id);
    }

    /**
     * Splits {@code text[from, to)} into gaps and added tokens. The normalizer is the identity (the
     * only one this tokenizer accepts), so the normalized pass runs over the same characters.
     */
    void split(String text, int from, int to, Sink sink) {
        if (raw.isEmpty()) {
            normalized.split(text, from, to, sink);
            return;
        }
        raw.split(text, from, to, new Sink() {
            @Override
            public void text(int gapFrom, int gapTo) {
                normalized.split(text, gapFrom, gapTo, sink);
            }

            @Override
            public void token(int id) {
                sink.token(id);
            }
        });
    }

    /** A character trie with a quick filter on first characters. */
    private static final class Trie {
        private final Node root = new Node();
        private final boolean[] firstBmp = new boolean[65536];

        private static final class Node {
            final Map<Character, Node> children = new HashMap<>(4);
            int id = -1;
        }

        void add(String s, int id) {
            Node n = root;
            for (int i = 0; i < s.length(); i++) {
                n = n.children.computeIfAbsent(s.charAt(i), c -> new Node());
            }
            n.id = id;
            firstBmp[s.charAt(0)] = true;
        }

        boolean isEmpty() {
            return root.children.isEmpty();
        }

        void split(String text, int from, int to, Sink sink) {
            if (isEmpty()) {
                if (from < to) {
                    sink.text(from, to);
                }
                return;
            }
            int gap = from;
            int i = from;
            while (i < to) {
                if (!firstBmp[text.charAt(i)]) {
                    i++;
                    continue;
                }
                int matchEnd = -1;
                int matchId = -1;
                Node n = root;
                for (int j = i; j < to; j++) {
                    n = n.children.get(text.charAt(j));
                    if (n == null) {
                        break;
                    }
                    if (n.id >= 0) {
                        matchEnd = j + 1;
                        matchId = n.id;
                    }
                }
                if (matchEnd < 0) {
                    i++;
                    continue;
                }
                if (gap < i) {
                    sink.text(gap, i);
                }
                sink.token(matchId);
                i = matchEnd;
                gap = i;
            }
            if (gap < to) {
                sink.text(gap, to);
            }
        }
    }
}
