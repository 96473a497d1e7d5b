package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.data.DatasetName;
import dev.spikebit.interop.nir.NirExport;
import dev.spikebit.interop.nir.NirFile;
import dev.spikebit.interop.nir.NirGraph;
import dev.spikebit.interop.pytorch.PyTorchWeights;
import dev.spikebit.interop.pytorch.StateDictLayout;
import dev.spikebit.quant.binary.QuantModels;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spikebit export}: a checkpoint as a NIR graph or a PyTorch state dict (docs/interop.md). */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Export a checkpoint as a NIR graph (--format nir) or a PyTorch state dict in safetensors "
                + "(--format pytorch).")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint (train, import or compress).")
    Path checkpoint;

    @Option(names = "--format", required = true, description = "nir or pytorch.")
    String format;

    @Option(names = "--out", required = true, description = "The file to write.")
    Path out;

    @Option(
            names = "--dt",
            defaultValue = "1e-4",
            description = "NIR: the time step in seconds the neuron time constants are written for (recorded in the "
                    + "graph's metadata). Default: ${DEFAULT-VALUE}, snnTorch's.")
    double dt;

    @Option(
            names = "--layout",
            defaultValue = "plain",
            description = "PyTorch naming: plain, snntorch or spikingjelly. Default: ${DEFAULT-VALUE}")
    String layout;

    @Option(names = "--map", paramLabel = "MAP.json", description = "A JSON map of tensor names instead of --layout.")
    Path map;

    @Option(
            names = "--predictions",
            paramLabel = "PREDICTIONS.npy",
            description = "Also write the model's predicted classes on the Fashion-MNIST test set (uint8), for the "
                    + "other framework's comparison.")
    Path predictions;

    @Option(names = "--data-dir", description = "Where Fashion-MNIST is (with --predictions).")
    Path dataDir;

    @Override
    public Integer call() {
        Checkpoint ckpt = Checkpoint.load(checkpoint);
        SpikingClassifier model = QuantModels.fromCheckpoint(ckpt);
        switch (format) {
            case "nir" -> {
                NirGraph graph = NirExport.export(model, dt);
                NirFile.write(out, graph);
                System.out.printf(
                        "exported %s (%s, %s weights) to %s: %d NIR nodes, dt %s s%n",
                        checkpoint,
                        ckpt.spec().model(),
                        ckpt.spec().weights().id(),
                        out,
                        graph.nodes().size(),
                        dt);
            }
            case "pytorch" -> {
                StateDictLayout names = map != null
                        ? StateDictLayout.read(map)
                        : StateDictLayout.builtIn(ckpt.spec().model(), layout);
                PyTorchWeights.write(out, model, names);
                System.out.printf("exported %s as a PyTorch state dict (%s) to %s%n", checkpoint, names.name(), out);
            }
            default -> throw new SpikebitException("--format must be nir or pytorch, got \"" + format + "\"");
        }
        if (predictions != null) {
            TestPredictions p = TestPredictions.of(model, DatasetName.FASHION_MNIST, dataDir, 0);
            p.save(predictions);
            System.out.printf("spikebit test accuracy %.2f%%, predictions -> %s%n", 100 * p.accuracy(), predictions);
        }
        return 0;
    }
}
