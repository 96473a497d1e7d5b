package dev.spikebit.data.events;

import static dev.spikebit.data.events.EventFileBytes.aedat31Header;
import static dev.spikebit.data.events.EventFileBytes.concat;
import static dev.spikebit.data.events.EventFileBytes.packetHeader;
import static dev.spikebit.data.events.EventFileBytes.polarityEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DVS128 Gesture layout (IBM's DvsGesture.tar.gz README: {@code userXX_lighting.aedat}
 * recordings in AEDAT 3.1, {@code _labels.csv} with {@code class,startTime_usec,endTime_usec},
 * {@code trials_to_train.txt} / {@code trials_to_test.txt}).
 */
class DvsGestureTest {

    @TempDir
    Path root;

    /** A recording with one event every 10 us from t = 1000 to 1990, x = index % 128. */
    private void writeRecording(String name) throws IOException {
        List<byte[]> events = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            events.add(polarityEvent(i % 128, i % 7, i % 2, true, 1000 + 10 * i));
        }
        // two packets of 50 events each
        byte[] first = concat(
                packetHeader(1, 8, 4, 0, 50, 50, 50),
                concat(events.subList(0, 50).toArray(byte[][]::new)));
        byte[] second = concat(
                packetHeader(1, 8, 4, 0, 50, 50, 50),
                concat(events.subList(50, 100).toArray(byte[][]::new)));
        Files.write(root.resolve(name + ".aedat"), concat(aedat31Header(), first, second));
    }

    @Test
    void cutsRecordingsIntoLabelledWindows() throws IOException {
        writeRecording("user01_fluorescent");
        writeRecording("user02_led");
        Files.writeString(
                root.resolve("user01_fluorescent_labels.csv"),
                "class,startTime_usec,endTime_usec\r\n1,1000,1100\r\n11,1500,1750\r\n");
        Files.writeString(root.resolve("user02_led_labels.csv"), "class,startTime_usec,endTime_usec\n3,1095,1105\n");
        Files.writeString(root.resolve("trials_to_train.txt"), "user01_fluorescent.aedat\nuser02_led.aedat\n\n");
        Files.writeString(root.resolve("trials_to_test.txt"), "user02_led.aedat\n");

        DvsGesture train = DvsGesture.train(root);
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.numClasses()).isEqualTo(11);
        assertThat(List.of(train.label(0), train.label(1), train.label(2))).containsExactly(0, 10, 2);

        EventStream first = train.events(0); // 1000 <= t < 1100: events 0..9
        assertThat(first.t()).containsExactly(1000, 1010, 1020, 1030, 1040, 1050, 1060, 1070, 1080, 1090);
        assertThat(first.x()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        EventStream second = train.events(1); // 1500 <= t < 1750: events 50..74
        assertThat(second.size()).isEqualTo(25);
        assertThat(second.t()[0]).isEqualTo(1500);
        assertThat(second.t()[24]).isEqualTo(1740);
        assertThat(train.events(2).t()).containsExactly(1100L); // 1095 <= t < 1105

        assertThat(DvsGesture.test(root).size()).isEqualTo(1);
    }

    @Test
    void rejectsAMalformedLabelsFile() throws IOException {
        Path labels = Files.writeString(root.resolve("x_labels.csv"), "class,startTime_usec,endTime_usec\n12,1,2\n");
        assertThatThrownBy(() -> GestureLabels.read(labels))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("class 12");
        Path header = Files.writeString(root.resolve("y_labels.csv"), "1,1,2\n");
        assertThatThrownBy(() -> GestureLabels.read(header)).hasMessageContaining("first line");
    }

    @Test
    void reportsAMissingRecording() throws IOException {
        Files.writeString(root.resolve("trials_to_train.txt"), "user09_lab.aedat\n");
        assertThatThrownBy(() -> DvsGesture.train(root))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("user09_lab.aedat")
                .hasMessageContaining("missing");
    }
}
