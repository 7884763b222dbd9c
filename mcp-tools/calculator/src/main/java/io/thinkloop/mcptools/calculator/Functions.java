package io.thinkloop.mcptools.calculator;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Set;

/** The calculator's functions; each checks its argument count and domain and reports errors by position. */
final class Functions {
    static final String NAMES = "sqrt, abs, min, max, round, floor, ceil, log, ln, exp, sin, cos, tan";
    private static final Set<String> ALL = Set.of(NAMES.split(", "));
    private static final MathContext MC = new MathContext(Calculator.PRECISION, RoundingMode.HALF_EVEN);
    private static final double LN10 = Math.log(10);
    private static final BigDecimal LN10_DECIMAL = new BigDecimal("2.302585092994045684017991454684364207601");
    /** Trigonometric results this close to zero are rounding noise of pi's binary approximation. */
    private static final double TRIG_ZERO = 1e-15;

    private Functions() {}

    static boolean isFunction(String name) {
        return ALL.contains(name);
    }

    static Calculator.Value apply(String name, List<Calculator.Value> args, int position) {
        boolean exact = args.stream().allMatch(Calculator.Value::exact);
        switch (name) {
            case "min", "max" -> {
                if (args.isEmpty()) {
                    throw new CalculationException(name + "() needs at least one argument", position);
                }
                Calculator.Value best = args.getFirst();
                for (Calculator.Value v : args) {
                    int c = v.value().compareTo(best.value());
                    if (name.equals("min") ? c < 0 : c > 0) {
                        best = v;
                    }
                }
                return best;
            }
            case "round" -> {
                arity(name, args, 1, 2, position);
                int digits = 0;
                if (args.size() == 2) {
                    BigDecimal d = args.get(1).value();
                    if (d.stripTrailingZeros().scale() > 0 || d.abs().compareTo(BigDecimal.valueOf(100)) > 0) {
                        throw new CalculationException(
                                "round(x, digits) needs whole digits between -100 and 100", position);
                    }
                    digits = d.intValue();
                }
                return new Calculator.Value(args.getFirst().value().setScale(digits, RoundingMode.HALF_UP), exact);
            }
            case "log" -> {
                arity(name, args, 1, 2, position);
                double x = lnPositive(args.getFirst(), name, position);
                if (args.size() == 2) {
                    double base = lnPositive(args.get(1), "log base", position);
                    if (base == 0) {
                        throw new CalculationException("log base must not be 1", position);
                    }
                    return fromDouble(x / base, position);
                }
                return fromDouble(x / LN10, position);
            }
            default -> {
                arity(name, args, 1, 1, position);
            }
        }
        Calculator.Value arg = args.getFirst();
        BigDecimal x = arg.value();
        return switch (name) {
            case "sqrt" -> {
                if (x.signum() < 0) {
                    throw new CalculationException("sqrt of a negative number", position);
                }
                BigDecimal r = x.sqrt(MC);
                yield new Calculator.Value(r, arg.exact() && r.multiply(r).compareTo(x) == 0);
            }
            case "abs" -> new Calculator.Value(x.abs(), arg.exact());
            case "floor" -> new Calculator.Value(x.setScale(0, RoundingMode.FLOOR), arg.exact());
            case "ceil" -> new Calculator.Value(x.setScale(0, RoundingMode.CEILING), arg.exact());
            case "ln" -> fromDouble(lnPositive(arg, name, position), position);
            case "exp" -> {
                if (x.compareTo(BigDecimal.valueOf(Calculator.MAX_EXPONENT * LN10 + 1)) > 0) {
                    throw new CalculationException(
                            "Result is too large (limit 10^" + Calculator.MAX_EXPONENT + ")", position);
                }
                if (x.compareTo(BigDecimal.valueOf(-Calculator.MAX_EXPONENT * LN10 - 1)) < 0) {
                    yield new Calculator.Value(BigDecimal.ZERO, false);
                }
                yield exp(x, position);
            }
            case "sin", "cos", "tan" -> {
                if (x.abs().compareTo(BigDecimal.valueOf(1e15)) > 0) {
                    throw new CalculationException(name + " of an angle this large has no meaningful digits", position);
                }
                double a = x.doubleValue();
                double r = name.equals("sin") ? Math.sin(a) : name.equals("cos") ? Math.cos(a) : Math.tan(a);
                yield fromDouble(Math.abs(r) < TRIG_ZERO ? 0.0 : r, position);
            }
            default -> throw new CalculationException("Unknown function '" + name + "'", position);
        };
    }

    /** e^lnValue for any result within the calculator's range, as 15 significant digits. */
    static Calculator.Value exp(BigDecimal lnValue, int position) {
        double ln = lnValue.doubleValue();
        if (ln / LN10 > Calculator.MAX_EXPONENT) {
            throw new CalculationException("Result is too large (limit 10^" + Calculator.MAX_EXPONENT + ")", position);
        }
        if (ln / LN10 < -Calculator.MAX_EXPONENT) {
            return new Calculator.Value(BigDecimal.ZERO, false);
        }
        if (Math.abs(ln) < 700) {
            return fromDouble(Math.exp(ln), position);
        }
        // Beyond double range: e^v = e^r * 10^k with k = floor(v / ln 10), the reduction done in decimal so
        // that r keeps all its digits.
        long k = (long) Math.floor(ln / LN10);
        BigDecimal r = lnValue.subtract(LN10_DECIMAL.multiply(BigDecimal.valueOf(k)), MC);
        return new Calculator.Value(
                Calculator.roundDouble(Math.exp(r.doubleValue())).scaleByPowerOfTen((int) k), false);
    }

    static Calculator.Value fromDouble(double d, int position) {
        if (Double.isNaN(d)) {
            throw new CalculationException("Result is not a real number", position);
        }
        if (Double.isInfinite(d)) {
            throw new CalculationException("Result is too large", position);
        }
        return Calculator.checked(new Calculator.Value(Calculator.roundDouble(d), false), position);
    }

    private static double lnPositive(Calculator.Value v, String what, int position) {
        if (v.value().signum() <= 0) {
            throw new CalculationException(what + " of a number that is not positive", position);
        }
        return Calculator.ln(v.value());
    }

    private static void arity(String name, List<Calculator.Value> args, int min, int max, int position) {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? String.valueOf(min) : min + " or " + max;
            throw new CalculationException(
                    name + "() takes " + expected + " argument" + (max == 1 ? "" : "s") + ", got " + args.size(),
                    position);
        }
    }
}
