package dev.spikebit.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
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
                .containsExactly(new BigDecimal("1"), new BigDecimal("-2.5e3"), new BigDecimal("0.125"));
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

    @Test
    void refusesDeepNestingInsteadOfOverflowingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH);
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }
}
