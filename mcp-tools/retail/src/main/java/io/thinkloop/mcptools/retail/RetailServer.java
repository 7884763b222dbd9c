package io.thinkloop.mcptools.retail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.thinkloop.json.Json;
import io.thinkloop.mcptools.support.SchemaTool;
import io.thinkloop.mcptools.support.ToolFailure;
import io.thinkloop.tools.Tool;
import io.thinkloop.tools.ToolCallContext;
import io.thinkloop.tools.ToolResult;
import io.thinkloop.tools.ToolServerDefinition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code ./thinkloop tool-server retail}: the retail-orders environment (customers, orders, products) with six
 * tools, the last {@code submit_result}. Option {@code seed} (default 42) picks the generated database.
 */
public final class RetailServer implements ToolServerDefinition {
    public static final String NAME = "retail";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Retail orders: look up customers, their orders and products, and submit_result with the answer.";
    }

    @Override
    public List<Tool> tools(Map<String, String> options) {
        return tools(database(options));
    }

    public static RetailDatabase database(Map<String, String> options) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.remove("seed");
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown retail option(s) " + unknown + "; known: [seed]");
        }
        try {
            return RetailDatabase.generate(
                    Long.parseLong(options.getOrDefault("seed", "42").trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("seed must be an integer, got '" + options.get("seed") + "'");
        }
    }

    private static final String OBJ =
            "{\"type\":\"object\",\"properties\":{%s},\"required\":[%s],\"additionalProperties\":false}";

    private static String args(String... names) {
        StringBuilder props = new StringBuilder();
        StringBuilder req = new StringBuilder();
        for (String n : names) {
            props.append(props.isEmpty() ? "" : ",")
                    .append('"')
                    .append(n)
                    .append("\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":200}");
            req.append(req.isEmpty() ? "" : ",").append('"').append(n).append('"');
        }
        return OBJ.formatted(props, req);
    }

    static final String SUBMIT_ARGS = """
            {"type":"object","properties":{
              "order_id":{"type":"string","maxLength":40},
              "total":{"type":"number"},
              "return_product_id":{"type":"string","maxLength":40},
              "refund":{"type":"number"},
              "replacement_product_id":{"type":"string","maxLength":40},
              "price_difference":{"type":"number"}},
             "required":["order_id"],"additionalProperties":false}""";

    public static List<Tool> tools(RetailDatabase db) {
        return List.of(
                tool(
                        "find_customer_by_email",
                        "Find a customer by e-mail address: id, name, tier.",
                        args("email"),
                        a -> Json.MAPPER.valueToTree(
                                db.customerByEmail(a.get("email").asText())
                                        .orElseThrow(() -> new ToolFailure("No customer with e-mail "
                                                + a.get("email").asText())))),
                tool(
                        "list_orders",
                        "List a customer's orders (id, date, status), oldest first.",
                        args("customer_id"),
                        a -> {
                            String id = a.get("customer_id").asText().trim();
                            if (db.customers().stream().noneMatch(c -> c.id().equalsIgnoreCase(id))) {
                                throw new ToolFailure("Unknown customer " + id + "; use find_customer_by_email");
                            }
                            ObjectNode out = Json.MAPPER.createObjectNode().put("customer_id", id.toUpperCase());
                            ArrayNode list = out.putArray("orders");
                            db.ordersOf(id.toUpperCase())
                                    .forEach(o -> list.addObject()
                                            .put("order_id", o.id())
                                            .put("date", o.date())
                                            .put("status", o.status()));
                            return out;
                        }),
                tool(
                        "get_order",
                        "Get an order: date, status and items (product_id, quantity, unit_price paid).",
                        args("order_id"),
                        a -> Json.MAPPER.valueToTree(db.order(a.get("order_id").asText())
                                .orElseThrow(() -> new ToolFailure(
                                        "Unknown order " + a.get("order_id").asText())))),
                tool(
                        "get_product",
                        "Get a product: name, category, current price, stock, rating.",
                        args("product_id"),
                        a -> Json.MAPPER.valueToTree(
                                db.product(a.get("product_id").asText())
                                        .orElseThrow(() -> new ToolFailure("Unknown product "
                                                + a.get("product_id").asText())))),
                tool(
                        "list_products_by_category",
                        "List the products of a category (ids and names). Categories: "
                                + String.join(", ", RetailDatabase.CATEGORIES) + ".",
                        args("category"),
                        a -> {
                            List<RetailDatabase.Product> ps =
                                    db.inCategory(a.get("category").asText());
                            if (ps.isEmpty()) {
                                throw new ToolFailure("Unknown category; categories: "
                                        + String.join(", ", RetailDatabase.CATEGORIES));
                            }
                            ObjectNode out = Json.MAPPER.createObjectNode();
                            ArrayNode list = out.putArray("products");
                            ps.forEach(p ->
                                    list.addObject().put("product_id", p.id()).put("name", p.name()));
                            return out;
                        }),
                tool(
                        "submit_result",
                        "Submit the answer to the task (only the fields the task asks for). Call it once.",
                        SUBMIT_ARGS,
                        a -> Json.MAPPER.createObjectNode().put("status", "accepted")));
    }

    private static Tool tool(String name, String description, String input, Function<JsonNode, JsonNode> body) {
        return new SchemaTool(name, description, input, null) {
            @Override
            protected Uni<ToolResult> execute(JsonNode args, ToolCallContext context) {
                return Uni.createFrom().item(() -> ok(body.apply(args)));
            }
        };
    }
}
