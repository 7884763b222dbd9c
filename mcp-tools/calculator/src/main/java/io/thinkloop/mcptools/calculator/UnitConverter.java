package io.thinkloop.mcptools.calculator;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Converts between units of length, mass, volume, temperature, time, speed, data size and area. Each unit
 * maps to its dimension's base unit by {@code base = (value + offset) * factor}; the offset is only
 * non-zero for temperatures. Factors are exact decimal definitions (1 ft = 0.3048 m, 1 lb = 0.45359237 kg,
 * US customary volumes, Gregorian month and year) except the 5/9 of Fahrenheit and Rankine, so results are
 * computed in {@value Calculator#PRECISION}-digit decimal and reported to 15 significant digits.
 *
 * <p>Unit names match exactly first (symbols are case sensitive: {@code Mb} is a megabit, {@code MB} a
 * megabyte), then without regard to case when that leaves one unit.
 */
public final class UnitConverter {
    private static final MathContext MC = new MathContext(Calculator.PRECISION, RoundingMode.HALF_EVEN);
    private static final MathContext REPORTED = new MathContext(15, RoundingMode.HALF_EVEN);
    private static final int MAX_MAGNITUDE = 300;

    public enum Dimension {
        LENGTH("m"),
        MASS("kg"),
        VOLUME("L"),
        TEMPERATURE("K"),
        TIME("s"),
        SPEED("m/s"),
        DATA("B"),
        AREA("m2");

        public final String baseUnit;

        Dimension(String baseUnit) {
            this.baseUnit = baseUnit;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A unit: {@code base = (value + offset) * factor} in its dimension's base unit. */
    public record Unit(
            String symbol,
            String name,
            Dimension dimension,
            BigDecimal factor,
            BigDecimal offset,
            List<String> aliases) {}

    /** A conversion's outcome; {@code result} has 15 significant digits at most. */
    public record Conversion(BigDecimal value, Unit from, Unit to, BigDecimal result) {}

    private static final List<Unit> UNITS = new ArrayList<>();
    private static final Map<String, Unit> EXACT = new LinkedHashMap<>();

    static {
        Dimension d = Dimension.LENGTH;
        unit("m", "meter", d, "1", "meters", "metre", "metres");
        unit("km", "kilometer", d, "1000", "kilometers", "kilometre", "kilometres");
        unit("cm", "centimeter", d, "0.01", "centimeters", "centimetre", "centimetres");
        unit("mm", "millimeter", d, "0.001", "millimeters", "millimetre", "millimetres");
        unit("um", "micrometer", d, "0.000001", "µm", "μm", "micrometers", "micron", "microns");
        unit("nm", "nanometer", d, "0.000000001", "nanometers");
        unit("in", "inch", d, "0.0254", "inches");
        unit("ft", "foot", d, "0.3048", "feet");
        unit("yd", "yard", d, "0.9144", "yards");
        unit("mi", "mile", d, "1609.344", "miles");
        unit("nmi", "nautical mile", d, "1852", "nautical miles");
        d = Dimension.MASS;
        unit("kg", "kilogram", d, "1", "kilograms", "kilo", "kilos");
        unit("g", "gram", d, "0.001", "grams");
        unit("mg", "milligram", d, "0.000001", "milligrams");
        unit("ug", "microgram", d, "0.000000001", "µg", "μg", "micrograms");
        unit("t", "tonne", d, "1000", "tonnes", "metric ton", "metric tons");
        unit("lb", "pound", d, "0.45359237", "lbs", "pounds");
        unit("oz", "ounce", d, "0.028349523125", "ounces");
        unit("st", "stone", d, "6.35029318", "stones");
        unit("ton", "short ton", d, "907.18474", "tons", "short tons", "US ton");
        d = Dimension.VOLUME;
        unit("L", "liter", d, "1", "l", "liters", "litre", "litres");
        unit("mL", "milliliter", d, "0.001", "ml", "milliliters", "millilitre", "millilitres");
        unit("cL", "centiliter", d, "0.01", "cl", "centiliters");
        unit("dL", "deciliter", d, "0.1", "dl", "deciliters");
        unit("m3", "cubic meter", d, "1000", "m^3", "m³", "cubic meters", "cubic metre", "cubic metres");
        unit("cm3", "cubic centimeter", d, "0.001", "cm^3", "cm³", "cc", "cubic centimeters");
        unit("ft3", "cubic foot", d, "28.316846592", "ft^3", "ft³", "cubic feet");
        unit("gal", "US gallon", d, "3.785411784", "gallon", "gallons", "US gallons");
        unit("qt", "US quart", d, "0.946352946", "quart", "quarts");
        unit("pt", "US pint", d, "0.473176473", "pint", "pints");
        unit("cup", "US cup", d, "0.2365882365", "cups");
        unit("floz", "US fluid ounce", d, "0.0295735295625", "fl oz", "fluid ounce", "fluid ounces");
        unit("tbsp", "tablespoon", d, "0.01478676478125", "tablespoon", "tablespoons");
        unit("tsp", "teaspoon", d, "0.00492892159375", "teaspoon", "teaspoons");
        unit("impgal", "imperial gallon", d, "4.54609", "imp gal", "imperial gallon", "imperial gallons");
        d = Dimension.TEMPERATURE;
        BigDecimal fiveNinths = new BigDecimal(5).divide(new BigDecimal(9), MC);
        add(new Unit("K", "kelvin", d, BigDecimal.ONE, BigDecimal.ZERO, List.of("kelvin", "kelvins")));
        add(new Unit(
                "C",
                "degree Celsius",
                d,
                BigDecimal.ONE,
                new BigDecimal("273.15"),
                List.of("°C", "celsius", "degC", "centigrade")));
        add(new Unit(
                "F",
                "degree Fahrenheit",
                d,
                fiveNinths,
                new BigDecimal("459.67"),
                List.of("°F", "fahrenheit", "degF")));
        add(new Unit("R", "degree Rankine", d, fiveNinths, BigDecimal.ZERO, List.of("°R", "rankine", "degR")));
        d = Dimension.TIME;
        unit("ns", "nanosecond", d, "0.000000001", "nanoseconds");
        unit("us", "microsecond", d, "0.000001", "µs", "μs", "microseconds");
        unit("ms", "millisecond", d, "0.001", "milliseconds");
        unit("s", "second", d, "1", "sec", "secs", "seconds");
        unit("min", "minute", d, "60", "mins", "minutes");
        unit("h", "hour", d, "3600", "hr", "hrs", "hours");
        unit("d", "day", d, "86400", "days");
        unit("wk", "week", d, "604800", "week", "weeks");
        unit("mo", "month (1/12 Gregorian year)", d, "2629746", "month", "months");
        unit("yr", "Gregorian year (365.2425 days)", d, "31556952", "year", "years", "y");
        d = Dimension.SPEED;
        unit("m/s", "meter per second", d, "1", "mps", "meters per second");
        unit(
                "km/h",
                "kilometer per hour",
                d,
                "0.27777777777777777777777777777777778",
                "kph",
                "kmh",
                "kilometers per hour");
        unit("mph", "mile per hour", d, "0.44704", "mi/h", "miles per hour");
        unit("kn", "knot", d, "0.51444444444444444444444444444444444", "knot", "knots", "kt");
        unit("ft/s", "foot per second", d, "0.3048", "fps", "feet per second");
        d = Dimension.DATA;
        unit("bit", "bit", d, "0.125", "bits", "b");
        unit("B", "byte", d, "1", "byte", "bytes");
        unit("kB", "kilobyte", d, "1000", "KB", "kilobyte", "kilobytes");
        unit("MB", "megabyte", d, "1000000", "megabyte", "megabytes");
        unit("GB", "gigabyte", d, "1000000000", "gigabyte", "gigabytes");
        unit("TB", "terabyte", d, "1000000000000", "terabyte", "terabytes");
        unit("PB", "petabyte", d, "1000000000000000", "petabyte", "petabytes");
        unit("KiB", "kibibyte", d, "1024", "kibibytes");
        unit("MiB", "mebibyte", d, "1048576", "mebibytes");
        unit("GiB", "gibibyte", d, "1073741824", "gibibytes");
        unit("TiB", "tebibyte", d, "1099511627776", "tebibytes");
        unit("PiB", "pebibyte", d, "1125899906842624", "pebibytes");
        unit("kbit", "kilobit", d, "125", "kb", "kilobits");
        unit("Mbit", "megabit", d, "125000", "Mb", "megabits");
        unit("Gbit", "gigabit", d, "125000000", "Gb", "gigabits");
        unit("Tbit", "terabit", d, "125000000000", "Tb", "terabits");
        d = Dimension.AREA;
        unit("m2", "square meter", d, "1", "m^2", "m²", "sq m", "square meters", "square metre", "square metres");
        unit("km2", "square kilometer", d, "1000000", "km^2", "km²", "sq km", "square kilometers");
        unit("cm2", "square centimeter", d, "0.0001", "cm^2", "cm²", "sq cm", "square centimeters");
        unit("mm2", "square millimeter", d, "0.000001", "mm^2", "mm²", "sq mm", "square millimeters");
        unit("ha", "hectare", d, "10000", "hectare", "hectares");
        unit("acre", "acre", d, "4046.8564224", "acres", "ac");
        unit("ft2", "square foot", d, "0.09290304", "ft^2", "ft²", "sq ft", "square feet");
        unit("in2", "square inch", d, "0.00064516", "in^2", "in²", "sq in", "square inches");
        unit("yd2", "square yard", d, "0.83612736", "yd^2", "yd²", "sq yd", "square yards");
        unit("mi2", "square mile", d, "2589988.110336", "mi^2", "mi²", "sq mi", "square miles");
    }

    private UnitConverter() {}

    private static void unit(String symbol, String name, Dimension d, String factor, String... aliases) {
        add(new Unit(symbol, name, d, new BigDecimal(factor), BigDecimal.ZERO, List.of(aliases)));
    }

    private static void add(Unit u) {
        UNITS.add(u);
        for (String n : names(u)) {
            if (EXACT.putIfAbsent(n, u) != null && EXACT.get(n) != u) {
                throw new IllegalStateException("unit name " + n + " used twice");
            }
        }
    }

    private static List<String> names(Unit u) {
        List<String> names = new ArrayList<>();
        names.add(u.symbol());
        names.add(u.name());
        names.addAll(u.aliases());
        return names;
    }

    public static List<Unit> units() {
        return List.copyOf(UNITS);
    }

    public static List<Unit> units(Dimension d) {
        return UNITS.stream().filter(u -> u.dimension() == d).toList();
    }

    /** The unit a name denotes; IllegalArgumentException saying why when none or several do. */
    public static Unit unit(String name) {
        String n = name == null ? "" : name.trim().replaceAll("\\s+", " ");
        if (n.isEmpty()) {
            throw new IllegalArgumentException("No unit given");
        }
        Unit u = EXACT.get(n);
        if (u != null) {
            return u;
        }
        List<Unit> candidates = UNITS.stream()
                .filter(c -> names(c).stream().anyMatch(x -> x.equalsIgnoreCase(n)))
                .toList();
        if (candidates.size() == 1) {
            return candidates.getFirst();
        }
        if (candidates.size() > 1) {
            throw new IllegalArgumentException("Unit '" + n + "' is ambiguous: "
                    + candidates.stream()
                            .map(c -> c.symbol() + " (" + c.name() + ")")
                            .collect(Collectors.joining(" or ")));
        }
        throw new IllegalArgumentException("Unknown unit '" + abbreviate(n) + "'; use list_units to see the units");
    }

    public static Conversion convert(BigDecimal value, String fromName, String toName) {
        if (value.signum() != 0 && Math.abs((long) value.precision() - value.scale() - 1) > MAX_MAGNITUDE) {
            throw new IllegalArgumentException("Value is out of range (magnitude limit 10^" + MAX_MAGNITUDE + ")");
        }
        Unit from = unit(fromName);
        Unit to = unit(toName);
        if (from.dimension() != to.dimension()) {
            throw new IllegalArgumentException(
                    "Cannot convert " + from.dimension().label() + " (" + from.symbol() + ") to "
                            + to.dimension().label() + " (" + to.symbol() + "): the units measure different things");
        }
        BigDecimal base = value.add(from.offset()).multiply(from.factor(), MC);
        if (from.dimension() == Dimension.TEMPERATURE && base.signum() < 0) {
            throw new IllegalArgumentException(
                    value.stripTrailingZeros().toPlainString() + " " + from.symbol() + " is below absolute zero");
        }
        BigDecimal result = base.divide(to.factor(), MC).subtract(to.offset()).round(REPORTED);
        result = result.signum() == 0 ? BigDecimal.ZERO : result.stripTrailingZeros();
        requireFiniteDouble(result, to);
        return new Conversion(value, from, to, result);
    }

    /**
     * The result goes out as a JSON number, and most readers (JavaScript, Python's json, Jackson's default)
     * turn one beyond double range into Infinity or 0: that is an error here, never a silent wrong number.
     */
    private static void requireFiniteDouble(BigDecimal result, Unit to) {
        double d = result.doubleValue();
        if (Double.isInfinite(d) || (result.signum() != 0 && Math.abs(d) < Double.MIN_NORMAL)) {
            long magnitude = (long) result.precision() - result.scale() - 1;
            throw new IllegalArgumentException("Result is out of range (about 10^" + magnitude + " " + to.symbol()
                    + "; results must lie within 10^-308 .. 10^308): convert to a larger or smaller unit");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
