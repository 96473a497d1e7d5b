package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.mnist.FashionMnistData;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.quant.subbit.SubBitConv2d;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedCodes;
import dev.spikebit.runtime.io.SafeTensors;
import dev.spikebit.runtime.io.SafeTensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sub-bit deployed form (docs/methods.md 3, docs/s2nn.md): exact bit layout of the packed codes,
 * equivalence with the training network on real Fashion-MNIST, the {@code deployed-2} file and
 * its size against the binary network's.
 */
class SubBitDeploymentTest {
    @TempDir
    Path dir;

    @Test
    void packedCodesLayOutBitsLeastSignificantFirstAcrossBytes() {
        var three = PackedCodes.pack(new int[] {0b101, 0b011}, 3);
        assertThat(three.bits()).containsExactly((byte) 0b0001_1101);
        var nine = PackedCodes.pack(new int[] {0x1FF, 0x001}, 9);
        assertThat(nine.bits()).containsExactly((byte) 0xFF, (byte) 0x03, (byte) 0x00);
        assertThat(nine.unpack()).containsExactly(0x1FF, 0x001);
        // The example of docs/s2nn.md section 6.
        assertThat(PackedCodes.pack(new int[] {16, 495}, 9).bits())
                .containsExactly((byte) 0x10, (byte) 0xDE, (byte) 0x03);
        var six = PackedCodes.pack(new int[] {63, 0, 42, 7, 1}, 6);
        assertThat(six.bits()).hasSize(4); // 30 bits
        assertThat(six.unpack()).containsExactly(63, 0, 42, 7, 1);
        assertThat(six.paddingClear()).isTrue();
        assertThatThrownBy(() -> PackedCodes.pack(new int[] {8}, 3)).hasMessageContaining("does not fit");
        byte[] dirty = six.bits().clone();
        dirty[3] |= (byte) 0x80;
        assertThat(new PackedCodes(5, 6, dirty).paddingClear()).isFalse();
    }

    @Test
    void deployedSubBitNetworkGivesTheTrainingNetworksLogitsAndIsSmallerThanTheBinaryOne() {
        FashionMnistData data = TrainingFixtures.fashionMnist();
        int eta = 4;
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-vgg-s").withSubBit(eta, true, 0);
        SpikingClassifier model = QuantModels.build(spec, 21);
        TrainingFixtures.train(model, data.train(), 192, 8);
        TrainingFixtures.randomizeBatchNorms(model, new SplittableRandom(4));

        Graph deployed = Reparameterizer.deploy(model);
        assertThat(deployed.layers().stream().filter(n -> n instanceof Layer.CodewordConv))
                .hasSize(3);
        int testImages = 64;
        float[] images = TrainingFixtures.images(data.test(), 0, testImages);
        var agreement = new SpikeAgreement(model, deployed, images, testImages);
        System.out.printf(
                "sub-bit eta %d: %d of %d samples met a tie; max potential error %.2e; logits relative "
                        + "error %.2e%n",
                eta,
                agreement.divergedCount(),
                testImages,
                agreement.maxPotentialError,
                agreement.relativeErrorOfAgreeingSamples(10));
        agreement.assertEquivalent(10);

        // The file: deployed-2, read back to the same network, same logits bit for bit.
        Path file = dir.resolve("subbit.safetensors");
        DeployedFormat.save(file, deployed);
        SafeTensorsFile st = SafeTensors.read(file);
        assertThat(st.metadata().get(DeployedFormat.FORMAT_KEY)).isEqualTo("deployed-2");
        Graph loaded = DeployedFormat.load(file);
        // Read back, the layers hold the same codes: the same logits, bit for bit.
        float[] few = Arrays.copyOf(images, 4 * 28 * 28);
        assertThat(ReferenceExecutor.logits(loaded, few, 4))
                .containsExactly(ReferenceExecutor.logits(deployed, few, 4));

        // Eligible layers: body.0 (16->32), body.4 (32->64), body.7 (64->64) of fmnist-vgg-s.
        SubBitConv2d conv = null;
        long subBitBytes = 0;
        long binaryBytes = 0;
        for (Layer node : loaded.layers()) {
            if (node instanceof Layer.CodewordConv c) {
                long kernels = (long) c.outChannels() * c.inChannels();
                assertThat(st.tensor(c.name() + ".indices").toBytes()).hasSize((int) ((kernels * eta + 7) / 8));
                assertThat(st.tensor(c.name() + ".codebook").toBytes()).hasSize((16 * 9 + 7) / 8);
                assertThat(st.tensor(c.name() + ".negate").toBytes()).hasSize((c.outChannels() + 7) / 8);
                subBitBytes += DeployedFormat.parameterBytes(c);
                binaryBytes += DeployedFormat.parameterBytes(c.toSignConv());
            }
        }
        double ratio = (double) subBitBytes / binaryBytes;
        System.out.printf(
                "eligible layers: %d bytes sub-bit vs %d bytes binary (ratio %.3f, eta/9 = %.3f)%n",
                subBitBytes, binaryBytes, ratio, eta / 9.0);
        assertThat(ratio).isBetween(eta / 9.0, eta / 9.0 + 0.02);

        ModelReport report = ModelReport.measure(loaded, few);
        assertThat(report.layers().stream().filter(l -> l.kind().equals("codeword_conv")))
                .allSatisfy(l -> assertThat(l.bitsPerWeight()).isEqualTo(eta / 9.0));
    }

    @Test
    void binaryNetworksAreStillWrittenAsDeployedOne() {
        var model = QuantModels.build(ModelZoo.defaultSpec("fmnist-vgg-s").withWeights(WeightKind.BINARY), 2);
        model.eval();
        Graph deployed = Reparameterizer.deploy(model);
        assertThat(DeployedFormat.formatOf(deployed)).isEqualTo("deployed-1");
        Path file = dir.resolve("binary.safetensors");
        DeployedFormat.save(file, deployed);
        assertThat(SafeTensors.read(file).metadata().get(DeployedFormat.FORMAT_KEY))
                .isEqualTo("deployed-1");
        assertThat(DeployedFormat.load(file).layers()).hasSameSizeAs(deployed.layers());
    }

    @Test
    void aSubBitFileLabelledDeployedOneIsRejected() throws Exception {
        var model = QuantModels.build(ModelZoo.defaultSpec("fmnist-vgg-s").withSubBit(5, false, 0), 3);
        model.eval();
        Path file = dir.resolve("mislabelled.safetensors");
        DeployedFormat.save(file, Reparameterizer.deploy(model));
        SafeTensorsFile st = SafeTensors.read(file);
        var metadata = new java.util.LinkedHashMap<>(st.metadata());
        metadata.put(DeployedFormat.FORMAT_KEY, "deployed-1");
        metadata.put(
                DeployedFormat.GRAPH_KEY,
                metadata.get(DeployedFormat.GRAPH_KEY)
                        .replace("\"format\":\"deployed-2\"", "\"format\":\"deployed-1\""));
        Path bad = dir.resolve("bad.safetensors");
        SafeTensors.write(bad, java.util.List.copyOf(st.tensors().values()), metadata);
        assertThatThrownBy(() -> DeployedFormat.load(bad))
                .hasMessageContaining(bad.toString())
                .hasMessageContaining("codeword_conv needs format \"deployed-2\"");
        assertThat(Files.size(file)).isPositive();
    }
}
