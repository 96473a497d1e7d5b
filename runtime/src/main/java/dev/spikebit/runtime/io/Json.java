package dev.spikebit.runtime.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON parser and writer (RFC 8259) for safetensors headers and layer graphs:
 * objects become {@code Map<String, Object>} in file order, arrays {@code List<Object>}, strings
 * {@code String}, numbers written as whole numbers (digits only: no fraction, no exponent)
 * {@link BigInteger} and all other numbers {@link BigDecimal} (exact either way, so {@code 128.0}
 * or {@code 1.28e2} is never taken for the whole number a size field needs), {@code true} /
 * {@code false} {@code Boolean}, and {@code null} {@link #NULL}. {@link #write} turns such values
 * (and any {@link Number}) back into compact JSON.
 *
 * <p>Strict means: no comments, no trailing commas, no leading zeros, no duplicate keys, no
 * control characters in strings, nothing but white space after the value, and at most
 * {@value #MAX_DEPTH} levels of nesting (so a hostile header cannot overflow the stack). The
 * runtime has no dependencies, so it cannot use Jackson; the project's file formats use this class
 * (and only this one) for their JSON.
 */
public final class Json {
    /** JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON document.
     *
     * @throws IllegalArgumentException with the offset and what was expected
     */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipSpace();
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return value;
    }

    /**
     * Compact JSON for {@code value}: a {@code Map} with string keys (in its iteration order), a
     * {@code List}, a {@code String}, a {@link Number} (a {@code float} or {@code double} must be
     * finite and is written as the shortest decimal that reads back to the same {@code float} or
     * {@code double}, as {@link Float#toString} and {@link Double#toString} write it), a
     * {@code Boolean} or {@link #NULL}.
     *
     * @throws IllegalArgumentException for anything else, or a non-finite number
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /**
     * {@link #write} laid out for people, as the project's report files ({@code metrics.json},
     * experiment tables) have always been: each object field on a line of its own, indented two
     * spaces per enclosing object, {@code "key" : value}, arrays on one line as {@code [ a, b ]}
     * (an object in an array still breaks its fields onto lines), empty ones as {@code { }} and
     * {@code [ ]}.
     */
    public static String writeIndented(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        write(value, out, -1);
    }

    /** Writes {@code value}; {@code depth} is the number of enclosing objects, or -1 for compact JSON. */
    private static void write(Object value, StringBuilder out, int depth) {
        boolean indented = depth >= 0;
        switch (value) {
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (var e : map.entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                    }
                    if (indented) {
                        out.append('\n').append("  ".repeat(depth + 1));
                    }
                    quote(key, out);
                    out.append(indented ? " : " : ":");
                    write(e.getValue(), out, indented ? depth + 1 : depth);
                }
                if (indented) {
                    out.append(first ? " " : "\n" + "  ".repeat(depth));
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    if (indented) {
                        out.append(' ');
                    }
                    write(list.get(i), out, depth);
                }
                if (indented) {
                    out.append(' ');
                }
                out.append(']');
            }
            case String text -> quote(text, out);
            case Boolean b -> out.append(b);
            case Double d -> out.append(finite(d));
            case Float f -> out.append((float) finite(f));
            case BigDecimal d -> out.append(d);
            case BigInteger i -> out.append(i);
            case Number n -> out.append(n.longValue());
            default -> {
                if (value != NULL) {
                    throw new IllegalArgumentException("cannot write " + value + " as JSON");
                }
                out.append("null");
            }
        }
    }

    /**
     * {@code d} as a value {@link #write} takes: the number itself when finite, else the string
     * {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}, as Jackson wrote them in the
     * project's report files before this class wrote them ({@link JsonObject} reads them back). For
     * measured figures that may be undefined (an accuracy over no images); formats whose numbers
     * must be finite keep {@link #write}'s refusal.
     */
    public static Object measured(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return d;
    }

    private static double finite(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON has no number " + d);
        }
        return d;
    }

    /**
     * A JSON string: quote, backslash and the control characters escaped (the short escapes where
     * there is one, else a backslash-u escape with lowercase hex digits), everything else as is.
     */
    static void quote(String text, StringBuilder json) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u00")
                                .append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 0xF, 16));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
        if (pos >= text.length()) {
            throw error("unexpected end, expected a value");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a key in quotes");
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth + 1);
            if (map.putIfAbsent(key, v) != null) {
                throw error("duplicate key \"" + key + "\"");
            }
            skipSpace();
            char c = next();
            if (c == '}') {
                return Collections.unmodifiableMap(map);
            }
            if (c != ',') {
                throw error("expected ',' or '}' in an object");
            }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            char c = next();
            if (c == ']') {
                return Collections.unmodifiableList(list);
            }
            if (c != ',') {
                throw error("expected ',' or ']' in an array");
            }
        }
    }

    private String string() {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("unfinished \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos++), 16);
                        if (d < 0) {
                            throw error("bad hex digit in a \\u escape");
                        }
                        code = code * 16 + d;
                    }
                    sb.append((char) code);
                }
                default -> throw error("unknown escape \\" + e);
            }
        }
    }

    private Number number() {
        int start = pos;
        boolean whole = true;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            whole = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("expected a digit after the decimal point");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            whole = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in the exponent");
            }
            digits();
        }
        if (pos - start > 400) {
            throw error("number with more than 400 characters");
        }
        try {
            String literal = text.substring(start, pos);
            return whole ? new BigInteger(literal) : new BigDecimal(literal);
        } catch (NumberFormatException e) {
            throw error("number out of range");
        }
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("expected " + word);
        }
        pos += word.length();
        return value;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The current character, or 0 at the end. */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private char next() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) {
            pos--;
            throw error("expected '" + c + "'");
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(OneLine.of(what) + " at offset " + pos);
    }
}
