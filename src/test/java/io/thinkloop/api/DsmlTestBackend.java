package io.thinkloop.api;

import io.smallrye.mutiny.Multi;
import io.thinkloop.backend.embedded.GenerationEngine;
import io.thinkloop.model.BackendException;
import io.thinkloop.model.ChatMessage;
import io.thinkloop.model.CompletionRequest;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.model.ModelChunk;
import io.thinkloop.model.ThinkingMode;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.testkit.FakeBackend;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test double of a text model (backend {@value #ID}): answers like DeepSeek-V3.2 would, as raw DSML text in
 * small pieces, so the endpoint's codec, parser and event mapping are the real ones. With tools and no tool
 * result yet it reasons and calls {@code get_weather} (and {@code search} when offered); after tool results
 * it answers in text; a user message containing {@code RATE-LIMIT} makes it fail like a throttled server, one with
 * {@code BREAK-MIDWAY} fails after some output, one with {@code SLOW} streams slowly for a minute, {@code BUSY} and
 * {@code TOO-LONG} fail as the embedded engine does when its queue is full or the prompt exceeds its context. A
 * {@code stop} sequence ends the text before it, as a server that honours {@code stop} does.
 */
@ApplicationScoped
public class DsmlTestBackend extends FakeBackend {
    public static final String ID = "dsml-test";
    /** The same backend with thinking on by default (as DeepSeek's deepseek-reasoner beside deepseek-chat). */
    public static final String REASONER = ID + "-reasoner";

    static final String EOS = "<｜end▁of▁sentence｜>";

    public DsmlTestBackend() {
        super(ID, DsmlTestBackend::simulate);
    }

    /** The model: raw DeepSeek-V3.2 text for the request (the test kit records requests and cancellations). */
    static Multi<ModelChunk> simulate(CompletionRequest request) {
        if (request.prompt() == null) {
            return Multi.createFrom()
                    .failure(new BackendException(ErrorCode.BAD_REQUEST, "a text model needs the encoded prompt"));
        }
        ChatMessage last = request.messages().get(request.messages().size() - 1);
        if (last.role() == ChatMessage.Role.USER && last.content().contains("RATE-LIMIT")) {
            return Multi.createFrom()
                    .failure(new BackendException(
                            ErrorCode.RATE_LIMITED, 429, true, Duration.ofSeconds(1), "HTTP 429: slow down", null));
        }
        if (last.role() == ChatMessage.Role.USER && last.content().contains("BUSY")) {
            // what the embedded engine answers when its queue is full
            return Multi.createFrom()
                    .failure(new GenerationEngine.BusyException("the embedded model is busy; try again later"));
        }
        if (last.role() == ChatMessage.Role.USER && last.content().contains("TOO-LONG")) {
            // what the embedded engine answers for a prompt beyond its context
            return Multi.createFrom()
                    .failure(new BackendException(
                            ErrorCode.CONTEXT_LENGTH_EXCEEDED,
                            400,
                            false,
                            null,
                            "prompt of 20000 tokens does not fit the embedded model's context of 16384 tokens",
                            null));
        }
        if (last.role() == ChatMessage.Role.USER && last.content().contains("BREAK-MIDWAY")) {
            return Multi.createBy()
                    .concatenating()
                    .streams(
                            Multi.createFrom()
                                    .items(
                                            new ModelChunk.Text("Thinking..."),
                                            new ModelChunk.Text("</think>Partial answer")),
                            Multi.createFrom()
                                    .failure(new BackendException(
                                            ErrorCode.STREAM_INTERRUPTED,
                                            0,
                                            true,
                                            null,
                                            "stream interrupted after partial output (connection_lost)",
                                            null)));
        }
        if (last.role() == ChatMessage.Role.USER && last.content().contains("SLOW")) {
            // One piece every 50 ms for a minute, unless the consumer goes away.
            return Multi.createFrom()
                    .ticks()
                    .every(Duration.ofMillis(50))
                    .select()
                    .first(1200)
                    .map(i -> (ModelChunk) new ModelChunk.Text(i == 0 ? "</think>" : "word" + i + " "));
        }
        boolean thinking = request.thinking() == ThinkingMode.THINKING;
        StringBuilder out = new StringBuilder();
        List<String> toolNames = request.tools().stream().map(ToolSpec::name).toList();
        if (last.role() == ChatMessage.Role.TOOL) {
            if (thinking) {
                out.append("The tool answered: ").append(last.content()).append(".</think>");
            }
            out.append("It is sunny in Zürich, 18 °C. ☀️");
        } else if (toolNames.contains("get_weather")) {
            if (thinking) {
                out.append("The user asks about the weather; I will call get_weather.</think>");
            }
            out.append("Let me check.\n\n<｜DSML｜function_calls>\n<｜DSML｜invoke name=\"get_weather\">\n")
                    .append("<｜DSML｜parameter name=\"city\" string=\"true\">Zürich</｜DSML｜parameter>\n")
                    .append("<｜DSML｜parameter name=\"metric\" string=\"false\">true</｜DSML｜parameter>\n")
                    .append("</｜DSML｜invoke>\n");
            if (toolNames.contains("search")) {
                out.append("<｜DSML｜invoke name=\"search\">\n")
                        .append(
                                "<｜DSML｜parameter name=\"query\" string=\"true\">events in \"Zürich\"</｜DSML｜parameter>\n")
                        .append("<｜DSML｜parameter name=\"limit\" string=\"false\">3</｜DSML｜parameter>\n")
                        .append("</｜DSML｜invoke>\n");
            }
            out.append("</｜DSML｜function_calls>");
        } else {
            if (thinking) {
                out.append("Echo the user.</think>");
            }
            out.append("You said: ").append(last.content());
        }
        // A stop sequence ends the text before it, as a server that honours `stop` does (the model then ends).
        List<String> stops = request.sampling() == null || request.sampling().stop() == null
                ? List.of()
                : request.sampling().stop();
        for (String stop : stops) {
            int at = stop.isEmpty() ? -1 : out.indexOf(stop);
            if (at >= 0) {
                out.setLength(at);
            }
        }
        out.append(EOS);
        List<ModelChunk> chunks = new ArrayList<>();
        String text = out.toString();
        int pieces = 0;
        for (int i = 0; i < text.length(); ) {
            int end = Math.min(text.length(), i + 6);
            if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                end++;
            }
            chunks.add(new ModelChunk.Text(text.substring(i, end)));
            pieces++;
            i = end;
        }
        chunks.add(new ModelChunk.Usage(request.prompt().length(), pieces, 0));
        return Multi.createFrom().iterable(chunks);
    }
}
