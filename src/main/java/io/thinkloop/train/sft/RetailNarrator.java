package io.thinkloop.train.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import io.thinkloop.synth.RetailTasks;
import io.thinkloop.synth.SynthTask;
import io.thinkloop.synth.ToolInvoker;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Retail-orders tasks: customer, orders, the latest delivered order, then the return and the exchange. */
final class RetailNarrator implements Narrator {

    @Override
    public JsonNode solve(SynthTask task, TrajectoryRecorder turn) {
        RetailTasks.Spec spec = Json.MAPPER.convertValue(task.spec(), RetailTasks.Spec.class);
        int level = spec.level();
        String goal = level == 1
                ? "the order id and total of their latest delivered order"
                : level == 2
                        ? "their latest delivered order, its total, the item to return (highest unit price) and the refund"
                        : "their latest delivered order, its total, the item to return, the refund, and the best in-stock"
                                + " replacement of the same category at no more than the price paid";
        JsonNode customer = turn.act(
                "The task asks for " + goal + ". Orders are listed by customer id, so first I need the customer with"
                        + " e-mail " + spec.customerEmail() + ".",
                call("find_customer_by_email", "email", spec.customerEmail()));
        String customerId = customer.get("id").asText();
        JsonNode orders = turn.act(
                "The customer is " + customerId + ". Next: their orders, to find the most recent delivered one.",
                call("list_orders", "customer_id", customerId));
        StringBuilder why = new StringBuilder("Orders of " + customerId + ":\n");
        JsonNode latest = null;
        for (JsonNode o : orders.get("orders")) {
            boolean delivered = o.get("status").asText().equals("delivered");
            why.append("- ")
                    .append(o.get("order_id").asText())
                    .append(", ")
                    .append(o.get("date").asText())
                    .append(", ")
                    .append(o.get("status").asText())
                    .append(delivered ? "" : " (not delivered: skip)")
                    .append('\n');
            if (delivered
                    && (latest == null
                            || o.get("date")
                                            .asText()
                                            .compareTo(latest.get("date").asText())
                                    > 0)) {
                latest = o;
            }
        }
        if (latest == null) {
            throw new IllegalStateException("no delivered order for " + customerId);
        }
        String orderId = latest.get("order_id").asText();
        why.append("The latest delivered one is ")
                .append(orderId)
                .append(" (")
                .append(latest.get("date").asText())
                .append("). I need its items with quantities and unit prices.");
        JsonNode order = turn.act(why.toString(), call("get_order", "order_id", orderId));

        StringBuilder sum = new StringBuilder("Items of " + orderId + ":\n");
        BigDecimal total = BigDecimal.ZERO;
        JsonNode best = null;
        for (JsonNode it : order.get("items")) {
            BigDecimal line = money(it.get("unit_price"))
                    .multiply(BigDecimal.valueOf(it.get("quantity").asInt()));
            total = total.add(line);
            sum.append("- ")
                    .append(it.get("product_id").asText())
                    .append(": ")
                    .append(it.get("quantity").asInt())
                    .append(" x ")
                    .append(fmt(money(it.get("unit_price"))))
                    .append(" = ")
                    .append(fmt(line))
                    .append('\n');
            double p = it.get("unit_price").asDouble();
            if (best == null
                    || p > best.get("unit_price").asDouble()
                    || (p == best.get("unit_price").asDouble()
                            && it.get("product_id")
                                            .asText()
                                            .compareTo(best.get("product_id").asText())
                                    < 0)) {
                best = it;
            }
        }
        total = total.setScale(2, RoundingMode.HALF_UP);
        sum.append("Total = ").append(fmt(total)).append(".\n");
        ObjectNode out =
                Json.MAPPER.createObjectNode().put("order_id", order.get("id").asText());
        out.put("total", total.doubleValue());
        if (level >= 2) {
            BigDecimal paid = money(best.get("unit_price"));
            BigDecimal refund = paid.multiply(
                            BigDecimal.valueOf(best.get("quantity").asInt()))
                    .setScale(2, RoundingMode.HALF_UP);
            sum.append("The highest unit price paid is ")
                    .append(fmt(paid))
                    .append(" for ")
                    .append(best.get("product_id").asText())
                    .append(" (ties go to the smaller product id), so that is the return; refund = ")
                    .append(fmt(paid))
                    .append(" x ")
                    .append(best.get("quantity").asInt())
                    .append(" = ")
                    .append(fmt(refund))
                    .append(".\n");
            out.put("return_product_id", best.get("product_id").asText());
            out.put("refund", refund.doubleValue());
            if (level >= 3) {
                String returnedId = best.get("product_id").asText();
                sum.append("For the exchange I need the category of ")
                        .append(returnedId)
                        .append('.');
                JsonNode returned = turn.act(sum.toString(), call("get_product", "product_id", returnedId));
                String category = returned.get("category").asText();
                JsonNode listed = turn.act(
                        returnedId + " is in category " + category
                                + ". I list that category to find replacement candidates.",
                        call("list_products_by_category", "category", category));
                List<ToolInvoker.Call> details = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                listed.get("products").forEach(p -> {
                    ids.add(p.get("product_id").asText());
                    details.add(call(
                            "get_product", "product_id", p.get("product_id").asText()));
                });
                List<JsonNode> products = turn.act(
                        "Category " + category + " has " + ids.size() + " products: " + String.join(", ", ids)
                                + ". I need each one's stock, current price and rating.",
                        details);
                StringBuilder pick = new StringBuilder(
                        "Replacement candidates (not " + returnedId + ", stock > 0, price <= " + fmt(paid) + "):\n");
                List<JsonNode> eligible = new ArrayList<>();
                for (JsonNode p : products) {
                    String id = p.get("id").asText();
                    pick.append("- ")
                            .append(id)
                            .append(": price ")
                            .append(fmt(money(p.get("price"))))
                            .append(", stock ")
                            .append(p.get("stock").asInt())
                            .append(", rating ")
                            .append(p.get("rating").asText());
                    if (id.equals(returnedId)) {
                        pick.append(" -> the returned product itself\n");
                    } else if (p.get("stock").asInt() <= 0) {
                        pick.append(" -> out of stock\n");
                    } else if (p.get("price").asDouble() > paid.doubleValue()) {
                        pick.append(" -> costs more than ").append(fmt(paid)).append('\n');
                    } else {
                        pick.append(" -> eligible\n");
                        eligible.add(p);
                    }
                }
                JsonNode chosen = eligible.stream()
                        .min(Comparator.comparingDouble(
                                        (JsonNode p) -> -p.get("rating").asDouble())
                                .thenComparingDouble(p -> p.get("price").asDouble())
                                .thenComparing(p -> p.get("id").asText()))
                        .orElseThrow(() -> new IllegalStateException("no replacement in stock"));
                BigDecimal diff = paid.subtract(money(chosen.get("price"))).setScale(2, RoundingMode.HALF_UP);
                pick.append("Best rated among the eligible (ties: lower price, then smaller id): ")
                        .append(chosen.get("id").asText())
                        .append(" (rating ")
                        .append(chosen.get("rating").asText())
                        .append(", price ")
                        .append(fmt(money(chosen.get("price"))))
                        .append("). Price difference = ")
                        .append(fmt(paid))
                        .append(" - ")
                        .append(fmt(money(chosen.get("price"))))
                        .append(" = ")
                        .append(fmt(diff))
                        .append(".\n");
                out.put("replacement_product_id", chosen.get("id").asText());
                out.put("price_difference", diff.doubleValue());
                sum = pick;
            }
        }
        sum.append("Every field is known; I submit them.");
        turn.act(sum.toString(), new ToolInvoker.Call("submit_result", out));
        return out;
    }

    @Override
    public String answer(SynthTask task, JsonNode s) {
        StringBuilder b = new StringBuilder("Submitted: order ")
                .append(s.get("order_id").asText())
                .append(", total ")
                .append(fmt(money(s.get("total"))));
        if (s.has("return_product_id")) {
            b.append("; return ")
                    .append(s.get("return_product_id").asText())
                    .append(", refund ")
                    .append(fmt(money(s.get("refund"))));
        }
        if (s.has("replacement_product_id")) {
            b.append("; replacement ")
                    .append(s.get("replacement_product_id").asText())
                    .append(", price difference ")
                    .append(fmt(money(s.get("price_difference"))));
        }
        return b.append('.').toString();
    }

    static ToolInvoker.Call call(String tool, String key, String value) {
        return new ToolInvoker.Call(tool, Json.MAPPER.createObjectNode().put(key, value));
    }

    private static BigDecimal money(JsonNode n) {
        return new BigDecimal(n.asText()).setScale(2, RoundingMode.HALF_UP);
    }

    private static String fmt(BigDecimal v) {
        return v.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
