package dev.spikebit.runtime.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.runtime.graph.Layer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The LIF step, alone and fused with the 2x2 max pooling after it, against the definition run
 * value by value in scalar code over several time steps: odd plane sizes and channel counts,
 * binary and scaled real spikes, inputs that never fire and inputs that always fire; and the
 * fused pair on position-major input and state (channel counts that are not a multiple of the
 * vector length leave padding lanes).
 */
class NeuronKernelTest {
    private static final int STEPS = 4;

    /** One scalar step of the definition; returns what the neurons emit and updates {@code u}. */
    private static float[] stepReference(Layer.Neuron n, float[] x, float[] u, int plane) {
        float[] out = new float[u.length];
        for (int c = 0; c < n.channels(); c++) {
            for (int j = c * plane; j < (c + 1) * plane; j++) {
                float input = n.bias() == null ? x[j] : x[j] + n.bias()[c];
                float h = n.tau() * u[j] + input;
                boolean fire = h >= n.threshold()[c];
                float emitted = n.realOutput() ? (n.scale() == null ? h : n.scale()[c] * h) : 1f;
                out[j] = fire ? emitted : 0f;
                u[j] = fire ? 0f : h;
            }
        }
        return out;
    }

    private static float[] poolReference(int channels, int h, int w, float[] x) {
        int oh = h / 2;
        int ow = w / 2;
        float[] out = new float[channels * oh * ow];
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int at = (c * h + 2 * oy) * w + 2 * ox;
                    out[(c * oh + oy) * ow + ox] =
                            Math.max(Math.max(x[at], x[at + 1]), Math.max(x[at + w], x[at + w + 1]));
                }
            }
        }
        return out;
    }

    private static Layer.Neuron neuron(SplittableRandom rng, int channels, boolean real, boolean scaled, boolean bias) {
        float[] threshold = new float[channels];
        float[] biases = bias ? new float[channels] : null;
        float[] scales = scaled ? new float[channels] : null;
        for (int c = 0; c < channels; c++) {
            threshold[c] = (float) (0.3 + rng.nextDouble());
            if (bias) {
                biases[c] = (float) (rng.nextDouble() - 0.5);
            }
            if (scaled) {
                scales[c] = (float) (0.5 + rng.nextDouble());
            }
        }
        return new Layer.Neuron("lif", channels, 0.5f, real, threshold, biases, scales);
    }

    /** Input of one step: {@code 0} never fires (without bias), {@code 1} always fires, else random. */
    private static float[] input(SplittableRandom rng, int size, int kind) {
        float[] x = new float[size + Buffers.SLACK];
        for (int j = 0; j < size; j++) {
            x[j] = switch (kind) {
                case 0 -> 0f;
                case 1 -> 100f;
                default -> (float) (rng.nextDouble() * 3 - 1);
            };
        }
        return x;
    }

    @Test
    void theFusedStepAndPoolMatchTheDefinition() {
        var rng = new SplittableRandom(11);
        int[][] shapes = {{3, 7, 9}, {5, 9, 7}, {1, 1, 1}, {2, 2, 17}, {7, 28, 28}, {3, 14, 14}, {4, 3, 33}};
        for (int[] shape : shapes) {
            for (int kind = 0; kind < 3; kind++) {
                for (int variant = 0; variant < 3; variant++) {
                    int channels = shape[0];
                    int h = shape[1];
                    int w = shape[2];
                    int size = channels * h * w;
                    Layer.Neuron n = neuron(rng, channels, variant > 0, variant == 2, variant != 1 && kind != 0);
                    float[] uReference = new float[size];
                    float[] uFused = new float[size + Buffers.SLACK];
                    float[] uStep = new float[size + Buffers.SLACK];
                    float[] uPixels = new float[h * w * SignConvEvents.pitch(channels) + Buffers.SLACK];
                    int pooled = channels * (h / 2) * (w / 2);
                    float[] rows = new float[NeuronKernel.pooledScratch(h, w)];
                    Arrays.fill(rows, 77f);
                    for (int t = 0; t < STEPS; t++) {
                        float[] x = input(rng, size, kind);
                        float[] emitted = stepReference(n, x, uReference, h * w);
                        float[] expected = poolReference(channels, h, w, emitted);
                        int expectedSpikes = 0;
                        for (int j = 0; j < size; j++) {
                            expectedSpikes += emitted[j] != 0f ? 1 : 0;
                        }
                        String what = "shape %s input kind %d variant %d step %d"
                                .formatted(Arrays.toString(shape), kind, variant, t);

                        float[] out = new float[1 + pooled + Buffers.SLACK];
                        Arrays.fill(out, 99f);
                        int spikes = NeuronKernel.stepPooled(n, x, 0, uFused, h, w, out, 1, rows);
                        assertThat(Arrays.copyOfRange(out, 1, 1 + pooled))
                                .as(what)
                                .containsExactly(expected);
                        assertThat(out[0]).as(what).isEqualTo(99f);
                        assertThat(Arrays.copyOf(uFused, size)).as(what).containsExactly(uReference);

                        // Position-major input and state (a convolution's event sums), garbage in
                        // the padding lanes, which must neither fire nor reach the output.
                        int pitch = SignConvEvents.pitch(channels);
                        float[] xPixels = new float[2 + h * w * pitch + Buffers.SLACK];
                        for (int q = 0; q < h * w; q++) {
                            for (int o = 0; o < pitch; o++) {
                                xPixels[2 + q * pitch + o] = o < channels ? x[o * h * w + q] : 1000f + q;
                            }
                        }
                        float[] pixelOut = new float[1 + pooled + Buffers.SLACK];
                        Arrays.fill(pixelOut, 98f);
                        float[] pixelRows = new float[NeuronKernel.pooledPixelsScratch(h, w, pitch)];
                        Arrays.fill(pixelRows, 55f);
                        int pixelSpikes = NeuronKernel.stepPooledPixels(
                                n,
                                xPixels,
                                2,
                                pitch,
                                uPixels,
                                h,
                                w,
                                NeuronKernel.channelConstants(n, pitch),
                                pixelOut,
                                1,
                                pixelRows);
                        assertThat(Arrays.copyOfRange(pixelOut, 1, 1 + pooled))
                                .as("position-major " + what)
                                .containsExactly(expected);
                        assertThat(pixelOut[0]).as(what).isEqualTo(98f);
                        assertThat(pixelOut[1 + pooled]).as(what).isEqualTo(98f);
                        assertThat(pixelSpikes).as("position-major " + what).isEqualTo(expectedSpikes);
                        for (int q = 0; q < h * w; q++) {
                            for (int o = 0; o < channels; o++) {
                                assertThat(uPixels[q * pitch + o])
                                        .as("position-major state " + what)
                                        .isEqualTo(uReference[o * h * w + q]);
                            }
                        }

                        float[] full = new float[size + Buffers.SLACK];
                        int stepSpikes = NeuronKernel.step(n, x, 0, uStep, full, 0, h * w);
                        assertThat(Arrays.copyOf(full, size)).as(what).containsExactly(emitted);
                        assertThat(spikes).as(what).isEqualTo(stepSpikes).isEqualTo(expectedSpikes);
                        if (kind == 0) {
                            assertThat(spikes).as(what).isZero();
                        }
                        if (kind == 1) {
                            assertThat(spikes).as(what).isEqualTo(size);
                        }
                    }
                }
            }
        }
    }

    /**
     * Neurons with one value per channel (after a fully connected layer), the channels as vector
     * lanes: the definition's output, state and spike count at every step, channel counts below,
     * at and between multiples of the vector length; nothing written past the channels.
     */
    @Test
    void oneValuePerChannelMatchesTheDefinition() {
        var rng = new SplittableRandom(23);
        int[] counts = {1, 3, 7, 8, 9, 16, 17, 33, 128, 130};
        for (int channels : counts) {
            for (int kind = 0; kind < 3; kind++) {
                for (int variant = 0; variant < 3; variant++) {
                    Layer.Neuron n = neuron(rng, channels, variant > 0, variant == 2, variant != 1 && kind != 0);
                    float[] constants = NeuronKernel.channelConstants(n, SignConvEvents.pitch(channels));
                    float[] uReference = new float[channels];
                    float[] u = new float[channels + Buffers.SLACK];
                    for (int t = 0; t < STEPS; t++) {
                        float[] x = input(rng, channels, kind);
                        float[] emitted = stepReference(n, x, uReference, 1);
                        int expectedSpikes = 0;
                        for (int j = 0; j < channels; j++) {
                            expectedSpikes += emitted[j] != 0f ? 1 : 0;
                        }
                        String what =
                                "%d channels input kind %d variant %d step %d".formatted(channels, kind, variant, t);
                        float[] out = new float[2 + channels + Buffers.SLACK];
                        Arrays.fill(out, 97f);
                        int spikes = NeuronKernel.stepChannels(n, x, 0, u, constants, out, 2);
                        assertThat(Arrays.copyOfRange(out, 2, 2 + channels))
                                .as(what)
                                .containsExactly(emitted);
                        assertThat(out[1]).as(what).isEqualTo(97f);
                        assertThat(out[2 + channels]).as(what).isEqualTo(97f);
                        assertThat(Arrays.copyOf(u, channels)).as(what).containsExactly(uReference);
                        assertThat(spikes).as(what).isEqualTo(expectedSpikes);
                        if (kind == 1) {
                            assertThat(spikes).as(what).isEqualTo(channels);
                        }
                    }
                }
            }
        }
    }
}
