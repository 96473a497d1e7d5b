package dev.spikebit.interop.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JSON map file (the {@code --map} option) reads into a layout, and a broken one is refused in one line. */
class StateDictLayoutTest {
    @TempDir
    Path dir;

    @Test
    void aMapFileGivesTensorsCountersAndConstantsInFileOrder() throws IOException {
        Path map = Files.writeString(dir.resolve("map.json"), """
                {"tensors": {"stem.1.weight": "features.0.weight", "fc.weight": "classifier.weight"},
                 "counters": ["features.1.num_batches_tracked"],
                 "constants": {"lif1.beta": "tau", "lif1.threshold": "vth"}}
                """);
        StateDictLayout layout = StateDictLayout.read(map);
        assertThat(layout.tensors())
                .containsExactly(
                        java.util.Map.entry("stem.1.weight", "features.0.weight"),
                        java.util.Map.entry("fc.weight", "classifier.weight"));
        assertThat(layout.counters()).containsExactly("features.1.num_batches_tracked");
        assertThat(layout.constants())
                .containsEntry("lif1.beta", StateDictLayout.Constant.TAU)
                .containsEntry("lif1.threshold", StateDictLayout.Constant.VTH);
    }

    @Test
    void aBrokenMapIsRefusedNamingTheFileAndTheField() throws IOException {
        Path number = Files.writeString(dir.resolve("number.json"), "{\"tensors\": {\"fc.weight\": 3}}");
        assertThatThrownBy(() -> StateDictLayout.read(number))
                .isInstanceOf(SpikebitException.class)
                .hasMessage(number + ": not a valid JSON map: field \"fc.weight\" is 3, expected a string");
        Path none = Files.writeString(dir.resolve("none.json"), "{\"counters\": []}");
        assertThatThrownBy(() -> StateDictLayout.read(none)).hasMessageContaining("a map needs an object \"tensors\"");
        Path trailing = Files.writeString(dir.resolve("trailing.json"), "{\"tensors\": {},}");
        assertThatThrownBy(() -> StateDictLayout.read(trailing))
                .hasMessageStartingWith(trailing + ": not a valid JSON map: expected a key in quotes");
    }
}
