package dev.spikebit.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
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

    /**
     * The report files ({@code metrics.json}, experiment tables) keep the layout Jackson's
     * indenting printer gave them; this text is what Jackson 2.18 wrote for the same values.
     */
    @Test
    void indentedJsonHasTheLayoutOfTheOlderReportFiles() {
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("gemm", "blas");
        environment.put("threads", 2);
        environment.put("cpuFeatures", List.of("sse4_1", "avx2", "fma"));
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("epoch", 1);
        first.put("trainLoss", 0.6931471805599453);
        first.put("seconds", 12.0);
        first.put("learningRate", 9.999999747378752E-4);
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("epoch", 2);
        second.put("testLoss", Json.measured(Double.NaN));
        second.put("imagesPerSecond", 1e7);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("environment", environment);
        root.put("epochs", List.of(first, second));
        root.put("lr", 0.001f);
        root.put("empty", List.of());
        root.put("none", Map.of());
        String jackson = """
                {
                  "environment" : {
                    "gemm" : "blas",
                    "threads" : 2,
                    "cpuFeatures" : [ "sse4_1", "avx2", "fma" ]
                  },
                  "epochs" : [ {
                    "epoch" : 1,
                    "trainLoss" : 0.6931471805599453,
                    "seconds" : 12.0,
                    "learningRate" : 9.999999747378752E-4
                  }, {
                    "epoch" : 2,
                    "testLoss" : "NaN",
                    "imagesPerSecond" : 1.0E7
                  } ],
                  "lr" : 0.001,
                  "empty" : [ ],
                  "none" : { }
                }""";
        assertThat(Json.writeIndented(root)).isEqualTo(jackson);
        assertThat(Json.parse(jackson)).isEqualTo(Json.parse(Json.write(root)));
    }

    @Test
    void objectFieldsReadTypedWithDefaultsAndNamedErrors() {
        JsonObject o = JsonObject.parse(
                "{\"n\": 3, \"x\": 0.1, \"s\": \"a\", \"b\": true, \"nan\": \"NaN\", \"big\": 12345678901, "
                        + "\"o\": {\"k\": 1}, \"l\": [1], \"z\": null}",
                "test");
        assertThat(o.integer("n", 0)).isEqualTo(3);
        assertThat(o.integer("absent", 7)).isEqualTo(7);
        assertThat(o.integer("z", 7)).isEqualTo(7);
        assertThat(o.number("x", 0f)).isEqualTo(0.1f);
        assertThat(o.real("x", 0)).isEqualTo(0.1);
        assertThat(o.real("nan", 0)).isNaN();
        assertThat(o.text("s", null)).isEqualTo("a");
        assertThat(o.bool("b", false)).isTrue();
        assertThat(o.longInteger("big", 0)).isEqualTo(12345678901L);
        assertThat(o.object("o").integer("k", 0)).isEqualTo(1);
        assertThat(o.array("l")).hasSize(1);
        assertThatThrownBy(() -> o.integer("x", 0)).hasMessage("field \"x\" is 0.1, expected a whole number");
        assertThatThrownBy(() -> o.integer("big", 0))
                .hasMessage("field \"big\" is 12345678901, expected a whole number in the range of int");
        assertThatThrownBy(() -> o.number("s", 0f)).hasMessage("field \"s\" is \"a\", expected a number");
        assertThatThrownBy(() -> o.text("n", null)).hasMessage("field \"n\" is 3, expected a string");
        assertThatThrownBy(() -> o.allowOnly(List.of("n"))).hasMessage("unknown field \"x\"");
        assertThatThrownBy(() -> JsonObject.parse("[1]", "the spec"))
                .hasMessage("the spec is [1], expected a JSON object");
    }
}
