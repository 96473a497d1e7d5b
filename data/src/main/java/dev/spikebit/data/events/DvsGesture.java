package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DVS128 Gesture (Amir et al. 2017): 29 subjects performing 11 hand gestures under several
 * lighting conditions, recorded by a DVS128 into one AEDAT 3.1 file per subject and lighting
 * ({@link Aedat31Reader}). Each recording's {@code _labels.csv} ({@link GestureLabels}) cuts it
 * into one sample per performed gesture. Layout: {@code DvsGesture/userXX_<lighting>.aedat},
 * {@code userXX_<lighting>_labels.csv}, and the official split in {@code trials_to_train.txt} and
 * {@code trials_to_test.txt} (one {@code .aedat} name per line), which give 1,176 training and
 * 288 test samples. The folder (about 2.7 GB of recordings) comes from {@code DvsGesture.tar.gz}.
 */
public final class DvsGesture implements EventSampleSource {

    public static final String FOLDER = "DvsGesture";
    public static final int CLASSES = GestureLabels.CLASSES;
    public static final int SIZE = Aedat31Reader.DVS128_SIZE;
    static final String HOW_TO_GET = "Download DvsGesture.tar.gz from"
            + " https://ibm.ent.box.com/s/3hiq58ww1pbbjrinh367ykfdf60xsfm8/folder/50167556794 and extract it"
            + " (giving DvsGesture/userXX_*.aedat, *_labels.csv and trials_to_train.txt).";

    /** One sample: a labelled window of a recording. */
    record Sample(Path recording, GestureLabels.Window window) {}

    private final String name;
    private final List<Sample> samples;
    private final List<Path> files;
    private volatile String fingerprint;
    private Path lastRecording;
    private EventStream lastEvents;

    private DvsGesture(String name, List<Sample> samples, List<Path> files) {
        this.name = name;
        this.samples = samples;
        this.files = files;
    }

    public static DvsGesture train(Path dataDir) {
        return split(root(dataDir), "trials_to_train.txt", "dvs-gesture/train");
    }

    public static DvsGesture test(Path dataDir) {
        return split(root(dataDir), "trials_to_test.txt", "dvs-gesture/test");
    }

    static Path root(Path dataDir) {
        return EventDataRoot.resolve(
                "DVS128 Gesture",
                FOLDER,
                dataDir,
                dir -> Files.isRegularFile(dir.resolve("trials_to_train.txt")),
                HOW_TO_GET);
    }

    static DvsGesture split(Path root, String trialsFile, String name) {
        Path trials = root.resolve(trialsFile);
        List<String> lines;
        try {
            lines = Files.readAllLines(trials);
        } catch (IOException e) {
            throw new DataException(trials + ": cannot read: " + e.getMessage(), e);
        }
        List<Sample> samples = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (String line : lines) {
            String trial = line.strip();
            if (trial.isEmpty()) {
                continue;
            }
            if (!trial.endsWith(".aedat")) {
                throw DataException.inFile(trials, "line '" + trial + "' is not the name of an .aedat recording");
            }
            Path recording = root.resolve(trial);
            Path labels = root.resolve(trial.substring(0, trial.length() - ".aedat".length()) + "_labels.csv");
            if (!Files.isRegularFile(recording)) {
                throw DataException.inFile(recording, "is listed in " + trialsFile + " but missing");
            }
            files.add(recording);
            files.add(labels);
            for (GestureLabels.Window window : GestureLabels.read(labels)) {
                samples.add(new Sample(recording, window));
            }
        }
        if (samples.isEmpty()) {
            throw DataException.inFile(trials, "lists no labelled recordings");
        }
        return new DvsGesture(name, List.copyOf(samples), List.copyOf(files));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public int numClasses() {
        return CLASSES;
    }

    @Override
    public int label(int index) {
        return samples.get(index).window().label();
    }

    /** The recording sample {@code index} is cut from, and its window. */
    public Path recording(int index) {
        return samples.get(index).recording();
    }

    public GestureLabels.Window window(int index) {
        return samples.get(index).window();
    }

    @Override
    public int sensorWidth() {
        return SIZE;
    }

    @Override
    public int sensorHeight() {
        return SIZE;
    }

    /**
     * The events of one gesture. Samples of one recording are adjacent, so the last recording read
     * is kept: a pass in order reads every file once.
     */
    @Override
    public EventStream events(int index) {
        Sample sample = samples.get(index);
        EventStream recording;
        synchronized (this) {
            if (!sample.recording().equals(lastRecording)) {
                lastEvents = Aedat31Reader.read(sample.recording(), SIZE, SIZE);
                lastRecording = sample.recording();
            }
            recording = lastEvents;
        }
        return recording.between(sample.window().startUs(), sample.window().endUs());
    }

    @Override
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = FileEventSource.hashOfFiles(files.stream().map(Path::toString).toList(), files);
            fingerprint = f;
        }
        return f;
    }
}
