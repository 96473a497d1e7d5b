package dev.spikebit.data.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.data.DataException;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One gray picture written as every PNG colour type and bit depth that can hold it (written here
 * with javax.imageio) decodes to the same values: the gray levels / 255.
 */
class PngImagesTest {
    private static final int W = 8;
    private static final int H = 6;

    /** Level k of 16 at (x, y); 4-bit gray can store every level. */
    private static int level(int x, int y) {
        return (x * 7 + y * 3) % 16;
    }

    /** The 8-bit gray value of (x, y): 17 * level, so 4-, 8- and 16-bit samples hold it exactly. */
    private static int gray(int x, int y) {
        return 17 * level(x, y);
    }

    @Test
    void everyColourTypeAndBitDepthGivesTheSameLuminance(@TempDir Path dir) throws IOException {
        Map<String, BufferedImage> pictures = new LinkedHashMap<>();
        pictures.put("gray8", fill(new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY), 1, false, 8));
        pictures.put("gray16", fill(new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY), 1, false, 16));
        pictures.put("gray-alpha8", fill(component(ColorSpace.CS_GRAY, true, DataBuffer.TYPE_BYTE), 1, true, 8));
        pictures.put("gray-alpha16", fill(component(ColorSpace.CS_GRAY, true, DataBuffer.TYPE_USHORT), 1, true, 16));
        pictures.put("rgb8", fill(component(ColorSpace.CS_sRGB, false, DataBuffer.TYPE_BYTE), 3, false, 8));
        pictures.put("rgba8", fill(component(ColorSpace.CS_sRGB, true, DataBuffer.TYPE_BYTE), 3, true, 8));
        pictures.put("rgb16", fill(component(ColorSpace.CS_sRGB, false, DataBuffer.TYPE_USHORT), 3, false, 16));
        pictures.put("rgba16", fill(component(ColorSpace.CS_sRGB, true, DataBuffer.TYPE_USHORT), 3, true, 16));
        pictures.put("palette8", palette(8));
        pictures.put("palette4", palette(4));
        pictures.put("gray4", grayRamp4());
        Map<String, String> expectedTypes = Map.ofEntries(
                Map.entry("gray8", "0/8"),
                Map.entry("gray16", "0/16"),
                Map.entry("gray-alpha8", "4/8"),
                Map.entry("gray-alpha16", "4/16"),
                Map.entry("rgb8", "2/8"),
                Map.entry("rgba8", "6/8"),
                Map.entry("rgb16", "2/16"),
                Map.entry("rgba16", "6/16"),
                Map.entry("palette8", "3/8"),
                Map.entry("palette4", "3/4"),
                Map.entry("gray4", "0/4"));
        for (var e : pictures.entrySet()) {
            Path file = dir.resolve(e.getKey() + ".png");
            assertThat(ImageIO.write(e.getValue(), "png", file.toFile())).isTrue();
            byte[] bytes = Files.readAllBytes(file);
            // IHDR: bit depth at byte 24, colour type at 25; the file really is of the type named.
            assertThat((bytes[25] & 0xFF) + "/" + (bytes[24] & 0xFF))
                    .as(e.getKey())
                    .isEqualTo(expectedTypes.get(e.getKey()));

            float[] luminance = new float[H * W];
            PngImages.read(file, 1, H, W, luminance, 0);
            float[] rgb = new float[3 * H * W];
            PngImages.read(file, 3, H, W, rgb, 0);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    float want = gray(x, y) / 255f;
                    assertThat(luminance[y * W + x])
                            .as("%s at (%d, %d)", e.getKey(), x, y)
                            .isEqualTo(want);
                    for (int c = 0; c < 3; c++) {
                        assertThat(rgb[c * H * W + y * W + x])
                                .as("%s channel %d", e.getKey(), c)
                                .isEqualTo(want);
                    }
                }
            }
        }
    }

    @Test
    void aColourPixelGivesItsLumaAndEachChannel(@TempDir Path dir) throws IOException {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 200 << 16 | 100 << 8 | 50);
        Path file = dir.resolve("colour.png");
        ImageIO.write(image, "png", file.toFile());
        float[] luminance = new float[1];
        PngImages.read(file, 1, 1, 1, luminance, 0);
        assertThat(luminance[0]).isCloseTo((0.299f * 200 + 0.587f * 100 + 0.114f * 50) / 255f, within());
        float[] rgb = new float[3];
        PngImages.read(file, 3, 1, 1, rgb, 0);
        assertThat(rgb).containsExactly(200 / 255f, 100 / 255f, 50 / 255f);
    }

    @Test
    void aWrongSizeOrAFileThatIsNoPngIsOneClearError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gray.png");
        ImageIO.write(fill(new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY), 1, false, 8), "png", file.toFile());
        assertThatThrownBy(() -> PngImages.read(file, 1, 28, 28, new float[784], 0))
                .isInstanceOf(DataException.class)
                .hasMessage(file + ": a 8x6 image, the model takes 28x28");
        Path junk = dir.resolve("junk.png");
        Files.writeString(junk, "not a png");
        assertThatThrownBy(() -> PngImages.read(junk, 1, 28, 28, new float[784], 0))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith(junk + ": not a readable PNG image");
    }

    private static org.assertj.core.data.Offset<Float> within() {
        return org.assertj.core.data.Offset.offset(1e-6f);
    }

    private static BufferedImage component(int space, boolean alpha, int type) {
        var model = new ComponentColorModel(
                ColorSpace.getInstance(space),
                alpha,
                false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
                type);
        return new BufferedImage(model, model.createCompatibleWritableRaster(W, H), false, null);
    }

    /** Writes the gray picture into every colour band (scaled to the bit depth) and opaque alpha. */
    private static BufferedImage fill(BufferedImage image, int colours, boolean alpha, int bits) {
        WritableRaster raster = image.getRaster();
        int scale = bits == 16 ? 257 : 1;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                for (int c = 0; c < colours; c++) {
                    raster.setSample(x, y, c, gray(x, y) * scale);
                }
                if (alpha) {
                    raster.setSample(x, y, colours, (1 << bits) - 1);
                }
            }
        }
        return image;
    }

    /** A palette whose indices are not the gray levels: entry i holds level (i * 5) % 16. */
    private static BufferedImage palette(int bits) {
        int size = 16;
        byte[] r = new byte[size];
        int[] indexOfLevel = new int[size];
        for (int i = 0; i < size; i++) {
            int level = (i * 5) % 16;
            r[i] = (byte) (17 * level);
            indexOfLevel[level] = i;
        }
        var model = new IndexColorModel(bits, size, r, r, r);
        BufferedImage image = bits == 8
                ? new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED, model)
                : new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, model);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                image.getRaster().setSample(x, y, 0, indexOfLevel[level(x, y)]);
            }
        }
        return image;
    }

    /** 4-bit gray: a palette that is the gray ramp, which the PNG writer stores as colour type 0. */
    private static BufferedImage grayRamp4() {
        byte[] ramp = new byte[16];
        for (int i = 0; i < 16; i++) {
            ramp[i] = (byte) (17 * i);
        }
        var model = new IndexColorModel(4, 16, ramp, ramp, ramp);
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, model);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                image.getRaster().setSample(x, y, 0, level(x, y));
            }
        }
        return image;
    }
}
