package dev.spikebit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.runtime.Model;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The zoo's residual networks through the command line: {@code spikebit deploy} writes a
 * {@code deployed-2} file with {@code add} nodes, the runtime loads it and gives the training
 * network's logits (relative error 1e-5), and {@code spikebit infer} runs it on PNG images. The
 * networks are untrained ReverB networks (real-valued spikes, binary weights) on 8x8 RGB images,
 * T = 2, whose batch norms took their statistics from a few training-mode passes over random
 * images, so the neurons fire; the images are PNGs so that the file round trip is exact.
 */
class ResidualDeployInferTest {
    private static final int IMAGES = 4;
    private static final int SIZE = 8;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"resnet20", "ms-resnet18"})
    void residualNetworkDeploysAndRunsInTheRuntime(String name) throws IOException {
        ModelSpec d = ModelZoo.defaultSpec(name);
        ModelSpec spec = new ModelSpec(
                        d.model(),
                        2,
                        d.inChannels(),
                        SIZE,
                        d.numClasses(),
                        SpikeKind.REAL,
                        WeightKind.BINARY,
                        false,
                        d.surrogate(),
                        d.tau(),
                        d.vth(),
                        d.detachReset())
                .withWeights(WeightKind.BINARY);
        SpikingClassifier network = Models.build(spec, 3);
        var rng = new SplittableRandom(11);
        network.train(true);
        try (var scope = NoGrad.enter()) {
            for (int i = 0; i < 4; i++) {
                network.forward(Tensor.of(pixels(rng, 8 * 3 * SIZE * SIZE), 8, 3, SIZE, SIZE));
            }
        }
        network.eval();
        Path checkpoint = dir.resolve("ckpt.safetensors");
        Checkpoint.save(checkpoint, spec, network, null, Map.of());

        Path deployed = dir.resolve("deployed.safetensors");
        assertThat(Main.run(
                        "deploy", "--checkpoint", checkpoint.toString(), "--out", deployed.toString(), "--check", "0"))
                .isZero();
        // The check runs on the checkpoint's own kind of images; no dataset has 8x8 RGB images.
        var err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            assertThat(Main.run(
                            "deploy",
                            "--checkpoint",
                            checkpoint.toString(),
                            "--out",
                            deployed.toString(),
                            "--check",
                            "4"))
                    .isEqualTo(1);
        } finally {
            System.setErr(stderr);
        }
        assertThat(err.toString()).contains("3x8x8 images of", "pass --dataset NAME for the check, or --check 0");
        Model model = Model.load(deployed);
        assertThat(model.layers()).anySatisfy(l -> assertThat(l.kind()).isEqualTo("add"));

        // PNG pixels are b / 255, so the images the runtime reads from the files are these exactly.
        float[] images = pixels(rng, IMAGES * 3 * SIZE * SIZE);
        Path pngs = Files.createDirectory(dir.resolve("png"));
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    int base = i * 3 * SIZE * SIZE + y * SIZE + x;
                    int r = Math.round(images[base] * 255f);
                    int g = Math.round(images[base + SIZE * SIZE] * 255f);
                    int b = Math.round(images[base + 2 * SIZE * SIZE] * 255f);
                    image.setRGB(x, y, r << 16 | g << 8 | b);
                }
            }
            ImageIO.write(image, "png", pngs.resolve("image" + i + ".png").toFile());
        }
        float[] expected;
        try (var scope = NoGrad.enter()) {
            expected = network.logits(Tensor.of(images.clone(), IMAGES, 3, SIZE, SIZE))
                    .data();
        }
        float[] actual = model.logits(images, IMAGES);
        assertThat(RuntimeFixtures.relativeError(expected, actual))
                .as("runtime against training eval")
                .isLessThanOrEqualTo(1e-5);
        assertThat(maxAbs(expected)).as("the network is not silent").isGreaterThan(1e-3f);

        var out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            assertThat(Main.run("infer", "--model", deployed.toString(), "--input", pngs.toString()))
                    .isZero();
        } finally {
            System.setOut(stdout);
        }
        int[] predicted = model.predict(images, IMAGES);
        for (int i = 0; i < IMAGES; i++) {
            assertThat(out.toString()).contains("image" + i + ".png: class " + predicted[i]);
        }
        assertThat(out.toString()).contains("add", "total");
    }

    /** Random pixels on the 1/255 grid of an 8-bit image. */
    private static float[] pixels(SplittableRandom rng, int count) {
        float[] x = new float[count];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(256) / 255f;
        }
        return x;
    }

    private static float maxAbs(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
