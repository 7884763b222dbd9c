package io.thinkloop.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A subset of a base vocabulary (DeepSeek-V3.2's) for a small model, whose embedding and output head would
 * otherwise be mostly vocabulary: subset id {@code i} stands for base id {@link #toBase(int) toBase(i)}. It always
 * holds the 256 byte-level base tokens and the added tokens other than the reserved placeholders, so every text
 * still encodes: {@link #encode} takes the base tokenizer's ids and splits each id outside the subset into the two
 * tokens of its BPE merge, recursively, down to pieces inside it (ultimately byte tokens); an added token outside
 * the subset is read as plain text. The pieces carry exactly the bytes of the token they replace, so decoding is
 * unchanged. Everything outside the model's innermost loop keeps speaking base ids.
 *
 * <p>Stored as {@value #FILE} in a checkpoint directory: {@code {"format": "thinkloop-vocab-subset/1", "base":
 * "deepseek-v3.2", "base_vocab_size": B, "size": N, "ids": [base id of subset id 0, 1, ..., N-1]}}, ids ascending
 * (so BOS 0 and EOS 1 keep their ids).
 */
public final class SubsetVocabulary {
    public static final String FILE = "vocab.json";
    public static final String FORMAT = "thinkloop-vocab-subset/1";
    static final String PLACEHOLDER = "<｜place▁holder";

    private final Tokenizer base;
    private final int[] toBase;
    private final int[] toSubset;
    private final ConcurrentHashMap<Integer, int[]> pieces = new ConcurrentHashMap<>();

    private SubsetVocabulary(Tokenizer base, int[] toBase) {
        this.base = base;
        this.toBase = toBase;
        this.toSubset = new int[base.vocabSize()];
        Arrays.fill(toSubset, -1);
        for (int i = 0; i < toBase.length; i++) {
            int id = toBase[i];
            if (id < 0 || id >= toSubset.length || base.token(id) == null) {
                throw new IllegalArgumentException("subset id " + i + ": base id " + id + " has no token");
            }
            if (toSubset[id] >= 0) {
                throw new IllegalArgumentException("base id " + id + " appears twice");
            }
            toSubset[id] = i;
        }
        for (int b = 0; b < 256; b++) {
            if (toSubset[base.byteTokenId(b)] < 0) {
                throw new IllegalArgumentException("the subset lacks the byte-level token of byte " + b);
            }
        }
    }

    /** The subset of these base ids (sorted ascending); it must hold every byte-level token. */
    public static SubsetVocabulary of(Tokenizer base, int[] baseIds) {
        int[] sorted = baseIds.clone();
        Arrays.sort(sorted);
        return new SubsetVocabulary(base, sorted);
    }

    /** Whether a base id is one the subset always keeps: a byte-level token, or an added token but a placeholder. */
    public static boolean isRequired(Tokenizer base, int id) {
        if (base.isAdded(id)) {
            String t = base.token(id);
            return t != null && !t.startsWith(PLACEHOLDER);
        }
        return base.mergeParts(id) == null
                && base.token(id) != null
                && ByteLevel.decodeToken(base.token(id)).length == 1;
    }

    /**
     * Fits a subset of {@code size} tokens to data whose base-tokenizer counts are {@code counts} (indexed by base
     * id): it starts from every used token plus the required ones and, while too large, drops the token whose
     * current count is smallest, handing its count to the pieces it splits into (so later choices see the data as
     * the shrinking subset would encode it). A subset larger than the used tokens is filled with unused base ids in
     * id order (BPE ids follow merge rank, i.e. frequency in the base corpus).
     */
    public static SubsetVocabulary fit(Tokenizer base, long[] counts, int size) {
        int n = base.vocabSize();
        BitSet required = new BitSet(n);
        BitSet in = new BitSet(n);
        for (int id = 0; id < n; id++) {
            if (base.token(id) != null && isRequired(base, id)) {
                required.set(id);
                in.set(id);
            }
        }
        if (required.cardinality() > size) {
            throw new IllegalArgumentException("a subset needs at least " + required.cardinality()
                    + " tokens (bytes and added tokens), not " + size);
        }
        long[] c = new long[n];
        for (int id = 0; id < Math.min(n, counts.length); id++) {
            if (counts[id] > 0 && base.token(id) != null) {
                c[id] = counts[id];
                in.set(id);
            }
        }
        // Lazy min-heap of (count, -id): the smallest count first, the later merge first on ties.
        PriorityQueue<long[]> heap =
                new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(b[1], a[1]));
        for (int id = in.nextSetBit(0); id >= 0; id = in.nextSetBit(id + 1)) {
            if (!required.get(id)) {
                heap.add(new long[] {c[id], id});
            }
        }
        int members = in.cardinality();
        while (members > size) {
            long[] top = heap.poll();
            int id = (int) top[1];
            if (!in.get(id) || top[0] != c[id]) {
                continue; // removed already, or its count grew since (a newer entry is queued)
            }
            in.clear(id);
            members--;
            long moved = c[id];
            c[id] = 0;
            if (moved > 0) {
                hand(base, id, moved, in, c, heap, required);
            }
        }
        for (int id = 0; id < n && members < size; id++) {
            if (!in.get(id) && base.token(id) != null && !base.isAdded(id)) {
                in.set(id);
                members++;
            }
        }
        return new SubsetVocabulary(base, in.stream().toArray());
    }

    private static void hand(
            Tokenizer base, int id, long count, BitSet in, long[] c, PriorityQueue<long[]> heap, BitSet required) {
        int[] parts = base.isAdded(id) ? null : base.mergeParts(id);
        if (parts == null) {
            return; // an added token (never removed) or a byte token (never removed)
        }
        for (int p : parts) {
            if (in.get(p)) {
                c[p] += count;
                if (!required.get(p)) {
                    heap.add(new long[] {c[p], p});
                }
            } else {
                hand(base, p, count, in, c, heap, required);
            }
        }
    }

    public Tokenizer base() {
        return base;
    }

    /** Tokens in the subset (the model's vocabulary size). */
    public int size() {
        return toBase.length;
    }

    public int toBase(int subsetId) {
        return toBase[subsetId];
    }

    /** The subset id of a base id, or -1 when the subset lacks it. */
    public int toSubset(int baseId) {
        return baseId >= 0 && baseId < toSubset.length ? toSubset[baseId] : -1;
    }

    public boolean contains(int baseId) {
        return toSubset(baseId) >= 0;
    }

    /** Subset ids of base ids that are all in the subset (see {@link #restrict} for any base ids). */
    public int[] toSubset(int[] baseIds) {
        int[] out = new int[baseIds.length];
        for (int i = 0; i < baseIds.length; i++) {
            int s = toSubset(baseIds[i]);
            if (s < 0) {
                throw new IllegalArgumentException("base id " + baseIds[i] + " is not in the subset");
            }
            out[i] = s;
        }
        return out;
    }

    /** Base ids for {@code text}, every one inside the subset. */
    public int[] encode(String text) {
        return restrict(base.encode(text));
    }

    /** Base ids with every id outside the subset replaced by its pieces inside it (same bytes). */
    public int[] restrict(int[] baseIds) {
        return restrictTracked(baseIds).ids();
    }

    /**
     * Restricted ids and, for each, the index of the input id it came from: per-token data such as loss weights
     * follow a token into its pieces.
     */
    public record Restricted(int[] ids, int[] origin) {}

    public Restricted restrictTracked(int[] baseIds) {
        IntList out = new IntList(baseIds.length + 16);
        IntList origin = new IntList(baseIds.length + 16);
        for (int i = 0; i < baseIds.length; i++) {
            int id = baseIds[i];
            if (contains(id)) {
                out.add(id);
                origin.add(i);
            } else {
                int[] p = piecesOf(id);
                out.addAll(p);
                for (int k = 0; k < p.length; k++) {
                    origin.add(i);
                }
            }
        }
        return new Restricted(out.toArray(), origin.toArray());
    }

    private int[] piecesOf(int id) {
        int[] cached = pieces.get(id);
        if (cached != null) {
            return cached;
        }
        IntList out = new IntList(8);
        split(id, out);
        int[] p = out.toArray();
        pieces.put(id, p);
        return p;
    }

    private void split(int id, IntList out) {
        if (contains(id)) {
            out.add(id);
            return;
        }
        if (base.isAdded(id)) {
            for (int piece : base.encodeOrdinary(base.token(id))) {
                split(piece, out);
            }
            return;
        }
        int[] parts = base.mergeParts(id);
        if (parts == null) {
            throw new IllegalArgumentException("base id " + id + " cannot be split into subset tokens");
        }
        split(parts[0], out);
        split(parts[1], out);
    }

    /** The text of base ids (the base tokenizer's decoding). */
    public String decode(int[] baseIds) {
        return base.decode(baseIds);
    }

    /** The UTF-8 bytes base ids decode to (for compression figures). */
    public static long byteLength(Tokenizer base, int[] baseIds) {
        long n = 0;
        for (int id : baseIds) {
            byte[] b = base.bytesOf(id);
            n += b == null ? 0 : b.length;
        }
        return n;
    }

    // ------------------------------------------------------------------ vocab.json

    public JsonNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("base", "deepseek-v3.2");
        o.put("base_vocab_size", base.vocabSize());
        o.put("size", toBase.length);
        ArrayNode ids = o.putArray("ids");
        for (int id : toBase) {
            ids.add(id);
        }
        return o;
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, Json.MAPPER.writeValueAsString(toJson()) + "\n");
    }

    public static SubsetVocabulary fromJson(JsonNode o, Tokenizer base) {
        if (!FORMAT.equals(o.path("format").asText())) {
            throw new IllegalArgumentException("not a " + FORMAT + " file (format " + o.path("format") + ")");
        }
        if (o.path("base_vocab_size").asInt() != base.vocabSize()) {
            throw new IllegalArgumentException("made for a base vocabulary of "
                    + o.path("base_vocab_size").asInt() + " tokens, the tokenizer has " + base.vocabSize());
        }
        JsonNode ids = o.path("ids");
        if (!ids.isArray() || ids.size() != o.path("size").asInt()) {
            throw new IllegalArgumentException("ids must be an array of 'size' base ids");
        }
        int[] toBase = new int[ids.size()];
        for (int i = 0; i < toBase.length; i++) {
            toBase[i] = ids.get(i).asInt(-1);
            if (i > 0 && toBase[i] <= toBase[i - 1]) {
                throw new IllegalArgumentException("ids must ascend (at subset id " + i + ")");
            }
        }
        return new SubsetVocabulary(base, toBase);
    }

    public static SubsetVocabulary read(Path file, Tokenizer base) throws IOException {
        try {
            return fromJson(Json.MAPPER.readTree(file.toFile()), base);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
