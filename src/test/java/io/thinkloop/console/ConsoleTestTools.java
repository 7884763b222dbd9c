package io.thinkloop.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.model.ToolSpec;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolRegistry;
import io.thinkloop.tools.ToolResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * TEST TOOLS for the console's browser test, registered only when {@code thinkloop.console-test.tools}
 * is true (its test profile), so other tests' registries stay as they are: {@code multiply}, the slow
 * {@code slow_wait} (cancellable: cancelling the Uni stops the wait) and {@code guarded_echo}, which
 * asks for approval.
 */
@ApplicationScoped
public class ConsoleTestTools {

    @Inject
    ToolRegistry registry;

    @ConfigProperty(name = "thinkloop.console-test.tools", defaultValue = "false")
    boolean enabled;

    void onStart(@Observes StartupEvent ev) {
        if (!enabled) {
            return;
        }
        registry.register(tool(
                "multiply",
                "Multiplies two integers.",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},\"required\":[\"a\",\"b\"]}",
                Tool.Approval.AUTO,
                args -> Uni.createFrom()
                        .item(ToolResult.ok(Long.toString(
                                args.get("a").asLong() * args.get("b").asLong())))));
        registry.register(tool(
                "slow_wait",
                "Waits the given number of seconds, then says so.",
                "{\"type\":\"object\",\"properties\":{\"seconds\":{\"type\":\"integer\",\"minimum\":0}},\"required\":[\"seconds\"]}",
                Tool.Approval.AUTO,
                args -> Uni.createFrom()
                        .item(ToolResult.ok("waited " + args.get("seconds").asInt() + " s"))
                        .onItem()
                        .delayIt()
                        .by(Duration.ofSeconds(args.get("seconds").asInt()))));
        registry.register(tool(
                "guarded_echo",
                "Echoes its text, once a person approves.",
                "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}",
                Tool.Approval.ASK,
                args -> Uni.createFrom().item(ToolResult.ok(args.get("text").asText()))));
    }

    private interface Body {
        Uni<ToolResult> call(JsonNode args);
    }

    private static Tool tool(String name, String description, String schema, Tool.Approval approval, Body body) {
        JsonNode parameters;
        try {
            parameters = Json.MAPPER.readTree(schema);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        ToolSpec spec = new ToolSpec(name, description, parameters);
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return spec;
            }

            @Override
            public Tool.Approval approval() {
                return approval;
            }

            @Override
            public Uni<ToolResult> call(JsonNode arguments, ToolCallContext context) {
                return body.call(arguments);
            }
        };
    }
}
