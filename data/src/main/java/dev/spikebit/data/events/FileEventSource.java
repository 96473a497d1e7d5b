package dev.spikebit.data.events;

import dev.spikebit.data.DataException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * Samples that are whole files, one recording each (N-MNIST, N-Caltech101, CIFAR10-DVS), read
 * by a format reader such as {@link AtisBinReader} or {@link Aedat2Reader}.
 */
public final class FileEventSource implements EventSampleSource {

    /** One sample: a recording and its class. */
    public record Sample(Path file, int label) {}

    private final String name;
    private final List<Sample> samples;
    private final int numClasses;
    private final int sensorWidth;
    private final int sensorHeight;
    private final Function<Path, EventStream> reader;
    private volatile String fingerprint;

    public FileEventSource(
            String name,
            List<Sample> samples,
            int numClasses,
            int sensorWidth,
            int sensorHeight,
            Function<Path, EventStream> reader) {
        for (Sample s : samples) {
            if (s.label() < 0 || s.label() >= numClasses) {
                throw new IllegalArgumentException(
                        s.file() + ": label " + s.label() + " outside 0.." + (numClasses - 1));
            }
        }
        this.name = name;
        this.samples = List.copyOf(samples);
        this.numClasses = numClasses;
        this.sensorWidth = sensorWidth;
        this.sensorHeight = sensorHeight;
        this.reader = reader;
    }

    public List<Sample> samples() {
        return samples;
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
        return numClasses;
    }

    @Override
    public int label(int index) {
        return samples.get(index).label();
    }

    @Override
    public int sensorWidth() {
        return sensorWidth;
    }

    @Override
    public int sensorHeight() {
        return sensorHeight;
    }

    @Override
    public EventStream events(int index) {
        return reader.apply(samples.get(index).file());
    }

    /** A SHA-256 over every file's path, label, size and modification time. */
    @Override
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            f = hashOfFiles(
                    samples.stream().map(s -> s.label() + ":" + s.file()).toList(),
                    samples.stream().map(Sample::file).toList());
            fingerprint = f;
        }
        return f;
    }

    /** SHA-256 of each entry followed by its file's size and modification time. */
    static String hashOfFiles(List<String> entries, List<Path> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < entries.size(); i++) {
                Path file = files.get(i);
                String line = entries.get(i) + "|" + Files.size(file) + "|"
                        + Files.getLastModifiedTime(file).toMillis() + "\n";
                sha.update(line.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new DataException("cannot read a dataset file's attributes: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
