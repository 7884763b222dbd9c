package io.thinkloop.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A byte-level BPE tokenizer loaded from a Hugging Face {@code tokenizer.json} (DeepSeek-V3.2's), giving
 * the same ids as the Hugging Face {@code tokenizers} library with its defaults: added tokens in the text
 * become their ids ({@code split_special_tokens=false}) and no BOS/EOS is added. Thread-safe.
 *
 * <p>Supported: an empty (or absent) normalizer; a pre-tokenizer made of Split steps (Isolated or
 * Removed, not inverted) ending in ByteLevel without prefix space or regex; a BPE model without
 * dropout, unk token, subword affixes or byte fallback; a ByteLevel decoder. Anything else is refused
 * at load with a message naming it, rather than tokenized differently.
 */
public final class Tokenizer {
    private final BpeModel model;
    private final AddedVocabulary added;
    private final PreTokenizer preTokenizer;
    private final Map<String, Integer> tokenToId;
    private final String[] idToToken;
    private final byte[][] idToBytes;
    private final boolean[] special;

    private Tokenizer(
            BpeModel model,
            AddedVocabulary added,
            PreTokenizer preTokenizer,
            Map<String, Integer> tokenToId,
            String[] idToToken,
            boolean[] special) {
        this.model = model;
        this.added = added;
        this.preTokenizer = preTokenizer;
        this.tokenToId = tokenToId;
        this.idToToken = idToToken;
        this.special = special;
        this.idToBytes = new byte[idToToken.length][];
        for (int id = 0; id < idToToken.length; id++) {
            if (idToToken[id] != null) {
                idToBytes[id] = ByteLevel.decodeToken(idToToken[id]);
            }
        }
    }

    /** Loads a {@code tokenizer.json}; fails with a clear message on anything it cannot reproduce exactly. */
    public static Tokenizer load(Path tokenizerJson) throws IOException {
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return load(in, tokenizerJson.toString());
        }
    }

    public static Tokenizer load(InputStream json, String source) throws IOException {
        JsonNode root = Json.MAPPER.readTree(json);
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    private static Tokenizer fromJson(JsonNode root) {
        checkNormalizer(root.path("normalizer"));
        checkDecoder(root.path("decoder"));
        PreTokenizer pre = preTokenizer(root.path("pre_tokenizer"));

        JsonNode m = root.path("model");
        if (!"BPE".equals(m.path("type").asText())) {
            throw new IllegalArgumentException(
                    "model type '" + m.path("type").asText() + "' is not supported (BPE only)");
        }
        for (String unsupported :
                new String[] {"dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!m.path(unsupported).isMissingNode() && !m.path(unsupported).isNull()) {
                throw new IllegalArgumentException("BPE option '" + unsupported + "' is not supported");
            }
        }
        if (m.path("byte_fallback").asBoolean(false) || m.path("ignore_merges").asBoolean(false)) {
            throw new IllegalArgumentException("BPE byte_fallback/ignore_merges are not supported");
        }
        Map<String, Integer> vocab = new HashMap<>(m.path("vocab").size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = m.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode mergesNode = m.path("merges");
        String[][] merges = new String[mergesNode.size()][];
        for (int i = 0; i < merges.length; i++) {
            JsonNode merge = mergesNode.get(i);
            if (merge.isArray() && merge.size() == 2) {
                merges[i] = new String[] {merge.get(0).asText(), merge.get(1).asText()};
            } else {
                String s = merge.asText();
                int space = s.indexOf(' ');
                if (space <= 0 || space != s.lastIndexOf(' ')) {
                    throw new IllegalArgumentException("merge " + i + " '" + s + "' is not two tokens");
                }
                merges[i] = new String[] {s.substring(0, space), s.substring(space + 1)};
            }
        }
        BpeModel model = new BpeModel(vocab, merges);

        List<AddedVocabulary.AddedToken> addedTokens = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            if (t.path("single_word").asBoolean(false)
                    || t.path("lstrip").asBoolean(false)
                    || t.path("rstrip").asBoolean(false)) {
                throw new IllegalArgumentException("added token '"
                        + t.path("content").asText() + "' uses single_word/lstrip/rstrip, which are not supported");
            }
            addedTokens.add(new AddedVocabulary.AddedToken(
                    t.path("id").asInt(),
                    t.path("content").asText(),
                    t.path("special").asBoolean(false),
                    t.path("normalized").asBoolean(true)));
        }

        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        for (AddedVocabulary.AddedToken t : addedTokens) {
            size = Math.max(size, t.id() + 1);
        }
        String[] idToToken = new String[size];
        boolean[] special = new boolean[size];
        Map<String, Integer> tokenToId = new HashMap<>(vocab);
        vocab.forEach((token, id) -> idToToken[id] = token);
        for (AddedVocabulary.AddedToken t : addedTokens) {
            idToToken[t.id()] = t.content();
            special[t.id()] = t.special();
            tokenToId.put(t.content(), t.id());
        }
        return new Tokenizer(model, new AddedVocabulary(addedTokens), pre, Map.copyOf(tokenToId), idToToken, special);
    }

    private static void checkNormalizer(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return;
        }
        if ("Sequence".equals(n.path("type").asText())) {
            for (JsonNode inner : n.path("normalizers")) {
                checkNormalizer(inner);
            }
            return;
        }
        throw new IllegalArgumentException("normalizer '" + n.path("type").asText() + "' is not supported");
    }

    private static void checkDecoder(JsonNode n) {
        if (!n.isMissingNode()
                && !n.isNull()
                && !"ByteLevel".equals(n.path("type").asText())) {
            throw new IllegalArgumentException("decoder '" + n.path("type").asText() + "' is not supported");
        }
    }

    private static PreTokenizer preTokenizer(JsonNode n) {
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(n.path("type").asText())) {
            n.path("pretokenizers").forEach(steps::add);
        } else {
            steps.add(n);
        }
        if (steps.isEmpty() || !"ByteLevel".equals(steps.getLast().path("type").asText())) {
            throw new IllegalArgumentException("the pre-tokenizer must end in ByteLevel");
        }
        JsonNode byteLevel = steps.removeLast();
        if (byteLevel.path("add_prefix_space").asBoolean(false)
                || byteLevel.path("use_regex").asBoolean(true)) {
            throw new IllegalArgumentException(
                    "ByteLevel pre-tokenizer with add_prefix_space or use_regex is not supported");
        }
        List<RegexPreTokenizer.Split> splits = new ArrayList<>();
        for (JsonNode step : steps) {
            if (!"Split".equals(step.path("type").asText())) {
                throw new IllegalArgumentException(
                        "pre-tokenizer '" + step.path("type").asText() + "' is not supported");
            }
            if (step.path("invert").asBoolean(false)) {
                throw new IllegalArgumentException("inverted Split is not supported");
            }
            RegexPreTokenizer.Behavior behavior = switch (step.path("behavior").asText()) {
                case "Isolated" -> RegexPreTokenizer.Behavior.ISOLATED;
                case "Removed" -> RegexPreTokenizer.Behavior.REMOVED;
                default ->
                    throw new IllegalArgumentException(
                            "Split behavior '" + step.path("behavior").asText() + "' is not supported");
            };
            JsonNode pattern = step.path("pattern");
            String regex;
            if (pattern.has("Regex")) {
                regex = pattern.get("Regex").asText();
            } else if (pattern.has("String")) {
                regex = Pattern.quote(pattern.get("String").asText());
            } else {
                throw new IllegalArgumentException("Split pattern " + pattern + " is not supported");
            }
            splits.add(new RegexPreTokenizer.Split(RegexPreTokenizer.compile(regex), behavior));
        }
        RegexPreTokenizer general = new RegexPreTokenizer(splits);
        return DeepSeekPreTokenizer.matches(splits) ? new DeepSeekPreTokenizer() : general;
    }

    /**
     * Token ids for {@code text}, without BOS/EOS; added tokens written in the text become their ids.
     * A lone surrogate (which a Rust string cannot hold) is encoded as U+FFFD.
     */
    public int[] encode(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        BpeModel.Workspace ws = new BpeModel.Workspace();
        PreTokenizer.Sink words = (from, to) -> model.encodeWord(text, from, to, ws, out);
        added.split(text, 0, text.length(), new AddedVocabulary.Sink() {
            @Override
            public void text(int from, int to) {
                preTokenizer.split(text, from, to, words);
            }

            @Override
            public void token(int id) {
                out.add(id);
            }
        });
        return out.toArray();
    }

    /**
     * Token ids for {@code text} read as plain text: an added token's content is split into ordinary pieces
     * rather than matched (what a vocabulary without that added token falls back to).
     */
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        BpeModel.Workspace ws = new BpeModel.Workspace();
        preTokenizer.split(text, 0, text.length(), (from, to) -> model.encodeWord(text, from, to, ws, out));
        return out.toArray();
    }

    /**
     * The two tokens whose BPE merge made {@code id}, or null for a byte-level token, an added token or an
     * unknown id: decoding the two gives exactly the bytes of {@code id}, so a token can always be split down
     * to byte-level tokens.
     */
    public int[] mergeParts(int id) {
        return isAdded(id) ? null : model.parts(id);
    }

    /** The id of the byte-level base token of byte {@code b} (0-255). */
    public int byteTokenId(int b) {
        return model.byteId(b & 0xFF);
    }

    /** Whether an id is an added token (special or not: BOS, EOS, {@code <think>}, placeholders...). */
    public boolean isAdded(int id) {
        return added.contains(id);
    }

    /**
     * The text of {@code ids}, special tokens included as their content. Like the Rust library, ids
     * without a token are skipped and invalid UTF-8 becomes U+FFFD.
     */
    public String decode(int[] ids) {
        int total = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            total += b == null ? 0 : b.length;
        }
        byte[] all = new byte[total];
        int n = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            if (b != null) {
                System.arraycopy(b, 0, all, n, b.length);
                n += b.length;
            }
        }
        return Utf8.decodeLossy(all, 0, n);
    }

    /**
     * This tokenizer without its cache of merged words: every word goes through the merge loop. Same
     * ids, slower; the baseline that {@code thinkloop perf tokenizer} measures the cache against.
     */
    public Tokenizer withoutWordCache() {
        return new Tokenizer(model.withoutCache(), added, preTokenizer, tokenToId, idToToken, special);
    }

    /** A fresh detokenizer for one generated sequence. */
    public StreamingDecoder newDecoder() {
        return new StreamingDecoder(this);
    }

    /** Ids run from 0 to {@code vocabSize() - 1}, added tokens included. */
    public int vocabSize() {
        return idToToken.length;
    }

    /** The id of a token string (a vocabulary entry in byte-level form, or an added token's content). */
    public Integer tokenId(String token) {
        return tokenToId.get(token);
    }

    /** The token string of an id (byte-level form for vocabulary tokens), or null. */
    public String token(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    /** Whether an id is a special added token (BOS, EOS, the placeholders...). */
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /** The pre-tokenizer in use (tests check that DeepSeek's gets the hand-written one). */
    PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /** The bytes an id decodes to, or null when the id has no token. The array must not be modified. */
    byte[] bytesOf(int id) {
        return id >= 0 && id < idToBytes.length ? idToBytes[id] : null;
    }
}
