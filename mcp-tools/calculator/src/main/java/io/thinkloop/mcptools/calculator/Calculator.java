package io.thinkloop.mcptools.calculator;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Evaluates arithmetic expressions in decimal: {@code + - * / % ^} (also {@code **}), parentheses, unary
 * minus and plus, the functions sqrt, abs, min, max, round, floor, ceil, log (base 10, or
 * {@code log(x, base)}), ln, exp, sin, cos, tan (radians), and the constants pi and e.
 *
 * <p>Addition, subtraction, multiplication, division, remainder and integer powers are decimal and exact
 * whenever the exact result fits in {@value #PRECISION} significant digits; otherwise they round to that
 * many (half even) and the result says it is not exact. The transcendental functions work in binary double
 * precision and round to 15 significant digits. {@code %} is the remainder with the sign of the dividend;
 * {@code ^} binds tighter than unary minus and groups to the right ({@code -2^2 = -4},
 * {@code 2^3^2 = 512}).
 *
 * <p>Hostile input cannot hang or exhaust memory: expressions are at most {@value #MAX_LENGTH} characters,
 * nest at most {@value #MAX_DEPTH} levels, every value stays within 10^±{@value #MAX_EXPONENT} (larger is
 * an overflow error, smaller flushes to zero), powers are checked for size before they are computed, and an
 * evaluation stops after {@value #MAX_MILLIS} ms.
 */
public final class Calculator {
    public static final int PRECISION = 34;
    public static final int MAX_LENGTH = 4096;
    public static final int MAX_DEPTH = 100;
    public static final int MAX_EXPONENT = 10_000;
    public static final long MAX_MILLIS = 2_000;
    private static final MathContext MC = new MathContext(PRECISION, RoundingMode.HALF_EVEN);
    private static final MathContext DOUBLE_DIGITS = new MathContext(15, RoundingMode.HALF_EVEN);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510");
    private static final BigDecimal E = new BigDecimal("2.71828182845904523536028747135266249775724709369995");
    private static final double LN10 = Math.log(10);
    private static final BigDecimal HALF = new BigDecimal("0.5");

    /** A value and whether it is exactly the mathematical result. */
    public record Value(BigDecimal value, boolean exact) {
        /** The value as text: plain notation for moderate magnitudes, scientific beyond. */
        public String text() {
            BigDecimal v = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
            int magnitude = v.precision() - v.scale() - 1;
            return magnitude >= -10 && magnitude < 40 ? v.toPlainString() : v.toString();
        }
    }

    private Calculator() {}

    public static Value evaluate(String expression) {
        if (expression == null) {
            throw new CalculationException("No expression given", 0);
        }
        if (expression.length() > MAX_LENGTH) {
            throw new CalculationException(
                    "Expression is too long (" + expression.length() + " characters; at most " + MAX_LENGTH + ")", 0);
        }
        return new Parser(expression).parseAll();
    }

    private record Token(Kind kind, String text, int position, BigDecimal number, boolean exact) {
        Token(Kind kind, String text, int position, BigDecimal number) {
            this(kind, text, position, number, true);
        }
    }

    private enum Kind {
        NUMBER,
        NAME,
        OPERATOR,
        LEFT,
        RIGHT,
        COMMA,
        END
    }

    private static final class Parser {
        private final List<Token> tokens;
        private final long deadline = System.nanoTime() + MAX_MILLIS * 1_000_000;
        private int next;
        private int depth;

        Parser(String source) {
            this.tokens = tokenize(source);
        }

        Value parseAll() {
            if (tokens.getFirst().kind() == Kind.END) {
                throw new CalculationException("Empty expression", 0);
            }
            Value v = additive();
            Token t = peek();
            if (t.kind() != Kind.END) {
                throw new CalculationException("Unexpected '" + t.text() + "'", t.position());
            }
            return v;
        }

        private Value additive() {
            Value left = multiplicative();
            while (peek().kind() == Kind.OPERATOR
                    && (peek().text().equals("+") || peek().text().equals("-"))) {
                Token op = advance();
                Value right = multiplicative();
                left = op.text().equals("+") ? add(left, right, op) : add(left, negate(right), op);
            }
            return left;
        }

        private Value multiplicative() {
            Value left = unary();
            while (peek().kind() == Kind.OPERATOR && "*/%".contains(peek().text())) {
                Token op = advance();
                Value right = unary();
                left = switch (op.text()) {
                    case "*" -> multiply(left, right, op);
                    case "/" -> divide(left, right, op);
                    default -> remainder(left, right, op);
                };
            }
            return left;
        }

        private Value unary() {
            Token t = peek();
            if (t.kind() == Kind.OPERATOR && (t.text().equals("-") || t.text().equals("+"))) {
                advance();
                enter(t);
                Value v = unary();
                depth--;
                return t.text().equals("-") ? negate(v) : v;
            }
            return power();
        }

        private Value power() {
            Value base = primary();
            if (peek().kind() == Kind.OPERATOR && peek().text().equals("^")) {
                Token op = advance();
                enter(op);
                Value exponent = unary(); // right-associative; allows 2^-1
                depth--;
                return pow(base, exponent, op);
            }
            return base;
        }

        private Value primary() {
            Token t = advance();
            switch (t.kind()) {
                case NUMBER:
                    return checked(new Value(t.number(), t.exact()), t);
                case LEFT: {
                    enter(t);
                    Value v = additive();
                    expect(Kind.RIGHT, "')'", t);
                    depth--;
                    return v;
                }
                case NAME:
                    return name(t);
                case END:
                    throw new CalculationException("Expression ends too early", t.position());
                default:
                    throw new CalculationException("Unexpected '" + t.text() + "'", t.position());
            }
        }

        private Value name(Token t) {
            String name = t.text().toLowerCase(Locale.ROOT);
            if (peek().kind() != Kind.LEFT) {
                return switch (name) {
                    case "pi", "π" -> new Value(PI.round(MC), false);
                    case "e" -> new Value(E.round(MC), false);
                    default ->
                        throw new CalculationException(
                                Functions.isFunction(name)
                                        ? "Function '" + t.text() + "' needs arguments in parentheses"
                                        : "Unknown name '" + t.text() + "' (constants: pi, e)",
                                t.position());
                };
            }
            if (!Functions.isFunction(name)) {
                throw new CalculationException(
                        "Unknown function '" + t.text() + "' (functions: " + Functions.NAMES + ")", t.position());
            }
            Token open = advance();
            enter(open);
            List<Value> args = new ArrayList<>();
            if (peek().kind() != Kind.RIGHT) {
                args.add(additive());
                while (peek().kind() == Kind.COMMA) {
                    advance();
                    args.add(additive());
                }
            }
            expect(Kind.RIGHT, "')'", open);
            depth--;
            tick(t);
            return checked(Functions.apply(name, args, t.position()), t);
        }

        private void enter(Token t) {
            if (++depth > MAX_DEPTH) {
                throw new CalculationException(
                        "Expression nests too deeply (at most " + MAX_DEPTH + " levels)", t.position());
            }
        }

        private void expect(Kind kind, String what, Token opener) {
            Token t = advance();
            if (t.kind() != kind) {
                throw new CalculationException(
                        t.kind() == Kind.END
                                ? "Missing " + what + " for '" + opener.text() + "' at position " + opener.position()
                                : "Expected " + what + " but found '" + t.text() + "'",
                        t.position());
            }
        }

        private Token peek() {
            return tokens.get(next);
        }

        private Token advance() {
            Token t = tokens.get(next);
            if (t.kind() != Kind.END) {
                next++;
            }
            return t;
        }

        private void tick(Token at) {
            if (System.nanoTime() > deadline) {
                throw new CalculationException("Evaluation took too long (over " + MAX_MILLIS + " ms)", at.position());
            }
        }

        private Value add(Value a, Value b, Token op) {
            tick(op);
            return rounded(a.value().add(b.value()), a.exact() && b.exact(), op);
        }

        private Value multiply(Value a, Value b, Token op) {
            tick(op);
            return rounded(a.value().multiply(b.value()), a.exact() && b.exact(), op);
        }

        private Value divide(Value a, Value b, Token op) {
            tick(op);
            if (b.value().signum() == 0) {
                throw new CalculationException("Division by zero", op.position());
            }
            BigDecimal q = a.value().divide(b.value(), MC);
            boolean exact = q.multiply(b.value()).compareTo(a.value()) == 0;
            return checked(new Value(q, exact && a.exact() && b.exact()), op);
        }

        private Value remainder(Value a, Value b, Token op) {
            tick(op);
            if (b.value().signum() == 0) {
                throw new CalculationException("Remainder by zero", op.position());
            }
            return rounded(a.value().remainder(b.value()), a.exact() && b.exact(), op);
        }

        private Value pow(Value base, Value exponent, Token op) {
            tick(op);
            BigDecimal b = base.value();
            BigDecimal x = exponent.value();
            boolean integral = x.signum() == 0 || x.stripTrailingZeros().scale() <= 0;
            if (b.signum() == 0) {
                if (x.signum() < 0) {
                    throw new CalculationException("Division by zero (0 to a negative power)", op.position());
                }
                return new Value(x.signum() == 0 ? BigDecimal.ONE : BigDecimal.ZERO, base.exact() && exponent.exact());
            }
            if (b.abs().compareTo(BigDecimal.ONE) == 0 && integral) {
                boolean odd = x.toBigInteger().testBit(0);
                return new Value(
                        b.signum() < 0 && odd ? BigDecimal.ONE.negate() : BigDecimal.ONE,
                        base.exact() && exponent.exact());
            }
            if (!integral && b.signum() < 0) {
                throw new CalculationException(
                        "A negative number to a fractional power is not a real number", op.position());
            }
            // Size first: log10 of the result decides overflow or underflow before any digit is computed.
            double lnBase = ln(b.abs());
            double magnitude = x.doubleValue() * lnBase / LN10;
            if (Double.isNaN(magnitude)) {
                throw new CalculationException("Power cannot be computed", op.position());
            }
            if (magnitude > MAX_EXPONENT) {
                throw new CalculationException(
                        "Result is too large (about 10^" + formatMagnitude(magnitude) + "; limit 10^" + MAX_EXPONENT
                                + ")",
                        op.position());
            }
            if (magnitude < -MAX_EXPONENT) {
                return new Value(BigDecimal.ZERO, false);
            }
            if (!integral && x.compareTo(HALF) == 0) {
                BigDecimal r = b.sqrt(MC);
                return checked(new Value(r, base.exact() && r.multiply(r).compareTo(b) == 0), op);
            }
            if (!integral || x.abs().compareTo(BigDecimal.valueOf(999_999_999)) > 0) {
                // Fractional powers, and integer powers of numbers so close to 1 that the exponent is beyond
                // what BigDecimal.pow takes: Math.pow where doubles reach, else exp(x ln b).
                double direct = Math.pow(b.doubleValue(), x.doubleValue());
                if (Double.isFinite(direct)
                        && direct != 0
                        && Math.abs(magnitude) < 300
                        && Math.abs(b.doubleValue()) >= Double.MIN_NORMAL
                        && x.abs().compareTo(BigDecimal.valueOf(1e15)) < 0
                        && b.subtract(BigDecimal.ONE).abs().doubleValue() > 1e-6) {
                    return checked(Functions.fromDouble(direct, op.position()), op);
                }
                return checked(Functions.exp(x.multiply(new BigDecimal(lnBase), MC), op.position()), op);
            }
            int n = x.intValueExact(); // |n| <= MAX_EXPONENT / log10(|b|) here, and |b| != 1
            boolean exact = base.exact() && exponent.exact();
            BigDecimal positive;
            if ((long) b.precision() * Math.abs((long) n) <= 4L * PRECISION) {
                positive = b.pow(Math.abs(n));
            } else {
                positive = b.pow(Math.abs(n), new MathContext(PRECISION + 6, RoundingMode.HALF_EVEN));
                exact = false;
            }
            if (n < 0) {
                BigDecimal q = BigDecimal.ONE.divide(positive, MC);
                exact = exact && q.multiply(positive).compareTo(BigDecimal.ONE) == 0;
                return checked(new Value(q, exact), op);
            }
            return rounded(positive, exact, op);
        }

        private static String formatMagnitude(double m) {
            return m >= 1e15 ? String.format(Locale.ROOT, "%.3g", m) : String.valueOf((long) Math.floor(m));
        }

        private static Value negate(Value v) {
            return new Value(v.value().negate(), v.exact());
        }

        private Value rounded(BigDecimal v, boolean exact, Token at) {
            if (v.precision() > PRECISION) {
                BigDecimal r = v.round(MC);
                return checked(new Value(r, exact && r.compareTo(v) == 0), at);
            }
            return checked(new Value(v, exact), at);
        }
    }

    /** Keeps values within 10^±MAX_EXPONENT: above is an error, below becomes zero. */
    static Value checked(Value v, Token at) {
        return checked(v, at.position());
    }

    static Value checked(Value v, int position) {
        BigDecimal d = v.value();
        if (d.signum() == 0) {
            return new Value(BigDecimal.ZERO, v.exact());
        }
        long magnitude = (long) d.precision() - d.scale() - 1;
        if (magnitude > MAX_EXPONENT) {
            throw new CalculationException("Result is too large (limit 10^" + MAX_EXPONENT + ")", position);
        }
        if (magnitude < -MAX_EXPONENT) {
            return new Value(BigDecimal.ZERO, false);
        }
        return v;
    }

    /** log10 of a positive value of any magnitude BigDecimal can hold. */
    static double log10(BigDecimal positive) {
        BigInteger unscaled = positive.unscaledValue();
        int digits = positive.precision();
        // positive = 0.d1d2d3... * 10^(digits - scale); the mantissa in [0.1, 1) fits a double.
        double mantissa = new BigDecimal(unscaled, digits).doubleValue();
        return Math.log10(mantissa) + (digits - (double) positive.scale());
    }

    /** Natural log of a positive value of any magnitude; precise near 1 too (via log1p). */
    static double ln(BigDecimal positive) {
        BigDecimal d = positive.subtract(BigDecimal.ONE);
        if (d.abs().compareTo(HALF) < 0) {
            return Math.log1p(d.doubleValue());
        }
        double direct = positive.doubleValue();
        if (direct >= Double.MIN_NORMAL && direct < Double.MAX_VALUE) {
            return Math.log(direct);
        }
        return log10(positive) * LN10;
    }

    static BigDecimal roundDouble(double d) {
        return new BigDecimal(d).round(DOUBLE_DIGITS);
    }

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int pos = i + 1;
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i < s.length() && s.charAt(i) == '.') {
                    i++;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                }
                if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                    int mark = i;
                    int j = i + 1;
                    if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                        j++;
                    }
                    if (j < s.length() && Character.isDigit(s.charAt(j))) {
                        while (j < s.length() && Character.isDigit(s.charAt(j))) {
                            j++;
                        }
                        i = j;
                    } else {
                        i = mark; // "2e" is 2 followed by the constant e: an error the parser reports
                    }
                }
                String text = s.substring(start, i);
                BigDecimal value = number(text, pos);
                out.add(new Token(Kind.NUMBER, text, pos, value, value.compareTo(new BigDecimal(text)) == 0));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.NAME, s.substring(start, i), pos, null));
            } else {
                i++;
                switch (c) {
                    case '(' -> out.add(new Token(Kind.LEFT, "(", pos, null));
                    case ')' -> out.add(new Token(Kind.RIGHT, ")", pos, null));
                    case ',' -> out.add(new Token(Kind.COMMA, ",", pos, null));
                    case '+', '/', '%', '^' -> out.add(new Token(Kind.OPERATOR, String.valueOf(c), pos, null));
                    case '-', '\u2212' -> out.add(new Token(Kind.OPERATOR, "-", pos, null));
                    case '\u00d7' -> out.add(new Token(Kind.OPERATOR, "*", pos, null));
                    case '\u00f7' -> out.add(new Token(Kind.OPERATOR, "/", pos, null));
                    case '*' -> {
                        if (i < s.length() && s.charAt(i) == '*') {
                            i++;
                            out.add(new Token(Kind.OPERATOR, "^", pos, null));
                        } else {
                            out.add(new Token(Kind.OPERATOR, "*", pos, null));
                        }
                    }
                    default -> throw new CalculationException("Unexpected character '" + printable(c) + "'", pos);
                }
            }
        }
        out.add(new Token(Kind.END, "end of expression", s.length() + 1, null));
        return out;
    }

    private static BigDecimal number(String text, int pos) {
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        if (e >= 0) {
            String exp = text.substring(e + 1).replace("+", "");
            String digits = exp.startsWith("-") ? exp.substring(1) : exp;
            String trimmed = digits.replaceFirst("^0+(?=.)", "");
            if (trimmed.length() > 6) {
                throw new CalculationException(
                        "Number '" + abbreviate(text) + "' is out of range (limit 10^" + MAX_EXPONENT + ")", pos);
            }
        }
        BigDecimal v;
        try {
            v = new BigDecimal(text);
        } catch (NumberFormatException | ArithmeticException ex) {
            throw new CalculationException("Malformed number '" + abbreviate(text) + "'", pos);
        }
        if (v.precision() > PRECISION) {
            v = v.round(MC);
        }
        if (v.signum() != 0 && (long) v.precision() - v.scale() - 1 > MAX_EXPONENT) {
            throw new CalculationException(
                    "Number '" + abbreviate(text) + "' is out of range (limit 10^" + MAX_EXPONENT + ")", pos);
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 30 ? s : s.substring(0, 27) + "...";
    }

    private static String printable(char c) {
        return Character.isISOControl(c) ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c);
    }
}
