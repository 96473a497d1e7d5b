package dev.spikebit.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
    @Test
    @SuppressWarnings("unchecked")
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, 0.125], \"b\": {\"c\": \"x\\\"y\\u00e9\\n\"}, \"t\": true, "
                + "\"f\": false, \"n\": null, \"e\": [], \"o\": {}} ");
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("a", "b", "t", "f", "n", "e", "o");
        assertThat((List<Object>) m.get("a"))
                .containsExactly(new BigInteger("1"), new BigDecimal("-2.5e3"), new BigDecimal("0.125"));
        assertThat(((Map<?, ?>) m.get("b")).get("c")).isEqualTo("x\"y\u00e9\n");
        assertThat(m.get("t")).isEqualTo(Boolean.TRUE);
        assertThat(m.get("f")).isEqualTo(Boolean.FALSE);
        assertThat(m.get("n")).isSameAs(Json.NULL);
        assertThat((List<?>) m.get("e")).isEmpty();
        assertThat((Map<?, ?>) m.get("o")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "[1,]",
                "{\"a\":1,}",
                "01",
                "1.",
                "-",
                "1e",
                "{\"a\":1,\"a\":2}",
                "{a:1}",
                "\"abc",
                "\"a\\x\"",
                "\"\u0001\"",
                "[1] 2",
                "tru",
                "nul",
                "{\"a\" 1}",
                "[1 2]",
                "'a'",
                "+1",
                "NaN",
                "\"\\u12\""
            })
    void refusesMalformedText(String text) {
        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset");
    }

    /** The document's own characters quoted in an error must not break its one line. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"a\\\nb\"", // a backslash, then a newline: an unknown escape
                "{\"k\\n\": 1, \"k\\n\": 2}", // a duplicate key that holds an escaped newline
                "{\"k\\u2028\": 1, \"k\\u2028\": 2}", // ... or a line separator
                "[1,\u000b2]" // a vertical tab where a value should start
            })
    void errorsQuoteControlCharactersAsEscapes(String text) {
        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\\u")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\u000b", "\u2028"));
    }

    @Test
    void refusesDeepNestingInsteadOfOverflowingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH);
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }

    @Test
    void wholeNumbersAreToldFromFractionsAndExponents() {
        assertThat(Json.parse("128")).isEqualTo(new BigInteger("128"));
        assertThat(Json.parse("-0")).isInstanceOf(BigInteger.class);
        assertThat(Json.parse("128.0")).isEqualTo(new BigDecimal("128.0"));
        assertThat(Json.parse("1.28e2")).isInstanceOf(BigDecimal.class);
    }

    @Test
    void writtenJsonReadsBackToTheSameValues() {
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("name", "a\"b\\c\n\u0001é");
        value.put("sizes", List.of(1, 2L, new BigInteger("12345678901234567890")));
        value.put("tau", (double) 0.9f);
        value.put("flags", List.of(true, false, Json.NULL));
        value.put("empty", Map.of());
        String text = Json.write(value);
        assertThat(text)
                .startsWith("{\"name\":\"a\\\"b\\\\c\\n\\u0001é\",\"sizes\":[1,2,12345678901234567890],"
                        + "\"tau\":0.8999999761581421,");
        Map<?, ?> back = (Map<?, ?>) Json.parse(text);
        assertThat(back.get("name")).isEqualTo(value.get("name"));
        assertThat(((Number) back.get("tau")).floatValue()).isEqualTo(0.9f);
        assertThat(Json.write(back)).isEqualTo(text);
        assertThatThrownBy(() -> Json.write(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Json.write(new Object())).hasMessageContaining("cannot write");
    }
}
