package io.thinkloop.console;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ParseEvent;
import io.thinkloop.testkit.FakeBackend;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * TEST BACKEND for the console's browser test (selected with {@code thinkloop.model.backend=console-test}):
 * a deterministic script keyed by a bracketed word in the last user message, so each test step gets
 * the same answer whatever ran before. Chunks are spaced {@link #GAP} apart so the page really streams.
 *
 * <ul>
 * <li>{@code [calc]}: reasoning, a {@code multiply} call; after its result, reasoning and "6 times 7 is 42."</li>
 * <li>{@code [slow]}: reasoning, a {@code slow_wait} call of 30 s (the test cancels it)</li>
 * <li>{@code [approve]}: a {@code guarded_echo} call (approval: ask); after it, the echoed text</li>
 * <li>anything else: "Yes, still here."</li>
 * </ul>
 */
@ApplicationScoped
public class ConsoleTestBackend extends FakeBackend {

    static final Duration GAP = Duration.ofMillis(25);

    public ConsoleTestBackend() {
        super("console-test", ConsoleTestBackend::simulate);
    }

    /** The script: the answer for the bracketed word of the last user message, paced by {@link #GAP}. */
    static Multi<ModelChunk> simulate(CompletionRequest request) {
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.getLast();
        String user = "";
        for (ChatMessage m : messages) {
            if (m.role() == ChatMessage.Role.USER) {
                user = m.content();
            }
        }
        boolean afterTool = last.role() == ChatMessage.Role.TOOL;
        List<ModelChunk> chunks = new ArrayList<>();
        if (user.contains("[calc]")) {
            if (!afterTool) {
                words(chunks, true, "The user wants 6 times 7. I will call multiply.");
                toolCall(chunks, "multiply", "{\"a\": 6, \"b\": 7}");
            } else {
                words(chunks, true, "The tool says " + last.content() + ".");
                words(chunks, false, "6 times 7 is " + last.content() + ".");
            }
        } else if (user.contains("[slow]")) {
            if (!afterTool) {
                words(chunks, true, "I will wait with slow_wait.");
                toolCall(chunks, "slow_wait", "{\"seconds\": 30}");
            } else {
                words(chunks, false, "Done waiting.");
            }
        } else if (user.contains("[approve]")) {
            if (!afterTool) {
                words(chunks, true, "guarded_echo needs approval.");
                toolCall(chunks, "guarded_echo", "{\"text\": \"approved text\"}");
            } else {
                words(chunks, false, "The guarded echo said: " + last.content());
            }
        } else {
            words(chunks, false, "Yes, still here.");
        }
        chunks.add(new ModelChunk.Usage(100 + messages.size(), chunks.size(), 7));
        return Multi.createFrom()
                .iterable(chunks)
                .onItem()
                .call(c -> Uni.createFrom().nullItem().onItem().delayIt().by(GAP));
    }

    /** The text in word-sized deltas, as a model streams it. */
    private static void words(List<ModelChunk> out, boolean reasoning, String text) {
        for (String w : text.split("(?<= )")) {
            out.add(new ModelChunk.Parsed(reasoning ? new ParseEvent.ReasoningDelta(w) : new ParseEvent.TextDelta(w)));
        }
    }

    /** A tool call whose argument text arrives in two pieces. */
    private static void toolCall(List<ModelChunk> out, String name, String args) {
        int half = args.length() / 2;
        out.add(new ModelChunk.Parsed(new ParseEvent.ToolCallStarted(0, name)));
        out.add(new ModelChunk.Parsed(new ParseEvent.ToolCallArgumentsDelta(0, args.substring(0, half))));
        out.add(new ModelChunk.Parsed(new ParseEvent.ToolCallArgumentsDelta(0, args.substring(half))));
        out.add(new ModelChunk.Parsed(new ParseEvent.ToolCallCompleted(0, name, args)));
        out.add(new ModelChunk.Parsed(new ParseEvent.End("tool_calls")));
    }
}
