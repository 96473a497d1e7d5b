package dev.spikebit.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.RuntimeModelException;
import org.junit.jupiter.api.Test;

class OneLineTest {
    @Test
    void lineBreakingCharactersBecomeEscapesAndTheRestStays() {
        assertThat(OneLine.of("tensor \"a\nb\rc\td\u2028e\u0085f\" ok é ∑"))
                .isEqualTo("tensor \"a\\u000ab\\u000dc\\u0009d\\u2028e\\u0085f\" ok é ∑");
        assertThat(OneLine.of("plain")).isEqualTo("plain");
        assertThat(OneLine.of(null)).isNull();
    }

    @Test
    void theRuntimesErrorIsOneLineWhateverTheFileHeld() {
        assertThat(new RuntimeModelException("m.safetensors: node \"x\ny\" is unknown").getMessage())
                .isEqualTo("m.safetensors: node \"x\\u000ay\" is unknown");
    }

    @Test
    void aLibrarysMultiLineMessageFoldsIntoOneLineOrKeepsItsFirst() {
        String parser = "  Unexpected token at line 3:\n    {\"a\": 1,,}\r\n          ^  ";
        assertThat(OneLine.folded(parser)).isEqualTo("Unexpected token at line 3: {\"a\": 1,,} ^");
        assertThat(OneLine.firstLine(parser)).isEqualTo("Unexpected token at line 3:");
        assertThat(OneLine.folded("one line")).isEqualTo("one line");
        assertThat(OneLine.firstLine("one line")).isEqualTo("one line");
        assertThat(OneLine.folded(null)).isNull();
        assertThat(OneLine.firstLine(null)).isNull();
    }
}
