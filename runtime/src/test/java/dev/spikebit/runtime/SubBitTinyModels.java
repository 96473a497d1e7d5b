package dev.spikebit.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small {@code deployed-2} files with sub-bit convolutions, written byte by byte with
 * {@link TinyModels} and a code packer of its own (docs/s2nn.md 6: code {@code i} of width
 * {@code w} at stream bits {@code i*w ..}, least significant bit first, stream bit {@code b} in bit
 * {@code b % 8} of byte {@code b / 8}), independent of the quant module's writer. Each sub-bit node
 * can also be written as the {@code sign_conv} of its written-out signs, for a {@code deployed-1}
 * twin of the same network.
 */
final class SubBitTinyModels {
    /** The codes of one sub-bit node, as intended (the test compares what the reader decodes). */
    record Codes(int eta, int[] codebook, int[] indices, boolean[] negate) {
        /** Whether weight {@code j = 9 c + k} of output {@code o} is +1. */
        boolean positive(int o, int j, int in) {
            int pattern = codebook[indices[o * in + j / 9]];
            return ((pattern >>> (j % 9) & 1) != 0) != negate[o];
        }
    }

    /** A network as written, and the codes of its sub-bit nodes by name. */
    record Network(TinyModels.Spec spec, Map<String, Codes> codes) {}

    private SubBitTinyModels() {}

    /**
     * normalize, conv 2->6 (stride 1, bias), affine, repeat, neuron (real or binary), codeword_conv
     * "w4" 6->11 (stride 2, eta 3), real neuron with bias and scale, codeword_conv "w6" 11->7
     * (stride 1, eta 2), real neuron, sign_conv 7->6 (no padding), binary neuron, global avg_pool,
     * flatten, linear 6->5, mean_over_time; input [2, 9, 9].
     *
     * @param asSignConv write the two sub-bit nodes as sign_conv (a deployed-1 file)
     */
    static Network network(long seed, boolean binarySpikes, boolean asSignConv) {
        SplittableRandom rng = new SplittableRandom(seed);
        TinyModels.Spec s = new TinyModels.Spec();
        Map<String, Codes> codes = new LinkedHashMap<>();
        s.format = asSignConv ? "deployed-1" : "deployed-2";
        s.graphFormat = s.format;
        TinyModels.node(s, "{\"kind\":\"normalize\",\"name\":\"n0\",\"channels\":2}");
        TinyModels.floats(s, "n0.mean", rng, 0.1f, 2);
        TinyModels.positive(s, "n0.std", rng, 2);
        TinyModels.node(
                s,
                "{\"kind\":\"conv\",\"name\":\"c1\",\"inChannels\":2,\"outChannels\":6,\"kernel\":3,"
                        + "\"stride\":1,\"padding\":1,\"bias\":true}");
        TinyModels.floats(s, "c1.weight", rng, 0.5f, 6, 2, 3, 3);
        TinyModels.floats(s, "c1.bias", rng, 0.1f, 6);
        TinyModels.node(s, "{\"kind\":\"affine\",\"name\":\"a2\",\"channels\":6}");
        TinyModels.positive(s, "a2.scale", rng, 6);
        TinyModels.floats(s, "a2.shift", rng, 0.3f, 6);
        TinyModels.node(s, "{\"kind\":\"repeat\",\"name\":\"repeat\"}");
        TinyModels.node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s3\",\"channels\":6,\"tau\":0.5,\"output\":\""
                        + (binarySpikes ? "binary" : "real") + "\",\"bias\":false,\"scale\":false}");
        TinyModels.thresholds(s, "s3.threshold", rng, 6, 0.5f);
        codes.put("w4", randomCodes(rng, 6, 11, 3));
        subBit(s, "w4", 6, 11, 2, 1, codes.get("w4"), asSignConv);
        TinyModels.node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s5\",\"channels\":11,\"tau\":0.25,\"output\":\"real\","
                        + "\"bias\":true,\"scale\":true}");
        TinyModels.thresholds(s, "s5.threshold", rng, 11, 1.5f);
        TinyModels.floats(s, "s5.bias", rng, 0.5f, 11);
        TinyModels.positive(s, "s5.scale", rng, 11);
        codes.put("w6", randomCodes(rng, 11, 7, 2));
        subBit(s, "w6", 11, 7, 1, 1, codes.get("w6"), asSignConv);
        TinyModels.node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s7\",\"channels\":7,\"tau\":0.5,\"output\":\"real\","
                        + "\"bias\":true,\"scale\":true}");
        TinyModels.thresholds(s, "s7.threshold", rng, 7, 0.8f);
        TinyModels.floats(s, "s7.bias", rng, 0.3f, 7);
        TinyModels.positive(s, "s7.scale", rng, 7);
        TinyModels.node(
                s,
                "{\"kind\":\"sign_conv\",\"name\":\"c8\",\"inChannels\":7,\"outChannels\":6,\"kernel\":3,"
                        + "\"stride\":1,\"padding\":0}");
        TinyModels.signs(s, "c8.signs", rng, 6, 7 * 9);
        TinyModels.node(
                s,
                "{\"kind\":\"neuron\",\"name\":\"s9\",\"channels\":6,\"tau\":0.5,\"output\":\"binary\","
                        + "\"bias\":true,\"scale\":false}");
        TinyModels.thresholds(s, "s9.threshold", rng, 6, 0.5f);
        TinyModels.floats(s, "s9.bias", rng, 0.5f, 6);
        TinyModels.node(s, "{\"kind\":\"avg_pool\",\"name\":\"p10\",\"kernel\":0,\"stride\":0}");
        TinyModels.node(s, "{\"kind\":\"flatten\",\"name\":\"f11\"}");
        TinyModels.node(s, "{\"kind\":\"linear\",\"name\":\"l12\",\"inFeatures\":6,\"outFeatures\":5,\"bias\":true}");
        TinyModels.floats(s, "l12.weight", rng, 0.5f, 5, 6);
        TinyModels.floats(s, "l12.bias", rng, 0.1f, 5);
        TinyModels.node(s, "{\"kind\":\"mean_over_time\",\"name\":\"readout\"}");
        return new Network(s, codes);
    }

    static Codes randomCodes(SplittableRandom rng, int in, int out, int eta) {
        int codewords = 1 << eta;
        int[] codebook = rng.ints(0, 512).distinct().limit(codewords).toArray();
        int[] indices = new int[out * in];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = rng.nextInt(codewords);
        }
        boolean[] negate = new boolean[out];
        for (int o = 0; o < out; o++) {
            negate[o] = rng.nextBoolean();
        }
        return new Codes(eta, codebook, indices, negate);
    }

    /** A codeword_conv node and its three code streams, or the equivalent sign_conv. */
    static void subBit(
            TinyModels.Spec s, String name, int in, int out, int stride, int padding, Codes codes, boolean asSignConv) {
        if (asSignConv) {
            TinyModels.node(
                    s,
                    "{\"kind\":\"sign_conv\",\"name\":\"" + name + "\",\"inChannels\":" + in + ",\"outChannels\":" + out
                            + ",\"kernel\":3,\"stride\":" + stride + ",\"padding\":" + padding + "}");
            int length = in * 9;
            int rowBytes = (length + 7) / 8;
            byte[] bits = new byte[out * rowBytes];
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < length; j++) {
                    if (codes.positive(o, j, in)) {
                        bits[o * rowBytes + j / 8] |= (byte) (1 << (j % 8));
                    }
                }
            }
            s.tensors.put(
                    name + ".signs", new TinyModels.Tensor(name + ".signs", "U8", new long[] {out, rowBytes}, bits));
            return;
        }
        TinyModels.node(
                s,
                "{\"kind\":\"codeword_conv\",\"name\":\"" + name + "\",\"inChannels\":" + in
                        + ",\"outChannels\":" + out + ",\"kernel\":3,\"stride\":" + stride + ",\"padding\":" + padding
                        + ",\"eta\":" + codes.eta() + "}");
        int[] negate = new int[out];
        for (int o = 0; o < out; o++) {
            negate[o] = codes.negate()[o] ? 1 : 0;
        }
        putCodes(s, name + ".codebook", pack(codes.codebook(), 9));
        putCodes(s, name + ".indices", pack(codes.indices(), codes.eta()));
        putCodes(s, name + ".negate", pack(negate, 1));
    }

    static void putCodes(TinyModels.Spec s, String name, byte[] bytes) {
        s.tensors.put(name, new TinyModels.Tensor(name, "U8", new long[] {bytes.length}, bytes));
    }

    /** Codes of {@code width} bits back to back, least significant bit first; padding bits 0. */
    static byte[] pack(int[] values, int width) {
        byte[] bytes = new byte[(values.length * width + 7) / 8];
        int bit = 0;
        for (int v : values) {
            for (int b = 0; b < width; b++, bit++) {
                if ((v >>> b & 1) != 0) {
                    bytes[bit / 8] |= (byte) (1 << (bit % 8));
                }
            }
        }
        return bytes;
    }

    /** The bytes of tensor {@code name} (to change them in place). */
    static byte[] bytesOf(TinyModels.Spec s, String name) {
        return s.tensors.get(name).bytes();
    }
}
