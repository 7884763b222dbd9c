package io.thinkloop.codec;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON exactly as Python's {@code json} module reads and writes it with the reference's settings
 * ({@code json.dumps(value, ensure_ascii=False)}: separators {@code ", "} and {@code ": "}, non-ASCII kept,
 * floats in {@code repr} form, integers of any size). The reference encoder re-serializes tool-call
 * arguments and tool schemas this way, so the prompt only matches byte for byte if we do too.
 *
 * <p>Values: {@code null}, {@link Boolean}, {@link String}, {@link BigInteger} (integers),
 * {@link Double} (floats), {@link List} and insertion-ordered {@link Map} (a repeated key keeps its
 * first position and its last value, as in a Python dict).
 */
public final class PyJson {
    private PyJson() {}

    // ---------------------------------------------------------------- writing

    /** {@code json.dumps(value, ensure_ascii=False)}. */
    public static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    /** The same for a Jackson tree (floating nodes are read as doubles, as Python would). */
    public static String dumps(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(out, node);
        return out.toString();
    }

    static void write(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(out, s);
            case Boolean b -> out.append(b ? "true" : "false");
            case Double d -> out.append(floatRepr(d));
            case Float f -> out.append(floatRepr(f.doubleValue()));
            case BigDecimal bd -> out.append(floatRepr(bd.doubleValue()));
            case Number n -> out.append(n.toString());
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    quote(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue());
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    write(out, list.get(i));
                }
                out.append(']');
            }
            case JsonNode node -> write(out, node);
            default ->
                throw new CodecException("cannot write " + value.getClass().getSimpleName() + " as JSON");
        }
    }

    static void write(StringBuilder out, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            out.append("null");
        } else if (node.isTextual()) {
            quote(out, node.textValue());
        } else if (node.isBoolean()) {
            out.append(node.booleanValue() ? "true" : "false");
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue().toString());
        } else if (node.isNumber()) {
            out.append(floatRepr(node.doubleValue()));
        } else if (node.isObject()) {
            out.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    out.append(", ");
                }
                first = false;
                quote(out, e.getKey());
                out.append(": ");
                write(out, e.getValue());
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                write(out, node.get(i));
            }
            out.append(']');
        } else {
            throw new CodecException("cannot write JSON node of type " + node.getNodeType());
        }
    }

    /** A JSON string literal as Python writes it with ensure_ascii=False. */
    public static String quote(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(out, s);
        return out.toString();
    }

    static void quote(StringBuilder out, CharSequence s) {
        out.append('"');
        escapeInto(out, s, 0, s.length());
        out.append('"');
    }

    /** Appends the body of a JSON string literal (no quotes) for {@code s[from, to)}. */
    static void escapeInto(StringBuilder out, CharSequence s, int from, int to) {
        int run = from;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    out.append("\\u00");
                    out.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                }
            }
        }
        out.append(s, run, to);
    }

    /** Python's {@code repr(float)}: the shortest round-tripping digits, fixed for 1e-4 <= |x| < 1e16. */
    public static String floatRepr(double x) {
        if (Double.isNaN(x)) {
            return "NaN";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "Infinity" : "-Infinity";
        }
        String s = Double.toString(Math.abs(x));
        String sign = (x < 0 || (x == 0 && 1 / x < 0)) ? "-" : "";
        int e = s.indexOf('E');
        String mantissa = e < 0 ? s : s.substring(0, e);
        int exp = e < 0 ? 0 : Integer.parseInt(s.substring(e + 1));
        int dot = mantissa.indexOf('.');
        String digits = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
        int decpt = dot + exp; // value = 0.digits x 10^decpt
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        digits = digits.substring(lead);
        decpt -= lead;
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        digits = digits.substring(0, end);
        if (digits.equals("0")) {
            return sign + "0.0";
        }
        if (digits.length() == 2) {
            // Java may print two digits where one already round-trips (e.g. 4.9E-324); Python prints one.
            String shorter = oneDigit(Math.abs(x), digits, decpt);
            if (shorter != null) {
                digits = shorter.substring(0, 1);
                decpt = decpt + (shorter.length() - 1);
            }
        }
        StringBuilder out = new StringBuilder(sign);
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                out.append("0.").append("0".repeat(-decpt)).append(digits);
            } else if (decpt >= digits.length()) {
                out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
            } else {
                out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int e10 = decpt - 1;
            out.append('e').append(e10 < 0 ? '-' : '+');
            int abs = Math.abs(e10);
            if (abs < 10) {
                out.append('0');
            }
            out.append(abs);
        }
        return out.toString();
    }

    /** A one-digit decimal ("d" or "10" after a carry) equal to x when parsed, the closest if two; else null. */
    private static String oneDigit(double x, String two, int decpt) {
        int d = two.charAt(0) - '0';
        String best = null;
        BigDecimal bestDist = null;
        BigDecimal exact = new BigDecimal(x);
        for (int cand : new int[] {d, d + 1}) {
            if (cand == 0) {
                continue;
            }
            // cand x 10^(decpt-1)
            BigDecimal value = BigDecimal.valueOf(cand).scaleByPowerOfTen(decpt - 1);
            if (value.doubleValue() != x) {
                continue;
            }
            BigDecimal dist = value.subtract(exact).abs();
            if (best == null || dist.compareTo(bestDist) < 0) {
                best = Integer.toString(cand);
                bestDist = dist;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- reading

    /** {@code json.loads(text)}; throws {@link CodecException} on malformed JSON. */
    public static Object loads(CharSequence text) {
        Reader r = new Reader(text);
        r.skipWs();
        Object v = r.value();
        r.skipWs();
        if (r.pos != text.length()) {
            throw r.error("extra data");
        }
        return v;
    }

    /** Whether {@code text} is one JSON value (with surrounding whitespace), as json.loads accepts it. */
    public static boolean isValid(CharSequence text) {
        try {
            loads(text);
            return true;
        } catch (CodecException e) {
            return false;
        }
    }

    private static final class Reader {
        final CharSequence s;
        int pos;

        Reader(CharSequence s) {
            this.s = s;
        }

        CodecException error(String what) {
            return new CodecException("invalid JSON: " + what + " at offset " + pos);
        }

        void skipWs() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        boolean consume(String lit) {
            int n = lit.length();
            if (pos + n > s.length()) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (s.charAt(pos + i) != lit.charAt(i)) {
                    return false;
                }
            }
            pos += n;
            return true;
        }

        Object value() {
            if (pos >= s.length()) {
                throw error("expecting value");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    skipWs();
                    if (pos < s.length() && s.charAt(pos) == '}') {
                        pos++;
                        return map;
                    }
                    while (true) {
                        skipWs();
                        if (pos >= s.length() || s.charAt(pos) != '"') {
                            throw error("expecting property name in double quotes");
                        }
                        String key = string();
                        skipWs();
                        if (!consume(":")) {
                            throw error("expecting ':' delimiter");
                        }
                        skipWs();
                        map.put(key, value());
                        skipWs();
                        if (consume(",")) {
                            continue;
                        }
                        if (consume("}")) {
                            return map;
                        }
                        throw error("expecting ',' delimiter");
                    }
                }
                case '[' -> {
                    pos++;
                    List<Object> list = new ArrayList<>();
                    skipWs();
                    if (pos < s.length() && s.charAt(pos) == ']') {
                        pos++;
                        return list;
                    }
                    while (true) {
                        skipWs();
                        list.add(value());
                        skipWs();
                        if (consume(",")) {
                            continue;
                        }
                        if (consume("]")) {
                            return list;
                        }
                        throw error("expecting ',' delimiter");
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (consume("null")) {
                        return null;
                    }
                    if (consume("true")) {
                        return Boolean.TRUE;
                    }
                    if (consume("false")) {
                        return Boolean.FALSE;
                    }
                    if (consume("NaN")) {
                        return Double.NaN;
                    }
                    if (consume("Infinity")) {
                        return Double.POSITIVE_INFINITY;
                    }
                    if (consume("-Infinity")) {
                        return Double.NEGATIVE_INFINITY;
                    }
                    return number();
                }
            }
        }

        Object number() {
            int start = pos;
            if (pos < s.length() && s.charAt(pos) == '-') {
                pos++;
            }
            int intStart = pos;
            if (pos < s.length() && s.charAt(pos) == '0') {
                pos++;
            } else {
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            if (pos == intStart) {
                pos = start;
                throw error("expecting value");
            }
            boolean floating = false;
            if (pos + 1 < s.length() && s.charAt(pos) == '.' && isDigit(s.charAt(pos + 1))) {
                floating = true;
                pos++;
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                int save = pos;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                int expStart = pos;
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
                if (pos == expStart) {
                    pos = save; // Python stops the number before a bare 'e'
                } else {
                    floating = true;
                }
            }
            String text = s.subSequence(start, pos).toString();
            return floating ? (Object) Double.parseDouble(text) : new BigInteger(text);
        }

        static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        String string() {
            pos++; // opening quote
            StringBuilder out = null;
            int run = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String result;
                    if (out == null) {
                        result = s.subSequence(run, pos).toString();
                    } else {
                        out.append(s, run, pos);
                        result = out.toString();
                    }
                    pos++;
                    return result;
                }
                if (c < 0x20) {
                    throw error("invalid control character in string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(s, run, pos);
                pos++;
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char esc = s.charAt(pos++);
                switch (esc) {
                    case '"' -> out.append('"');
                    case '\\' -> out.append('\\');
                    case '/' -> out.append('/');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("invalid \\uXXXX escape");
                        }
                        int cp = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(pos + i), 16);
                            if (d < 0) {
                                throw error("invalid \\uXXXX escape");
                            }
                            cp = cp * 16 + d;
                        }
                        pos += 4;
                        out.append((char) cp);
                    }
                    default -> {
                        pos -= 2;
                        throw error("invalid \\escape");
                    }
                }
                run = pos;
            }
        }
    }
}
