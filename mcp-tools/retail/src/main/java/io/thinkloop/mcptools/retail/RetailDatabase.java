package io.thinkloop.mcptools.retail;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The retail-orders database: customers, products (by category, with price, stock and rating) and orders
 * (dated, with a status and line items at the price paid). Generated deterministically from a seed.
 */
public record RetailDatabase(List<Customer> customers, List<Product> products, List<Order> orders) {
    public static final List<String> CATEGORIES =
            List.of("headphones", "keyboards", "monitors", "backpacks", "coffee makers", "lamps");
    public static final List<String> STATUSES = List.of("delivered", "shipped", "processing", "cancelled");
    private static final String[] FIRST = {
        "Ada", "Bo", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea", "Mo", "Nia", "Oren",
        "Pia", "Quin", "Rui", "Sol", "Tao", "Uma", "Vic", "Wen", "Xia"
    };
    private static final String[] LAST = {
        "Lin", "Park", "Ruiz", "Okafor", "Novak", "Sato", "Berg", "Costa", "Haddad", "Ivanova"
    };
    private static final String[] ADJ = {
        "Aero", "Nova", "Pulse", "Terra", "Lumen", "Vertex", "Echo", "Zen", "Orbit", "Flux"
    };

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Customer(String id, String name, String email, String tier) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Product(String id, String name, String category, double price, int stock, double rating) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Item(String productId, int quantity, double unitPrice) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Order(String id, String customerId, String date, String status, List<Item> items) {
        public double total() {
            return Math.round(items.stream()
                                    .mapToDouble(i -> i.unitPrice() * i.quantity())
                                    .sum()
                            * 100)
                    / 100.0;
        }
    }

    public static RetailDatabase generate(long seed) {
        Random rnd = new Random(seed);
        List<Customer> customers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            String name = FIRST[i] + " " + LAST[rnd.nextInt(LAST.length)];
            customers.add(new Customer(
                    String.format("C%03d", i + 1),
                    name,
                    name.toLowerCase().replace(' ', '.') + "@example.com",
                    rnd.nextInt(4) == 0 ? "gold" : "standard"));
        }
        List<Product> products = new ArrayList<>();
        int p = 0;
        for (String cat : CATEGORIES) {
            for (int k = 0; k < 7; k++) {
                p++;
                double price = Math.round((20 + rnd.nextInt(380) + rnd.nextInt(100) / 100.0) * 100) / 100.0;
                products.add(new Product(
                        String.format("P%03d", p),
                        ADJ[(p * 7 + k) % ADJ.length] + " " + capital(cat) + " " + (100 + p),
                        cat,
                        price,
                        rnd.nextInt(5) == 0 ? 0 : 1 + rnd.nextInt(40),
                        Math.round((3.0 + rnd.nextInt(21) / 10.0) * 10) / 10.0));
            }
        }
        List<Order> orders = new ArrayList<>();
        LocalDate base = LocalDate.of(2025, 6, 1);
        int o = 0;
        for (Customer c : customers) {
            int count = 2 + rnd.nextInt(4);
            List<LocalDate> dates = new ArrayList<>();
            while (dates.size() < count) {
                LocalDate d = base.plusDays(rnd.nextInt(150));
                if (!dates.contains(d)) {
                    dates.add(d);
                }
            }
            dates.sort(Comparator.naturalOrder());
            for (LocalDate d : dates) {
                o++;
                List<Item> items = new ArrayList<>();
                List<String> used = new ArrayList<>();
                int lines = 1 + rnd.nextInt(3);
                while (items.size() < lines) {
                    Product pr = products.get(rnd.nextInt(products.size()));
                    if (!used.contains(pr.id())) {
                        used.add(pr.id());
                        items.add(new Item(pr.id(), 1 + rnd.nextInt(2), pr.price()));
                    }
                }
                orders.add(new Order(
                        String.format("O%04d", o),
                        c.id(),
                        d.toString(),
                        STATUSES.get(rnd.nextInt(10) < 6 ? 0 : 1 + rnd.nextInt(3)),
                        items));
            }
        }
        return new RetailDatabase(List.copyOf(customers), List.copyOf(products), List.copyOf(orders));
    }

    private static String capital(String s) {
        StringBuilder b = new StringBuilder();
        for (String w : s.split(" ")) {
            b.append(b.isEmpty() ? "" : " ")
                    .append(Character.toUpperCase(w.charAt(0)))
                    .append(w.substring(1));
        }
        return b.toString();
    }

    public Optional<Customer> customerByEmail(String email) {
        return customers.stream()
                .filter(c -> c.email().equalsIgnoreCase(email == null ? "" : email.trim()))
                .findFirst();
    }

    public Optional<Product> product(String id) {
        return products.stream()
                .filter(x -> x.id().equalsIgnoreCase(id == null ? "" : id.trim()))
                .findFirst();
    }

    public Optional<Order> order(String id) {
        return orders.stream()
                .filter(x -> x.id().equalsIgnoreCase(id == null ? "" : id.trim()))
                .findFirst();
    }

    public List<Order> ordersOf(String customerId) {
        return orders.stream().filter(x -> x.customerId().equals(customerId)).toList();
    }

    public List<Product> inCategory(String category) {
        return products.stream()
                .filter(x -> x.category().equalsIgnoreCase(category == null ? "" : category.trim()))
                .toList();
    }
}
