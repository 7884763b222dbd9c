package io.thinkloop.synth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinkloop.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Answers an RL policy could learn to game must score 0 in every task of the pinned suites: each attack starts from
 * the task's correct reference answer and breaks only its form (a missing or invented field value, a wrong type,
 * an extra field), so a verifier that checks constraints alone would still pass it.
 */
class VerifierAttackTest {

    private static List<SynthTask> tasks(String suite) throws IOException {
        return Suite.load("classpath:" + suite).tasks();
    }

    private static ObjectNode firstDay(JsonNode plan) {
        return (ObjectNode) plan.get("days").get(0);
    }

    private static ArrayNode attractions(ObjectNode day) {
        return day.has("attractions") && day.get("attractions").isArray()
                ? (ArrayNode) day.get("attractions")
                : day.putArray("attractions");
    }

    /** Trip-planning attacks, each a function of a copy of the correct plan. */
    private static Map<String, UnaryOperator<ObjectNode>> tripAttacks() {
        Map<String, UnaryOperator<ObjectNode>> a = new LinkedHashMap<>();
        a.put("an attraction without time_slot", p -> {
            attractions(firstDay(p)).addObject().put("name", "Old Town");
            return p;
        });
        a.put("an invented time_slot", p -> {
            attractions(firstDay(p)).addObject().put("name", "Old Town").put("time_slot", "midnight");
            return p;
        });
        a.put("attractions as an object", p -> {
            ObjectNode one =
                    Json.MAPPER.createObjectNode().put("name", "Old Town").put("time_slot", "morning");
            firstDay(p).set("attractions", one);
            return p;
        });
        a.put("an extra top-level field", p -> p.put("confidence", 1.0));
        a.put("an extra field in a day", p -> {
            firstDay(p).put("note", "trust me");
            return p;
        });
        a.put("day as a string", p -> {
            firstDay(p).put("day", firstDay(p).get("day").asText());
            return p;
        });
        a.put("no days at all", p -> {
            p.putArray("days");
            return p;
        });
        a.put("a negative total cost", p -> p.put("total_cost", -1));
        a.put("an invented meal", p -> {
            firstDay(p).putArray("meals").addObject().put("meal", "brunch").put("restaurant", "Cafe");
            return p;
        });
        a.put("an invented transport mode", p -> {
            firstDay(p)
                    .putArray("transport")
                    .addObject()
                    .put("mode", "teleport")
                    .put("from_city", "A")
                    .put("to_city", "B");
            return p;
        });
        a.put("a date that is not a date", p -> {
            firstDay(p).put("date", "tomorrow");
            return p;
        });
        a.put("the hotel as a number", p -> {
            firstDay(p).put("hotel", 42);
            return p;
        });
        return a;
    }

    private static Map<String, UnaryOperator<ObjectNode>> retailAttacks() {
        Map<String, UnaryOperator<ObjectNode>> a = new LinkedHashMap<>();
        a.put("an extra field", p -> p.put("confidence", 1.0));
        a.put("order_id as a number", p -> p.put("order_id", 27));
        a.put("a number as a string", p -> {
            List<String> numeric = new ArrayList<>();
            p.fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    numeric.add(e.getKey());
                }
            });
            numeric.forEach(f -> p.put(f, p.get(f).asText()));
            return numeric.isEmpty() ? p.put("total", "12.50") : p;
        });
        a.put("no order_id", p -> {
            p.remove("order_id");
            return p;
        });
        a.put("an empty answer", p -> {
            p.removeAll();
            return p;
        });
        return a;
    }

    private static int attackEveryTask(List<SynthTask> tasks, Map<String, UnaryOperator<ObjectNode>> attacks) {
        int tried = 0;
        for (SynthTask t : tasks) {
            JsonNode correct = t.reference().submission();
            assertTrue(t.verify(correct).passed(), t.id() + ": the untouched reference answer passes");
            for (var attack : attacks.entrySet()) {
                ObjectNode forged = attack.getValue().apply(correct.deepCopy());
                Verdict v = t.verify(forged);
                assertFalse(v.passed(), t.id() + " accepted " + attack.getKey() + ": " + forged);
                assertFalse(v.failures().isEmpty(), "a rejected answer says why");
                tried++;
            }
        }
        return tried;
    }

    @Test
    void everyFormAttackFailsEveryTripPlanningTask() throws IOException {
        List<SynthTask> tasks = tasks("trip-smoke-v1.jsonl");
        int tried = attackEveryTask(tasks, tripAttacks());
        assertTrue(tried == tasks.size() * tripAttacks().size() && tried > 0);
    }

    @Test
    void everyFormAttackFailsEveryRetailTask() throws IOException {
        List<SynthTask> tasks = tasks("retail-smoke-v1.jsonl");
        int tried = attackEveryTask(tasks, retailAttacks());
        assertTrue(tried == tasks.size() * retailAttacks().size() && tried > 0);
    }

    @Test
    void anAnswerThatIsNotAnObjectFailsWithAReason() throws IOException {
        SynthTask trip = tasks("trip-smoke-v1.jsonl").getFirst();
        Verdict v = trip.verify(Json.MAPPER.createArrayNode());
        assertFalse(v.passed());
        assertTrue(
                v.failures().getFirst().contains("submit_result"), v.failures().toString());
    }
}
