package dev.spikebit.runtime.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Typed reading of one JSON object that {@link Json#parse} returned, for the files whose fields map
 * onto records (model descriptions, training configurations, metrics). Each getter names the field
 * and what it should hold when the value has another type; an absent field (or {@code null}) gives
 * the caller's default, so a file written before a field existed still reads. Failures are
 * {@link IllegalArgumentException}s naming the field, which callers prefix with the file.
 */
public final class JsonObject {
    private final Map<?, ?> fields;

    private JsonObject(Map<?, ?> fields) {
        this.fields = fields;
    }

    /**
     * {@code value} as an object.
     *
     * @param what how the value is called in the error when it is not an object
     */
    public static JsonObject of(Object value, String what) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(what + " is " + shown(value) + ", expected a JSON object");
        }
        return new JsonObject(map);
    }

    /** Parses {@code text} (see {@link Json#parse}), which must hold one object. */
    public static JsonObject parse(String text, String what) {
        return of(Json.parse(text), what);
    }

    /** The field names, in file order. */
    public List<String> keys() {
        return fields.keySet().stream().map(String::valueOf).toList();
    }

    /** Whether the field is present and not {@code null}. */
    public boolean has(String key) {
        Object v = fields.get(key);
        return v != null && v != Json.NULL;
    }

    /** A string field, or {@code absent}. */
    public String text(String key, String absent) {
        return has(key) ? typed(key, String.class, "a string") : absent;
    }

    /** A whole-number field in the range of {@code int}, or {@code absent}. */
    public int integer(String key, int absent) {
        return (int) whole(key, absent, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
    }

    /** A whole-number field in the range of {@code long}, or {@code absent}. */
    public long longInteger(String key, long absent) {
        return whole(key, absent, Long.MIN_VALUE, Long.MAX_VALUE, "long");
    }

    private long whole(String key, long absent, long min, long max, String range) {
        if (!has(key)) {
            return absent;
        }
        BigInteger value = typed(key, BigInteger.class, "a whole number");
        if (value.bitLength() < Long.SIZE && value.longValue() >= min && value.longValue() <= max) {
            return value.longValue();
        }
        throw wrong(key, "a whole number in the range of " + range);
    }

    /** A number field as the nearest {@code float}, or {@code absent}. */
    public float number(String key, float absent) {
        return has(key) ? number(key).floatValue() : absent;
    }

    /** A number field as the nearest {@code double}, or {@code absent}. */
    public double real(String key, double absent) {
        return has(key) ? number(key).doubleValue() : absent;
    }

    /** A {@code true} or {@code false} field, or {@code absent}. */
    public boolean bool(String key, boolean absent) {
        return has(key) ? typed(key, Boolean.class, "true or false") : absent;
    }

    /** An object field, or null when absent. */
    public JsonObject object(String key) {
        return has(key) ? new JsonObject(typed(key, Map.class, "a JSON object")) : null;
    }

    /** An array field, or null when absent. */
    public List<?> array(String key) {
        return has(key) ? typed(key, List.class, "an array") : null;
    }

    /** Refuses any field not in {@code known} (for formats whose every field has a meaning). */
    public JsonObject allowOnly(Collection<String> known) {
        for (Object key : fields.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown field \"" + shortened(String.valueOf(key)) + "\"");
            }
        }
        return this;
    }

    /**
     * JSON has no NaN or infinity; Jackson, which wrote the project's files before this class did,
     * wrote them as the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}, so
     * those read as the non-finite values (the record's own checks then decide whether one is
     * allowed).
     */
    private Number number(String key) {
        Object v = fields.get(key);
        if (v instanceof BigInteger || v instanceof BigDecimal) {
            return (Number) v;
        }
        if (v instanceof String text) {
            switch (text) {
                case "NaN" -> {
                    return Double.NaN;
                }
                case "Infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-Infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {}
            }
        }
        throw wrong(key, "a number");
    }

    private <T> T typed(String key, Class<T> type, String expected) {
        Object v = fields.get(key);
        if (!type.isInstance(v)) {
            throw wrong(key, expected);
        }
        return type.cast(v);
    }

    private IllegalArgumentException wrong(String key, String expected) {
        return new IllegalArgumentException(
                "field \"" + key + "\" is " + shown(fields.get(key)) + ", expected " + expected);
    }

    /** The value as JSON, shortened to one short line for a message. */
    private static String shown(Object value) {
        String json;
        try {
            json = value == null ? "missing" : Json.write(value);
        } catch (IllegalArgumentException e) {
            json = String.valueOf(value);
        }
        return shortened(json);
    }

    private static String shortened(String text) {
        String line = OneLine.of(text);
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }
}
