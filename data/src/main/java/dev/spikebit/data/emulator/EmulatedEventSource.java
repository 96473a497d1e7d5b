package dev.spikebit.data.emulator;

import dev.spikebit.data.Dataset;
import dev.spikebit.data.events.EventSampleSource;
import dev.spikebit.data.events.EventStream;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The images of a static dataset ({@code [1, H, W]} samples in [0, 1]) turned into event streams
 * by a {@link DvsEmulator} when asked for, so the event path (binning, frames, T time steps) runs
 * on real images (docs/methods.md section 6). Labels are the images' labels.
 */
public final class EmulatedEventSource implements EventSampleSource {

    private final String name;
    private final Dataset images;
    private final DvsEmulator emulator;
    private final int height;
    private final int width;
    private volatile String fingerprint;

    /**
     * @param name     the source's name, such as {@code nfashion-mnist/train}
     * @param images   grayscale images of shape {@code [1, H, W]}, values in [0, 1]
     * @param config   how the emulator moves the image and fires events
     */
    public EmulatedEventSource(String name, Dataset images, EmulatorConfig config) {
        int[] shape = images.sampleShape();
        if (shape.length != 3 || shape[0] != 1) {
            throw new IllegalArgumentException(images.name()
                    + ": the DVS emulator needs grayscale [1, H, W] images, got " + Arrays.toString(shape));
        }
        this.name = name;
        this.images = images;
        this.height = shape[1];
        this.width = shape[2];
        this.emulator = new DvsEmulator(config, height, width);
    }

    public DvsEmulator emulator() {
        return emulator;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int numClasses() {
        return images.numClasses();
    }

    @Override
    public int label(int index) {
        return images.label(index);
    }

    @Override
    public int sensorWidth() {
        return emulator.sensorWidth();
    }

    @Override
    public int sensorHeight() {
        return emulator.sensorHeight();
    }

    @Override
    public EventStream events(int index) {
        float[] image = new float[height * width];
        images.copySample(index, image, 0);
        return emulator.emulate(image, 0);
    }

    /** The emulator's parameters and a CRC32C over every image and label. */
    @Override
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            CRC32C crc = new CRC32C();
            float[] image = new float[height * width];
            byte[] bytes = new byte[image.length * Float.BYTES + Integer.BYTES];
            for (int i = 0; i < images.size(); i++) {
                images.copySample(i, image, 0);
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
                buffer.asFloatBuffer().put(image);
                buffer.putInt(image.length * Float.BYTES, images.label(i));
                crc.update(bytes);
            }
            f = emulator.config().id() + ",images=" + images.name() + "/" + images.size() + "/"
                    + Long.toHexString(crc.getValue());
            fingerprint = f;
        }
        return f;
    }
}
