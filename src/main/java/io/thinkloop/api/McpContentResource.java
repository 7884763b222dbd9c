package io.thinkloop.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.integration.McpServerManager;
import io.thinkloop.json.Json;
import io.thinkloop.mcp.client.McpClient;
import io.thinkloop.mcp.protocol.McpException;
import io.thinkloop.model.ErrorCode;
import io.thinkloop.session.ServerEvent;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The resources and prompts of the configured MCP servers, for a user who attaches them to a conversation
 * (the agent reads resources itself through each server's {@code read_resource} tool). Lists follow the server's
 * pagination to the end; a server that is not connected is 503 {@code unavailable}, one that offers no resources
 * or prompts 404 {@code not_found}, an error the server answers (an unknown URI or prompt) 400
 * {@code invalid_request} with the server's message.
 */
@Path("/v1/mcp/servers/{name}")
@Produces(MediaType.APPLICATION_JSON)
public class McpContentResource {

    @Inject
    McpServerManager manager;

    /** A prompt's arguments (all strings, as MCP has them). */
    public record PromptRequest(Map<String, String> arguments) {}

    @GET
    @Path("resources")
    public Uni<Response> resources(@PathParam("name") String name) {
        return with(
                name,
                "resources",
                c -> c.listResources()
                        .flatMap(res -> c.listResourceTemplates().map(t -> {
                            ObjectNode out = Json.MAPPER.createObjectNode();
                            out.putArray("resources").addAll(res);
                            out.putArray("resourceTemplates").addAll(t);
                            return (JsonNode) out;
                        })));
    }

    @GET
    @Path("resource")
    public Uni<Response> read(@PathParam("name") String name, @QueryParam("uri") String uri) {
        if (uri == null || uri.isBlank()) {
            return Uni.createFrom().item(error(400, ErrorCode.INVALID_REQUEST, "the query parameter uri is required"));
        }
        return with(name, "resources", c -> c.readResource(uri));
    }

    @GET
    @Path("prompts")
    public Uni<Response> prompts(@PathParam("name") String name) {
        return with(
                name,
                "prompts",
                c -> c.listPrompts().map(p -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    out.putArray("prompts").addAll(p);
                    return (JsonNode) out;
                }));
    }

    @POST
    @Path("prompts/{prompt}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> prompt(
            @PathParam("name") String name, @PathParam("prompt") String prompt, PromptRequest request) {
        Map<String, String> args =
                request == null || request.arguments() == null ? Map.of() : new LinkedHashMap<>(request.arguments());
        return with(name, "prompts", c -> c.getPrompt(prompt, args));
    }

    private Uni<Response> with(String name, String capability, Function<McpClient, Uni<JsonNode>> call) {
        McpClient client = manager.client(name).orElse(null);
        if (client == null) {
            return Uni.createFrom().item(error(404, ErrorCode.NOT_FOUND, "no MCP server " + name));
        }
        if (client.state() != McpClient.State.READY) {
            return Uni.createFrom()
                    .item(error(
                            503,
                            ErrorCode.UNAVAILABLE,
                            "MCP server " + name + " is not connected"
                                    + (client.lastError() == null ? "" : ": " + client.lastError())));
        }
        if (!client.offers(capability)) {
            return Uni.createFrom()
                    .item(error(404, ErrorCode.NOT_FOUND, "MCP server " + name + " offers no " + capability));
        }
        return call.apply(client)
                .map(body -> Response.ok(body).type(MediaType.APPLICATION_JSON).build())
                .onFailure(McpException.class)
                .recoverWithItem(
                        e -> error(400, ErrorCode.INVALID_REQUEST, "MCP server " + name + ": " + e.getMessage()));
    }

    private static Response error(int status, ErrorCode code, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(ServerEvent.Error.of(code, message))
                .build();
    }
}
