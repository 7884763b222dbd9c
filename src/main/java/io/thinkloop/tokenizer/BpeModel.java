package io.thinkloop.tokenizer;

import java.util.Arrays;
import java.util.Map;

/**
 * Byte-level BPE: a word's bytes start as one symbol each and the adjacent pair with the lowest merge
 * rank is merged (leftmost first on ties) until no pair has a merge. The pair table is open
 * addressing over primitive keys, the merge loop a linked list plus a binary heap of (rank, position)
 * so long words stay O(n log n), and finished words are cached (like the Rust library does) in a
 * direct-mapped table looked up straight from the text, without cutting out a substring.
 */
final class BpeModel {
    /** Words longer than this (in UTF-16 units) are not cached: they are rare and would bloat it. */
    private static final int MAX_CACHED_WORD = 256;
    /** Slots of the direct-mapped word cache: a colliding word simply replaces the previous one. */
    private static final int CACHE_SLOTS = 1 << 17;

    private static final long EMPTY = -1L;

    private final int[] byteToId = new int[256];
    private final long[] pairKeys;
    /** For each slot: rank in the high 32 bits, merged token id in the low 32. */
    private final long[] pairValues;

    private final int pairMask;
    /** For each token id made by a merge: the left and right token of its lowest-ranked merge, else -1. */
    private final int[] mergedLeft;

    private final int[] mergedRight;
    private final CachedWord[] cache;
    private final int cacheMask = CACHE_SLOTS - 1;

    /**
     * @param vocab  token string to id (byte-level alphabet strings)
     * @param merges the merges in rank order, each a pair of token strings
     */
    BpeModel(Map<String, Integer> vocab, String[][] merges) {
        this.cache = new CachedWord[CACHE_SLOTS];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                // Without byte_fallback or an unk token the Rust library drops such bytes; a byte-level
                // vocabulary always has all 256, so refuse a file that does not rather than guess.
                throw new IllegalArgumentException("vocabulary lacks the byte-level token for byte " + b);
            }
            byteToId[b] = id;
        }
        int capacity = Integer.highestOneBit(Math.max(16, merges.length * 2 - 1)) << 1;
        pairKeys = new long[capacity];
        pairValues = new long[capacity];
        Arrays.fill(pairKeys, EMPTY);
        pairMask = capacity - 1;
        int maxId = 0;
        for (int id : vocab.values()) {
            maxId = Math.max(maxId, id);
        }
        mergedLeft = new int[maxId + 1];
        mergedRight = new int[maxId + 1];
        Arrays.fill(mergedLeft, -1);
        Arrays.fill(mergedRight, -1);
        for (int rank = 0; rank < merges.length; rank++) {
            String left = merges[rank][0];
            String right = merges[rank][1];
            Integer l = vocab.get(left);
            Integer r = vocab.get(right);
            Integer merged = vocab.get(left + right);
            if (l == null || r == null || merged == null) {
                throw new IllegalArgumentException(
                        "merge " + rank + " '" + left + " " + right + "' names a token that is not in the vocabulary");
            }
            long key = pairKey(l, r);
            int slot = slot(key);
            // A duplicated merge keeps its last rank: the Rust library collects merges into a map in order.
            pairKeys[slot] = key;
            pairValues[slot] = ((long) rank << 32) | merged;
            if (mergedLeft[merged] < 0) {
                mergedLeft[merged] = l;
                mergedRight[merged] = r;
            }
        }
    }

    private BpeModel(BpeModel tables, CachedWord[] cache) {
        System.arraycopy(tables.byteToId, 0, byteToId, 0, 256);
        this.pairKeys = tables.pairKeys;
        this.pairValues = tables.pairValues;
        this.pairMask = tables.pairMask;
        this.mergedLeft = tables.mergedLeft;
        this.mergedRight = tables.mergedRight;
        this.cache = cache;
    }

    /**
     * The two tokens whose merge made {@code id} (its lowest-ranked merge), or null for a byte token, an added
     * token or an unknown id. Their bytes concatenated are {@code id}'s bytes.
     */
    int[] parts(int id) {
        if (id < 0 || id >= mergedLeft.length || mergedLeft[id] < 0) {
            return null;
        }
        return new int[] {mergedLeft[id], mergedRight[id]};
    }

    /** The id of the byte-level token of byte {@code b} (0-255). */
    int byteId(int b) {
        return byteToId[b];
    }

    /** The same model without the word cache (every word merged afresh): the benchmark's baseline. */
    BpeModel withoutCache() {
        return new BpeModel(this, null);
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h >>> 40) & pairMask;
        while (pairKeys[i] != EMPTY && pairKeys[i] != key) {
            i = (i + 1) & pairMask;
        }
        return i;
    }

    /** The (rank << 32 | merged id) of a pair, or -1 when the pair has no merge. */
    private long merge(int left, int right) {
        long key = pairKey(left, right);
        int i = slot(key);
        return pairKeys[i] == EMPTY ? -1L : pairValues[i];
    }

    /**
     * Appends the ids of one pre-tokenized word ({@code text[from, to)}) to {@code out}.
     */
    void encodeWord(String text, int from, int to, Workspace ws, IntList out) {
        int len = to - from;
        if (cache == null || len > MAX_CACHED_WORD) {
            out.addAll(mergeWord(text, from, to, ws));
            return;
        }
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + text.charAt(i);
        }
        int slot = (hash ^ (hash >>> 15)) & cacheMask;
        CachedWord hit = cache[slot];
        if (hit != null && hit.hash == hash && hit.word.length() == len && hit.word.regionMatches(0, text, from, len)) {
            out.addAll(hit.ids);
            return;
        }
        int[] ids = mergeWord(text, from, to, ws);
        cache[slot] = new CachedWord(text.substring(from, to), hash, ids);
        out.addAll(ids);
    }

    /**
     * One cached word. Immutable with final fields, so a racy read of the cache slot sees either a whole
     * entry or none: the cache needs no locks.
     */
    private static final class CachedWord {
        final String word;
        final int hash;
        final int[] ids;

        CachedWord(String word, int hash, int[] ids) {
            this.word = word;
            this.hash = hash;
            this.ids = ids;
        }
    }

    private int[] mergeWord(String text, int from, int to, Workspace ws) {
        ws.ensure(Utf8.maxEncodedLength(to - from));
        int n = Utf8.encode(text, from, to, ws.bytes);
        int[] sym = ws.sym;
        int[] next = ws.next;
        int[] prev = ws.prev;
        for (int i = 0; i < n; i++) {
            sym[i] = byteToId[ws.bytes[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        Heap heap = ws.heap;
        heap.clear();
        for (int i = 0; i + 1 < n; i++) {
            long m = merge(sym[i], sym[i + 1]);
            if (m >= 0) {
                heap.push((m & 0xFFFFFFFF00000000L) | i);
            }
        }
        int alive = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int pos = (int) top;
            int rank = (int) (top >>> 32);
            if (sym[pos] < 0) {
                continue; // merged into its left neighbour since this entry was queued
            }
            int right = next[pos];
            if (right < 0) {
                continue;
            }
            long m = merge(sym[pos], sym[right]);
            if (m < 0 || (int) (m >>> 32) != rank) {
                continue; // stale: the pair at pos has changed
            }
            sym[pos] = (int) m;
            sym[right] = -1;
            alive--;
            int after = next[right];
            next[pos] = after;
            if (after >= 0) {
                prev[after] = pos;
            }
            int before = prev[pos];
            if (before >= 0) {
                long mb = merge(sym[before], sym[pos]);
                if (mb >= 0) {
                    heap.push((mb & 0xFFFFFFFF00000000L) | before);
                }
            }
            if (after >= 0) {
                long ma = merge(sym[pos], sym[after]);
                if (ma >= 0) {
                    heap.push((ma & 0xFFFFFFFF00000000L) | pos);
                }
            }
        }
        int[] ids = new int[alive];
        int k = 0;
        for (int i = 0; i >= 0 && k < alive; i = next[i]) {
            ids[k++] = sym[i];
        }
        return ids;
    }

    /** Per-call scratch buffers, so concurrent encodes never share state. */
    static final class Workspace {
        byte[] bytes = new byte[256];
        int[] sym = new int[256];
        int[] next = new int[256];
        int[] prev = new int[256];
        final Heap heap = new Heap();

        void ensure(int n) {
            if (bytes.length < n) {
                int cap = Math.max(n, bytes.length * 2);
                bytes = new byte[cap];
                sym = new int[cap];
                next = new int[cap];
                prev = new int[cap];
            }
        }
    }

    /** A binary min-heap of longs (rank in the high bits, position in the low bits). */
    static final class Heap {
        private long[] a = new long[256];
        private int size;

        void clear() {
            size = 0;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (a[parent] <= v) {
                    break;
                }
                a[i] = a[parent];
                i = parent;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long last = a[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && a[child + 1] < a[child]) {
                    child++;
                }
                if (last <= a[child]) {
                    break;
                }
                a[i] = a[child];
                i = child;
            }
            a[i] = last;
            return top;
        }
    }
}
