package dev.spikebit.data.image;

import dev.spikebit.data.DataException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a PNG file as a model input: {@code [C, H, W]} floats in [0, 1].
 *
 * <p>Every colour type and bit depth gives the same values for the same picture: the stored
 * samples are divided by their largest value ({@code 2^bits - 1}), a palette index is looked up in
 * the palette, alpha is ignored, and no colour-space conversion is applied (Java's {@code getRGB}
 * would treat gray samples as linear light and brighten them). A one-channel model sees the
 * luminance: the gray level itself, or {@code 0.299 R + 0.587 G + 0.114 B} for a colour pixel; a
 * three-channel model sees R, G and B (a gray level in all three).
 *
 * <p>The image size is read from the header and checked before any pixel is decoded, so a header
 * that declares a huge image costs nothing. Every failure is a {@link DataException} naming the
 * file.
 */
public final class PngImages {
    /** The largest raw image (width x height x bands x bytes per sample) per byte of file: deflate's limit. */
    private static final long MAX_EXPANSION = 1032;
    /** Tiny files may still hold a legitimately larger image (a small all-black one, say). */
    private static final long MIN_RAW_ALLOWANCE = 1 << 20;

    private PngImages() {}

    /** The dimensions a PNG's header declares. */
    public record Size(int width, int height) {}

    /**
     * Decodes {@code file} into {@code out[offset ..]} as {@code channels x height x width} values.
     *
     * @param channels 1 (luminance) or 3 (R, G, B)
     * @throws DataException if the file is not a readable PNG or its size is not {@code width x height}
     */
    public static void read(Path file, int channels, int height, int width, float[] out, int offset) {
        if (channels != 1 && channels != 3) {
            throw DataException.inFile(file, "a PNG gives 1 (gray) or 3 (RGB) channels, the model takes " + channels);
        }
        BufferedImage image = decode(file, new Size(width, height));
        toFloats(image, channels, out, offset);
    }

    /**
     * Decodes {@code file} after checking its header: when {@code expected} is not null the image
     * must have that size, and in any case its raw pixels must be within what a file of its length
     * can hold.
     */
    public static BufferedImage decode(Path file, Size expected) {
        long fileBytes;
        try {
            fileBytes = Files.size(file);
        } catch (IOException e) {
            throw DataException.inFile(file, "cannot read: " + e.getMessage());
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw DataException.inFile(file, "cannot open the file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("png");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (expected != null && (width != expected.width() || height != expected.height())) {
                    throw DataException.inFile(
                            file,
                            "a " + width + "x" + height + " image, the model takes " + expected.width() + "x"
                                    + expected.height());
                }
                long raw = (long) width * height * 8; // at most 4 samples of 16 bits per pixel
                if (raw > Math.max(MIN_RAW_ALLOWANCE, MAX_EXPANSION * fileBytes)) {
                    throw DataException.inFile(
                            file,
                            "the header declares a " + width + "x" + height + " image, more than a file of " + fileBytes
                                    + " bytes can hold");
                }
                BufferedImage image = reader.read(0);
                if (image == null) {
                    throw DataException.inFile(file, "not a readable PNG image");
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw DataException.inFile(file, "not a readable PNG image (" + oneLine(e.getMessage()) + ")");
        } catch (DataException e) {
            throw e;
        } catch (RuntimeException e) {
            // The JDK's decoder reports some malformed chunks with unchecked exceptions.
            throw DataException.inFile(
                    file,
                    "not a readable PNG image (" + e.getClass().getSimpleName() + ": " + oneLine(e.getMessage()) + ")");
        }
    }

    /** The image as {@code channels x H x W} values in [0, 1], written to {@code out[offset ..]}. */
    public static void toFloats(BufferedImage image, int channels, float[] out, int offset) {
        int h = image.getHeight();
        int w = image.getWidth();
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        float[] rgb = new float[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                pixel(raster, model, x, y, rgb);
                int at = offset + y * w + x;
                if (channels == 1) {
                    out[at] = luminance(rgb);
                } else {
                    out[at] = rgb[0];
                    out[at + h * w] = rgb[1];
                    out[at + 2 * h * w] = rgb[2];
                }
            }
        }
    }

    /** The pixel's R, G, B in [0, 1] from its stored samples: palette entries or samples / (2^bits - 1). */
    private static void pixel(Raster raster, ColorModel model, int x, int y, float[] rgb) {
        if (model instanceof IndexColorModel palette) {
            int index = raster.getSample(x, y, 0);
            rgb[0] = palette.getRed(index) / 255f;
            rgb[1] = palette.getGreen(index) / 255f;
            rgb[2] = palette.getBlue(index) / 255f;
            return;
        }
        int colours = model.getNumColorComponents();
        for (int c = 0; c < 3; c++) {
            int band = colours == 1 ? 0 : c;
            float max = (float) ((1L << model.getComponentSize(band)) - 1);
            rgb[c] = raster.getSample(x, y, band) / max;
        }
    }

    private static float luminance(float[] rgb) {
        if (rgb[0] == rgb[1] && rgb[1] == rgb[2]) {
            return rgb[0];
        }
        return 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
    }

    private static String oneLine(String message) {
        return message == null ? "no detail" : message.replaceAll("\\s*\\R\\s*", " ");
    }
}
