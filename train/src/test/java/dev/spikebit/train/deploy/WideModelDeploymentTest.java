package dev.spikebit.train.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikeKind;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.data.FashionMnistSubset;
import dev.spikebit.data.Samples;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.quant.report.ModelReport;
import dev.spikebit.runtime.Equivalence;
import dev.spikebit.train.TrainConfig;
import dev.spikebit.train.Trainer;
import dev.spikebit.train.subbit.Compression;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wide Fashion-MNIST network at one bit per weight or less, trained a few steps on real images:
 * as ReverB with binary edges (every weight +-1) and compressed to sub-bit weights, it deploys and
 * the runtime gives the training network's logits.
 */
class WideModelDeploymentTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void reverbWithBinaryEdgesAndItsSubBitFormDeployAtOneBitPerWeightOrLess(@TempDir Path dir) {
        var data = FashionMnistSubset.load(128, 32);
        ModelSpec spec = ModelZoo.defaultSpec("fmnist-vgg-w")
                .withSpikes(SpikeKind.REAL)
                .withWeights(WeightKind.BINARY)
                .withBinaryEdges(true);
        SpikingClassifier net = QuantModels.build(spec, 1);
        TrainConfig config = TrainConfig.builder(spec).epochs(1).build();
        new Trainer(config, net, data.train(), data.test(), null, dir.resolve("reverb"), QUIET).run();
        net.eval();

        Path reverbFile = dir.resolve("reverb.safetensors");
        Deployment.write(net, reverbFile);
        Equivalence.Result same = EquivalenceCheck.run(net, reverbFile, data.test(), 4);
        assertThat(same.passed()).as(same.describe()).isTrue();
        ModelReport reverb = ModelReport.measure(DeployedFormat.load(reverbFile), Samples.first(data.test(), 1));
        assertThat(reverb.bitsPerWeight()).isEqualTo(1.0);

        SpikingClassifier subBit =
                Compression.fromBinary(Checkpoint.load(dir.resolve("reverb").resolve("last.safetensors")), 4, true, 0);
        subBit.eval();
        Path subBitFile = dir.resolve("sub-bit.safetensors");
        Deployment.write(subBit, subBitFile);
        Equivalence.Result sameSubBit = EquivalenceCheck.run(subBit, subBitFile, data.test(), 4);
        assertThat(sameSubBit.passed()).as(sameSubBit.describe()).isTrue();
        ModelReport compressed = ModelReport.measure(DeployedFormat.load(subBitFile), Samples.first(data.test(), 1));
        assertThat(compressed.bitsPerWeight()).isLessThan(1.0);
    }
}
