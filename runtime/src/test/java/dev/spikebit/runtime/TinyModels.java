package dev.spikebit.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes small deployed-1 files byte by byte, independently of the quant module's writer: an
 * 8-byte little-endian header length, the JSON header padded with spaces to a multiple of 8, the
 * tensors back to back. Tests change the graph or the tensors to make malformed files.
 */
final class TinyModels {
    /** A tensor to write: F32 values or U8 bytes. */
    record Tensor(String name, String dtype, long[] shape, byte[] bytes) {}

    /** A model as written: the graph JSON, its tensors, and its parameters for the reference executor. */
    static final class Spec {
        final List<String> nodes = new ArrayList<>();
        final Map<String, Tensor> tensors = new LinkedHashMap<>();
        final Map<String, float[]> floats = new LinkedHashMap<>();
        final Map<String, byte[]> signs = new LinkedHashMap<>();
        String format = "deployed-1";
        String graphFormat = "deployed-1";
        String inputShape = "[2,9,9]";
        int timeSteps = 3;
        int numClasses = 5;

        String graph() {
            return "{\"format\":\"" + graphFormat + "\",\"model\":\"tiny\",\"timeSteps\":" + timeSteps
                    + ",\"inputShape\":" + inputShape + ",\"numClasses\":" + numClasses + ",\"nodes\":["
                    + String.join(",", nodes) + "]}";
        }
    }

    private TinyModels() {}

    /**
     * A network that uses every node kind: normalize, conv (stride 1, bias), affine, repeat,
     * neuron (real, no bias), max_pool 3/2... sign_conv stride 2, binary neuron, avg_pool, sign_conv,
     * real neuron with bias and scale, global avg_pool, flatten, sign_linear, neuron, linear.
     */
    static Spec everyKind(long seed, boolean binarySpikes) {
        SplittableRandom rng = new SplittableRandom(seed);
        Spec s = new Spec();
        node(s, "{\"kind\":\"normalize\",\"name\":\"n0\",\"channels\":2}");
        floats(s, "n0.mean", rng, 0.1f, 2);
        positive(s, "n0.std", rng, 2);
        node(
                s,
                "{\"kind\":\"conv\",\"name\":\"c1\",\"inChannels\":2,\"outChannels\":6,\"kernel\":3,\"stride\":1,"
                        + "\"padding\":1,\"bias\":true}");
        floats(s, "c1.weight", rng, 0.5f, 6, 2, 3, 3);
        floats(s, "c1.bias", rng, 0.1f, 6);
        node(s, "{\"kind\":\"affine\",\"name\":\"a2\",\"channels\":6}");
        positive(s, "a2.scale", rng, 6);
        floats(s, "a2.shift", rng, 0.3f, 6);
        node(s, "{\"kind\":\"repeat\",\"name\":\"repeat\"}");
        node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s3\",\"channels\":6,\"tau\":0.5,\"output\":\""
                        + (binarySpikes ? "binary" : "real") + "\",\"bias\":false,\"scale\":false}");
        thresholds(s, "s3.threshold", rng, 6, 0.5f);
        node(
                s,
                "{\"kind\":\"sign_conv\",\"name\":\"c4\",\"inChannels\":6,\"outChannels\":11,\"kernel\":3,\"stride\":2,"
                        + "\"padding\":1}");
        signs(s, "c4.signs", rng, 11, 6 * 9);
        node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s5\",\"channels\":11,\"tau\":0.25,\"output\":\"real\",\"bias\":true,"
                        + "\"scale\":true}");
        thresholds(s, "s5.threshold", rng, 11, 1.5f);
        floats(s, "s5.bias", rng, 0.5f, 11);
        positive(s, "s5.scale", rng, 11);
        node(
                s,
                "{\"kind\":\"sign_conv\",\"name\":\"c6\",\"inChannels\":11,\"outChannels\":9,\"kernel\":1,\"stride\":1,"
                        + "\"padding\":0}");
        signs(s, "c6.signs", rng, 9, 11);
        node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s7\",\"channels\":9,\"tau\":0.5,\"output\":\"real\",\"bias\":true,"
                        + "\"scale\":true}");
        thresholds(s, "s7.threshold", rng, 9, 0.8f);
        floats(s, "s7.bias", rng, 0.3f, 9);
        positive(s, "s7.scale", rng, 9);
        node(s, "{\"kind\":\"max_pool\",\"name\":\"p8\",\"kernel\":3,\"stride\":1}");
        node(s, "{\"kind\":\"avg_pool\",\"name\":\"p9\",\"kernel\":0,\"stride\":0}");
        node(s, "{\"kind\":\"flatten\",\"name\":\"f10\"}");
        node(s, "{\"kind\":\"sign_linear\",\"name\":\"l11\",\"inFeatures\":9,\"outFeatures\":13}");
        signs(s, "l11.signs", rng, 13, 9);
        node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s12\",\"channels\":13,\"tau\":1.0,\"output\":\"binary\",\"bias\":true,"
                        + "\"scale\":false}");
        thresholds(s, "s12.threshold", rng, 13, 0.5f);
        floats(s, "s12.bias", rng, 0.5f, 13);
        node(s, "{\"kind\":\"linear\",\"name\":\"l13\",\"inFeatures\":13,\"outFeatures\":5,\"bias\":true}");
        floats(s, "l13.weight", rng, 0.5f, 5, 13);
        floats(s, "l13.bias", rng, 0.1f, 5);
        node(s, "{\"kind\":\"mean_over_time\",\"name\":\"readout\"}");
        return s;
    }

    /**
     * A network whose LIF layers are each followed by a 2x2, stride 2 max pooling (the runtime runs
     * each pair in one pass) on odd planes: input {@code [2, 7, 9]}, conv 2 -> 5, real neuron, pool
     * to 3x4, sign conv 5 -> 7, binary neuron, pool to 1x2, flatten, sign linear, neuron, linear.
     */
    static Spec pooledOddPlanes(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Spec s = new Spec();
        s.inputShape = "[2,7,9]";
        node(
                s,
                "{\"kind\":\"conv\",\"name\":\"c1\",\"inChannels\":2,\"outChannels\":5,\"kernel\":3,\"stride\":1,"
                        + "\"padding\":1,\"bias\":true}");
        floats(s, "c1.weight", rng, 0.5f, 5, 2, 3, 3);
        floats(s, "c1.bias", rng, 0.1f, 5);
        node(s, "{\"kind\":\"repeat\",\"name\":\"repeat\"}");
        node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s2\",\"channels\":5,\"tau\":0.5,\"output\":\"real\",\"bias\":true,"
                        + "\"scale\":true}");
        thresholds(s, "s2.threshold", rng, 5, 0.4f);
        floats(s, "s2.bias", rng, 0.2f, 5);
        positive(s, "s2.scale", rng, 5);
        node(s, "{\"kind\":\"max_pool\",\"name\":\"p3\",\"kernel\":2,\"stride\":2}");
        node(
                s,
                "{\"kind\":\"sign_conv\",\"name\":\"c4\",\"inChannels\":5,\"outChannels\":7,\"kernel\":3,\"stride\":1,"
                        + "\"padding\":1}");
        signs(s, "c4.signs", rng, 7, 5 * 9);
        node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s5\",\"channels\":7,\"tau\":0.5,\"output\":\"binary\",\"bias\":true,"
                        + "\"scale\":false}");
        thresholds(s, "s5.threshold", rng, 7, 0.5f);
        floats(s, "s5.bias", rng, 0.3f, 7);
        node(s, "{\"kind\":\"max_pool\",\"name\":\"p6\",\"kernel\":2,\"stride\":2}");
        node(s, "{\"kind\":\"flatten\",\"name\":\"f7\"}");
        node(s, "{\"kind\":\"sign_linear\",\"name\":\"l8\",\"inFeatures\":14,\"outFeatures\":9}");
        signs(s, "l8.signs", rng, 9, 14);
        node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s9\",\"channels\":9,\"tau\":0.5,\"output\":\"real\",\"bias\":true,"
                        + "\"scale\":false}");
        thresholds(s, "s9.threshold", rng, 9, 0.5f);
        floats(s, "s9.bias", rng, 0.5f, 9);
        node(s, "{\"kind\":\"linear\",\"name\":\"l10\",\"inFeatures\":9,\"outFeatures\":5,\"bias\":true}");
        floats(s, "l10.weight", rng, 0.5f, 5, 9);
        floats(s, "l10.bias", rng, 0.1f, 5);
        node(s, "{\"kind\":\"mean_over_time\",\"name\":\"readout\"}");
        return s;
    }

    static void node(Spec s, String json) {
        s.nodes.add(json);
    }

    static void floats(Spec s, String name, SplittableRandom rng, float scale, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (scale * (2 * rng.nextDouble() - 1));
        }
        putFloats(s, name, v, shape);
    }

    static void positive(Spec s, String name, SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.5 + rng.nextDouble());
        }
        putFloats(s, name, v, n);
    }

    static void thresholds(Spec s, String name, SplittableRandom rng, int n, float around) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (around * (0.5 + rng.nextDouble()));
        }
        putFloats(s, name, v, n);
    }

    static void putFloats(Spec s, String name, float[] v, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        s.tensors.put(name, new Tensor(name, "F32", shape, b.array()));
        s.floats.put(name, v);
    }

    /** Random signs, {@code rows} rows of {@code length} bits, padding bits 0. */
    static void signs(Spec s, String name, SplittableRandom rng, int rows, int length) {
        int rowBytes = (length + 7) / 8;
        byte[] bits = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < length; j++) {
                if (rng.nextBoolean()) {
                    bits[r * rowBytes + j / 8] |= (byte) (1 << (j % 8));
                }
            }
        }
        s.tensors.put(name, new Tensor(name, "U8", new long[] {rows, rowBytes}, bits));
        s.signs.put(name, bits);
    }

    /** The file's bytes: header length, header, tensors. */
    static byte[] bytes(Spec s) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"spikebit.format\":\"" + s.format
                + "\",\"spikebit.graph\":\"" + s.graph().replace("\\", "\\\\").replace("\"", "\\\"") + "\"}");
        long offset = 0;
        List<byte[]> data = new ArrayList<>();
        for (Tensor t : s.tensors.values()) {
            header.append(",\"")
                    .append(t.name())
                    .append("\":{\"dtype\":\"")
                    .append(t.dtype())
                    .append("\",\"shape\":[");
            for (int i = 0; i < t.shape().length; i++) {
                header.append(i > 0 ? "," : "").append(t.shape()[i]);
            }
            header.append("],\"data_offsets\":[")
                    .append(offset)
                    .append(",")
                    .append(offset + t.bytes().length)
                    .append("]}");
            offset += t.bytes().length;
            data.add(t.bytes());
        }
        header.append("}");
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        return assemble(header.toString().getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] assemble(byte[] header, List<byte[]> data) {
        int total = 8 + header.length + data.stream().mapToInt(d -> d.length).sum();
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        data.forEach(b::put);
        return b.array();
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code batch} random images {@code [2, 9, 9]} (the tiny models' input), values in [0, 1). */
    static float[] images(int batch, long seed) {
        return images(batch, seed, 2 * 9 * 9);
    }

    /** {@code batch} random images of {@code size} values each, in [0, 1). */
    static float[] images(int batch, long seed, int size) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        float[] x = new float[batch * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        return x;
    }

    /** {@code max |expected - actual| / max |expected|}. */
    static double relativeError(float[] expected, float[] actual) {
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            ref = Math.max(ref, Math.abs(expected[i]));
        }
        return diff / ref;
    }
}
