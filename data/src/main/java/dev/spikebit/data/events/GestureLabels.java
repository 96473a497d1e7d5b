package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code userXX_lighting_labels.csv} of a DVS128 Gesture recording: which gesture the
 * subject performed when. The file has the header {@code class,startTime_usec,endTime_usec} and one
 * row per gesture, classes numbered 1 to 11; events with {@code start <= t < end} belong to it (the
 * rule of SpikingJelly's and tonic's loaders). Windows may overlap slightly in the published files;
 * each is kept as given.
 */
public final class GestureLabels {

    public static final int CLASSES = 11;
    static final String HEADER = "class,startTime_usec,endTime_usec";

    /**
     * One labelled stretch of a recording.
     *
     * @param label   the gesture, 0-based (the file's class minus one)
     * @param startUs first microsecond, inclusive
     * @param endUs   last microsecond, exclusive
     */
    public record Window(int label, long startUs, long endUs) {}

    private GestureLabels() {}

    /** Reads the windows of one labels file, in file order. */
    public static List<Window> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.getFirst().strip().replace(" ", "").equalsIgnoreCase(HEADER)) {
            throw DataException.inFile(file, "first line should be '" + HEADER + "'");
        }
        List<Window> windows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(",");
            if (fields.length != 3) {
                throw DataException.inFile(
                        file, "line " + (i + 1) + " has " + fields.length + " fields, expected 3: '" + line + "'");
            }
            try {
                int gesture = Integer.parseInt(fields[0].strip());
                long start = Long.parseLong(fields[1].strip());
                long end = Long.parseLong(fields[2].strip());
                if (gesture < 1 || gesture > CLASSES) {
                    throw DataException.inFile(
                            file, "line " + (i + 1) + " has class " + gesture + ", expected 1.." + CLASSES);
                }
                if (start < 0 || end < start) {
                    throw DataException.inFile(
                            file,
                            "line " + (i + 1) + " has the window " + start + ".." + end
                                    + " us, which does not run forward");
                }
                windows.add(new Window(gesture - 1, start, end));
            } catch (NumberFormatException e) {
                throw DataException.inFile(file, "line " + (i + 1) + " is not three integers: '" + line + "'");
            }
        }
        return List.copyOf(windows);
    }
}
