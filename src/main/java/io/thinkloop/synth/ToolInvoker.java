package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * How a reference solution reaches the tools: by name and arguments, a batch at a time (the calls of a batch
 * do not depend on each other, so an agent may issue them in one step). Results are the tools' JSON text,
 * parsed. A tool error becomes {@link ToolError}.
 */
public interface ToolInvoker {
    /** One tool call: a name and its argument object. */
    record Call(String name, ObjectNode arguments) {}

    /** A tool answered with an error result. */
    final class ToolError extends RuntimeException {
        public ToolError(String message) {
            super(message);
        }
    }

    List<JsonNode> callAll(List<Call> calls);

    default JsonNode call(String name, ObjectNode arguments) {
        return callAll(List.of(new Call(name, arguments))).getFirst();
    }
}
