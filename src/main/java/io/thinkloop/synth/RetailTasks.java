package io.thinkloop.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.mcptools.retail.RetailDatabase;
import io.thinkloop.mcptools.retail.RetailServer;
import io.thinkloop.tools.Tool;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Retail-orders tasks over {@link RetailServer}'s tools. Difficulty: 1) the customer's most recent delivered
 * order and its total; 2) plus the item to return (highest unit price paid) and its refund; 3) plus the
 * exchange: the best-rated product of the same category in stock at no more than the price paid, and the price
 * difference. The answer is unique, so the verifier compares it with the one computed from the database.
 */
public final class RetailTasks implements TaskEnvironment {
    public static final String DOMAIN = RetailServer.NAME;
    private final Map<String, String> options;
    private final RetailDatabase db;
    private final List<Tool> tools;

    public RetailTasks(Map<String, String> options) {
        this.options = Map.copyOf(options);
        this.db = RetailServer.database(options);
        this.tools = RetailServer.tools(db);
    }

    public static Map<String, String> options(long seed) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("seed", Long.toString(seed));
        return o;
    }

    /** A task: whose order, and how far the task goes (the difficulty). */
    public record Spec(String customerEmail, int level) {}

    @Override
    public String domain() {
        return DOMAIN;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public List<Tool> tools() {
        return tools;
    }

    @Override
    public int maxDifficulty() {
        return 3;
    }

    @Override
    public JsonNode newSpec(Random random, int difficulty) {
        RetailDatabase.Customer c =
                db.customers().get(random.nextInt(db.customers().size()));
        Spec spec = new Spec(c.email(), difficulty);
        expected(spec); // throws Infeasible when the database has no answer
        return Json.MAPPER.valueToTree(spec);
    }

    private static Spec spec(JsonNode node) {
        try {
            return Json.MAPPER.treeToValue(node, Spec.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a retail task spec: " + e.getMessage(), e);
        }
    }

    @Override
    public String prompt(String taskId, JsonNode specNode) {
        Spec s = spec(specNode);
        StringBuilder p = new StringBuilder("Task ")
                .append(taskId)
                .append(" (retail orders). The customer with e-mail ")
                .append(s.customerEmail())
                .append(" asks about their most recent order with status delivered (latest date).\n")
                .append("- Report its order_id and its total (sum of quantity x unit_price paid, 2 decimals).\n");
        if (s.level() >= 2) {
            p.append(
                            "- They return the item with the highest unit price paid in that order (ties: the smaller product id): report it as ")
                    .append("return_product_id, and the refund = its unit_price x quantity.\n");
        }
        if (s.level() >= 3) {
            p.append(
                            "- They exchange it for another product of the same category that is in stock (stock > 0) and whose current price ")
                    .append(
                            "is at most the unit price paid: the best-rated one (ties: lower price, then smaller id). Report it as ")
                    .append(
                            "replacement_product_id, and price_difference = unit price paid - replacement's current price.\n");
        }
        p.append("Use the tools to look everything up, then call submit_result once with exactly these fields.");
        return p.toString();
    }

    /** The one right answer, from the database. */
    ObjectNode expected(Spec s) {
        RetailDatabase.Customer c =
                db.customerByEmail(s.customerEmail()).orElseThrow(() -> new Infeasible("no such customer"));
        RetailDatabase.Order order = db.ordersOf(c.id()).stream()
                .filter(o -> o.status().equals("delivered"))
                .max(Comparator.comparing(RetailDatabase.Order::date))
                .orElseThrow(() -> new Infeasible("no delivered order"));
        ObjectNode out =
                Json.MAPPER.createObjectNode().put("order_id", order.id()).put("total", order.total());
        if (s.level() >= 2) {
            RetailDatabase.Item item = order.items().stream()
                    .max(Comparator.comparingDouble(RetailDatabase.Item::unitPrice)
                            .thenComparing(RetailDatabase.Item::productId, Comparator.reverseOrder()))
                    .orElseThrow();
            out.put("return_product_id", item.productId()).put("refund", round(item.unitPrice() * item.quantity()));
            if (s.level() >= 3) {
                String category = db.product(item.productId()).orElseThrow().category();
                RetailDatabase.Product r = db.inCategory(category).stream()
                        .filter(p -> !p.id().equals(item.productId()) && p.stock() > 0 && p.price() <= item.unitPrice())
                        .min(Comparator.comparingDouble((RetailDatabase.Product p) -> -p.rating())
                                .thenComparingDouble(RetailDatabase.Product::price)
                                .thenComparing(RetailDatabase.Product::id))
                        .orElseThrow(() -> new Infeasible("no replacement in stock"));
                out.put("replacement_product_id", r.id()).put("price_difference", round(item.unitPrice() - r.price()));
            }
        }
        return out;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    @Override
    public JsonNode solve(JsonNode specNode, ToolInvoker tools) {
        Spec s = spec(specNode);
        JsonNode customer = tools.call(
                "find_customer_by_email", Json.MAPPER.createObjectNode().put("email", s.customerEmail()));
        JsonNode orders = tools.call(
                "list_orders",
                Json.MAPPER
                        .createObjectNode()
                        .put("customer_id", customer.get("id").asText()));
        JsonNode latest = null;
        for (JsonNode o : orders.get("orders")) {
            if (o.get("status").asText().equals("delivered")
                    && (latest == null
                            || o.get("date")
                                            .asText()
                                            .compareTo(latest.get("date").asText())
                                    > 0)) {
                latest = o;
            }
        }
        if (latest == null) {
            throw new Infeasible("no delivered order");
        }
        JsonNode order = tools.call(
                "get_order",
                Json.MAPPER
                        .createObjectNode()
                        .put("order_id", latest.get("order_id").asText()));
        double total = 0;
        JsonNode best = null;
        for (JsonNode it : order.get("items")) {
            total += it.get("unit_price").asDouble() * it.get("quantity").asInt();
            if (best == null
                    || it.get("unit_price").asDouble() > best.get("unit_price").asDouble()
                    || (it.get("unit_price").asDouble()
                                    == best.get("unit_price").asDouble()
                            && it.get("product_id")
                                            .asText()
                                            .compareTo(best.get("product_id").asText())
                                    < 0)) {
                best = it;
            }
        }
        ObjectNode out = Json.MAPPER
                .createObjectNode()
                .put("order_id", order.get("id").asText())
                .put("total", round(total));
        if (s.level() >= 2) {
            double paid = best.get("unit_price").asDouble();
            out.put("return_product_id", best.get("product_id").asText())
                    .put("refund", round(paid * best.get("quantity").asInt()));
            if (s.level() >= 3) {
                JsonNode returned = tools.call(
                        "get_product",
                        Json.MAPPER
                                .createObjectNode()
                                .put("product_id", best.get("product_id").asText()));
                JsonNode listed = tools.call(
                        "list_products_by_category",
                        Json.MAPPER
                                .createObjectNode()
                                .put("category", returned.get("category").asText()));
                List<ToolInvoker.Call> calls = new ArrayList<>();
                listed.get("products")
                        .forEach(p -> calls.add(new ToolInvoker.Call(
                                "get_product",
                                Json.MAPPER
                                        .createObjectNode()
                                        .put("product_id", p.get("product_id").asText()))));
                JsonNode pick = tools.callAll(calls).stream()
                        .filter(p ->
                                !p.get("id").asText().equals(returned.get("id").asText())
                                        && p.get("stock").asInt() > 0
                                        && p.get("price").asDouble() <= paid)
                        .min(Comparator.comparingDouble(
                                        (JsonNode p) -> -p.get("rating").asDouble())
                                .thenComparingDouble(p -> p.get("price").asDouble())
                                .thenComparing(p -> p.get("id").asText()))
                        .orElseThrow(() -> new Infeasible("no replacement"));
                out.put("replacement_product_id", pick.get("id").asText())
                        .put("price_difference", round(paid - pick.get("price").asDouble()));
            }
        }
        return out;
    }

    @Override
    public Verdict verify(JsonNode specNode, JsonNode submission) {
        ObjectNode want = expected(spec(specNode));
        if (submission == null || !submission.isObject()) {
            return new Verdict(1, List.of("nothing submitted"));
        }
        List<String> fail = new ArrayList<>();
        int checks = 0;
        for (var e : want.properties()) {
            checks++;
            JsonNode got = submission.get(e.getKey());
            boolean ok = got != null
                    && (e.getValue().isNumber()
                            ? got.isNumber()
                                    && Math.abs(got.asDouble() - e.getValue().asDouble()) < 0.005
                            : got.asText().trim().equalsIgnoreCase(e.getValue().asText()));
            if (!ok) {
                fail.add(e.getKey() + " is " + (got == null ? "missing" : got.toString()) + ", expected "
                        + e.getValue());
            }
        }
        return new Verdict(checks, fail);
    }

    @Override
    public List<Perturbation> perturb(JsonNode specNode, JsonNode correct, Random random) {
        List<Perturbation> out = new ArrayList<>();
        String orderId = correct.get("order_id").asText();
        String other = db.orders().stream()
                .map(RetailDatabase.Order::id)
                .filter(id -> !id.equals(orderId))
                .toList()
                .get(random.nextInt(db.orders().size() - 1));
        out.add(new Perturbation("other order", ((ObjectNode) correct.deepCopy()).put("order_id", other)));
        out.add(new Perturbation(
                "total off by one",
                ((ObjectNode) correct.deepCopy())
                        .put("total", correct.get("total").asDouble() + 1)));
        ObjectNode missing = correct.deepCopy();
        missing.remove("total");
        out.add(new Perturbation("total missing", missing));
        if (correct.has("refund")) {
            out.add(new Perturbation(
                    "refund doubled",
                    ((ObjectNode) correct.deepCopy())
                            .put("refund", correct.get("refund").asDouble() * 2 + 1)));
        }
        if (correct.has("replacement_product_id")) {
            String rid = correct.get("replacement_product_id").asText();
            String wrong = db.products().stream()
                    .map(RetailDatabase.Product::id)
                    .filter(id -> !id.equals(rid))
                    .findFirst()
                    .orElseThrow();
            out.add(new Perturbation(
                    "other replacement", ((ObjectNode) correct.deepCopy()).put("replacement_product_id", wrong)));
        }
        return out;
    }
}
