package io.thinkloop.train.sft;

import io.thinkloop.codec.AgentPrompt;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation rendered by the codec exactly as the agent's prompts are ({@link AgentPrompt#encode}) and tokenized,
 * with who wrote each token. The codec renders message by message, each message's text depending only on the
 * messages before it, so the encoding of the first {@code i} messages is a prefix of the whole: the text of message
 * {@code i} is the difference. Every boundary between the model's text and the rest sits at an added token
 * ({@code <think>} before, EOS after), where the tokenizer splits anyway, so tokenizing runs of one writer gives the
 * whole text's tokens (the tests check both).
 *
 * @param text    the whole conversation's prompt text
 * @param tokens  its token ids
 * @param written per token: whether the model wrote it (an assistant message: reasoning, {@code </think>}, answer
 *                or tool calls, and the end-of-sentence that closes it)
 */
public record Rendering(String text, int[] tokens, boolean[] written) {

    public static Rendering of(List<ChatMessage> conversation, Tokenizer tokenizer) {
        // Runs of messages with one writer: consecutive tool results meet at plain text ("</result>\n<result>"),
        // which must be tokenized together; a run of the model's starts after <think> and ends with EOS.
        String text = "";
        List<int[]> pieces = new ArrayList<>();
        List<Boolean> byModel = new ArrayList<>();
        int total = 0;
        int runStart = 0;
        for (int i = 0; i < conversation.size(); i++) {
            boolean model = conversation.get(i).role() == ChatMessage.Role.ASSISTANT;
            boolean last = i + 1 == conversation.size();
            if (!last && (conversation.get(i + 1).role() == ChatMessage.Role.ASSISTANT) == model) {
                continue;
            }
            String upTo = AgentPrompt.encode(conversation.subList(0, i + 1));
            if (!upTo.startsWith(text)) {
                throw new IllegalStateException(
                        "messages " + runStart + "-" + i + " change the rendering of the messages before them");
            }
            int[] ids = tokenizer.encode(upTo.substring(text.length()));
            pieces.add(ids);
            byModel.add(model);
            total += ids.length;
            text = upTo;
            runStart = i + 1;
        }
        int[] tokens = new int[total];
        boolean[] written = new boolean[total];
        int at = 0;
        for (int i = 0; i < pieces.size(); i++) {
            int[] ids = pieces.get(i);
            System.arraycopy(ids, 0, tokens, at, ids.length);
            for (int k = 0; k < ids.length; k++) {
                written[at + k] = byModel.get(i);
            }
            at += ids.length;
        }
        return new Rendering(text, tokens, written);
    }

    /** Weight of position t = whether the model writes token t + 1. */
    public float[] lossWeight() {
        float[] w = new float[tokens.length - 1];
        for (int t = 0; t < w.length; t++) {
            w[t] = written[t + 1] ? 1f : 0f;
        }
        return w;
    }

    public TrainingExample example(String id, String split, long dbSeed) {
        return new TrainingExample(id, split, dbSeed, tokens, lossWeight());
    }
}
