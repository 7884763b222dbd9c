package io.thinkloop.backend.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.openai.ChatStreamDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the SSE chunks of a streamed {@code /v1/completions} answer into {@link ModelChunk.Text} with the
 * sampled tokens' ids and logprobs where the server gives them: logprobs from
 * {@code choices[0].logprobs.token_logprobs}; ids from {@code choices[0].token_ids} (vLLM
 * {@code return_token_ids}) or from tokens spelled {@code token_id:N} (vLLM
 * {@code return_tokens_as_token_ids}).
 *
 * <p>Servers drop the end-of-sentence token from the text; when the completion stopped on it (finish
 * reason {@code stop} and no stop string matched) the configured EOS text is appended, so the codec's
 * parser can tell a finished message from a cut-off one.
 */
final class CompletionStreamDecoder implements SseHandler<ModelChunk> {
    private final String eosText;
    private final List<String> stopStrings;
    private final StringBuilder tail = new StringBuilder();
    private boolean done;
    private String finishReason;
    private JsonNode stopReason;
    private ModelChunk.Usage usage;

    CompletionStreamDecoder(String eosText, List<String> stopStrings) {
        this.eosText = eosText;
        this.stopStrings = stopStrings == null ? List.of() : stopStrings;
    }

    @Override
    public List<ModelChunk> onData(String data) {
        List<ModelChunk> out = new ArrayList<>();
        if (data.strip().equals("[DONE]")) {
            done = true;
            return out;
        }
        JsonNode chunk = ChatStreamDecoder.readChunk(data);
        JsonNode u = chunk.get("usage");
        if (u != null && u.isObject()) {
            usage = new ModelChunk.Usage(
                    u.path("prompt_tokens").asInt(),
                    u.path("completion_tokens").asInt(),
                    u.path("completion_tokens_details").path("reasoning_tokens").asInt(0));
        }
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) {
            return out;
        }
        String text = choice.path("text").asText("");
        JsonNode logprobs = choice.path("logprobs");
        float[] lps = floats(logprobs.path("token_logprobs"));
        int[] ids = ints(choice.path("token_ids"));
        if (ids == null) {
            ids = idsFromTokens(logprobs.path("tokens"));
        }
        boolean endsHere = "stop".equals(choice.path("finish_reason").asText(null))
                && choice.path("stop_reason").isNull();
        if (text.isEmpty() && ids != null && ids.length > 0 && endsHere && eosText != null) {
            // vLLM reports the end-of-sentence token (id and logprob) with empty text: give it its text.
            text = eosText;
        }
        if (!text.isEmpty() || (ids != null && ids.length > 0)) {
            out.add(new ModelChunk.Text(text, ids, lps));
            tail.append(text);
            if (tail.length() > 64) {
                tail.delete(0, tail.length() - 64);
            }
        }
        if (choice.hasNonNull("finish_reason")) {
            finishReason = choice.get("finish_reason").asText();
            stopReason = choice.has("stop_reason") ? choice.get("stop_reason") : choice.get("matched_stop");
        }
        return out;
    }

    @Override
    public boolean complete() {
        return done || finishReason != null;
    }

    @Override
    public List<ModelChunk> onEnd() {
        List<ModelChunk> out = new ArrayList<>();
        boolean stoppedOnString =
                stopReason != null && stopReason.isTextual() && stopStrings.contains(stopReason.asText());
        if ("stop".equals(finishReason)
                && !stoppedOnString
                && eosText != null
                && !eosText.isEmpty()
                && !tail.toString().endsWith(eosText)) {
            out.add(new ModelChunk.Text(eosText));
        }
        if (usage != null) {
            out.add(usage);
        }
        return out;
    }

    private static float[] floats(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            out[i] = v == null || v.isNull() ? Float.NaN : (float) v.asDouble();
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static int[] idsFromTokens(JsonNode tokens) {
        if (!tokens.isArray() || tokens.isEmpty()) {
            return null;
        }
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            String t = tokens.get(i).asText();
            if (!t.startsWith("token_id:")) {
                return null;
            }
            try {
                out[i] = Integer.parseInt(t.substring("token_id:".length()));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }
}
