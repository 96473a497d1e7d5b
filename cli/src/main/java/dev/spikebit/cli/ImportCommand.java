package dev.spikebit.cli;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.checkpoint.Checkpoint;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.data.DatasetName;
import dev.spikebit.interop.Binarize;
import dev.spikebit.interop.nir.NirFile;
import dev.spikebit.interop.nir.NirGraph;
import dev.spikebit.interop.nir.NirNetwork;
import dev.spikebit.interop.nir.ZooImport;
import dev.spikebit.interop.npy.Npy;
import dev.spikebit.interop.pytorch.PyTorchWeights;
import dev.spikebit.interop.pytorch.StateDictLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spikebit import}: a NIR graph or a PyTorch state dict becomes a spikebit checkpoint (docs/interop.md). */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = {
            "Import a model: a NIR graph (MODEL.nir) or a PyTorch state dict (--from-pytorch).",
            "Writes DIR/imported.safetensors, a checkpoint eval, train-style fine-tuning, compress and deploy take.",
            "A NIR graph that fits no zoo model can still be run with --run INPUT.npy --output OUT.npy."
        })
public final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL.nir", description = "A NIR graph.")
    Path nir;

    @Option(
            names = "--from-pytorch",
            paramLabel = "WEIGHTS.safetensors",
            description = "A PyTorch state_dict saved with safetensors.")
    Path pytorch;

    @Option(names = "--model", description = "Zoo model the PyTorch weights are for (with --from-pytorch).")
    String model;

    @Option(
            names = "--layout",
            defaultValue = "plain",
            description = "Built-in PyTorch naming: plain, snntorch or spikingjelly. Default: ${DEFAULT-VALUE}")
    String layout;

    @Option(names = "--map", paramLabel = "MAP.json", description = "A JSON map of tensor names instead of --layout.")
    Path map;

    @Option(
            names = "--dt",
            description = "Simulation step in seconds for the graph's LIF/IF nodes, if the file records none "
                    + "(snnTorch's exporter uses 1e-4).")
    Double dt;

    @Option(
            names = "--T",
            description = "Time steps of the imported model (NIR records none). Default: the zoo entry's.")
    int timeSteps;

    @Option(
            names = "--weights",
            defaultValue = "fp",
            description = "fp, or binary: binarize the imported weights (latent = imported, alpha = mean |W|). "
                    + "Default: ${DEFAULT-VALUE}")
    String weights;

    @Option(names = "--out", description = "Output directory of the checkpoint.")
    Path out;

    @Option(
            names = "--agree-with",
            paramLabel = "PREDICTIONS.npy",
            description = "Another framework's predicted classes on the Fashion-MNIST test set: report accuracy and "
                    + "agreement of the imported model.")
    Path agreeWith;

    @Option(names = "--data-dir", description = "Where Fashion-MNIST is (with --agree-with).")
    Path dataDir;

    @Option(names = "--test-limit", defaultValue = "0", description = "First N test images (0 = all) for --agree-with.")
    int testLimit;

    @Option(
            names = "--run",
            paramLabel = "INPUT.npy",
            description = "Run the NIR graph on an input [T, B, ...] (or [B, ...], repeated over --T steps) and write "
                    + "the outputs to --output; works for graphs that fit no zoo model.")
    Path run;

    @Option(names = "--output", paramLabel = "OUT.npy", description = "Where --run writes the output [T, B, ...].")
    Path output;

    @Override
    public Integer call() throws IOException {
        if ((nir == null) == (pytorch == null)) {
            throw new SpikebitException("import takes either a NIR file or --from-pytorch WEIGHTS.safetensors");
        }
        WeightKind kind = WeightKind.of(weights, "--weights");
        if (kind != WeightKind.FP && kind != WeightKind.BINARY) {
            throw new SpikebitException("--weights must be fp or binary, got \"" + weights + "\"");
        }
        if (run != null) {
            return runGraph();
        }
        if (out == null) {
            throw new SpikebitException("import needs --out DIR");
        }
        SpikingClassifier imported;
        Map<String, String> info = new LinkedHashMap<>();
        if (nir != null) {
            NirGraph graph = NirFile.read(nir);
            ZooImport.Result r = ZooImport.toZoo(graph, dt == null ? Double.NaN : dt, timeSteps);
            r.notes().forEach(n -> System.out.println("note: " + n));
            imported = r.model();
            info.put("imported.from", nir.toString());
            info.put("imported.nir_version", graph.version());
        } else {
            if (model == null) {
                throw new SpikebitException("--from-pytorch needs --model NAME (the zoo model the weights are for)");
            }
            StateDictLayout names = map != null ? StateDictLayout.read(map) : StateDictLayout.builtIn(model, layout);
            ModelSpec base = ModelZoo.defaultSpec(model);
            if (timeSteps > 0) {
                base = new ModelSpec(
                        base.model(),
                        timeSteps,
                        base.inChannels(),
                        base.inSize(),
                        base.numClasses(),
                        base.spikes(),
                        base.weights(),
                        base.binaryEdges(),
                        base.surrogate(),
                        base.tau(),
                        base.vth(),
                        base.detachReset());
            }
            imported = PyTorchWeights.read(pytorch, names, base);
            info.put("imported.from", pytorch.toString());
            info.put("imported.layout", names.name());
        }
        if (kind == WeightKind.BINARY) {
            imported = Binarize.fromFullPrecision(imported);
        }
        Files.createDirectories(out);
        Path checkpoint = out.resolve("imported.safetensors");
        info.put("epoch", "0");
        Checkpoint.save(checkpoint, imported.spec(), imported, null, info);
        ModelSpec s = imported.spec();
        System.out.printf(
                "imported %s: %s, T = %d, tau %s, threshold %s, %s weights -> %s%n",
                nir != null ? nir : pytorch,
                s.model(),
                s.timeSteps(),
                s.tau(),
                s.vth(),
                s.weights().id(),
                checkpoint);
        if (agreeWith != null) {
            TestPredictions.of(imported, DatasetName.FASHION_MNIST, dataDir, testLimit)
                    .report(agreeWith, "other framework");
        }
        return 0;
    }

    private int runGraph() {
        if (nir == null || output == null) {
            throw new SpikebitException("--run needs a NIR file and --output OUT.npy");
        }
        NirNetwork net = NirNetwork.of(NirFile.read(nir), dt == null ? Double.NaN : dt);
        net.notes().forEach(n -> System.out.println("note: " + n));
        Npy.Array in = Npy.read(run);
        int[] sample = net.inputShape();
        int sampleSize = 1;
        for (int d : sample) {
            sampleSize *= d;
        }
        int extra = in.shape().length - sample.length;
        Tensor x;
        if (extra == 2) {
            x = Tensor.of(in.data(), in.shape());
        } else if (extra == 1) {
            int steps = timeSteps > 0 ? timeSteps : 1;
            float[] repeated = new float[steps * in.data().length];
            for (int t = 0; t < steps; t++) {
                System.arraycopy(in.data(), 0, repeated, t * in.data().length, in.data().length);
            }
            int[] shape = new int[in.shape().length + 1];
            shape[0] = steps;
            System.arraycopy(in.shape(), 0, shape, 1, in.shape().length);
            x = Tensor.of(repeated, shape);
        } else {
            throw new SpikebitException(run + ": input of shape " + java.util.Arrays.toString(in.shape())
                    + " does not fit the graph's samples " + java.util.Arrays.toString(sample)
                    + " (expected [T, B, ...] or [B, ...])");
        }
        if (in.data().length % sampleSize != 0) {
            throw new SpikebitException(run + ": input is not a whole number of samples of the graph's input shape");
        }
        Tensor y;
        try (NoGrad scope = NoGrad.enter()) {
            y = net.forward(x);
        }
        Npy.writeFloats(output, y.data(), y.shape());
        System.out.printf("ran %s on %s: output %s -> %s%n", nir, run, java.util.Arrays.toString(y.shape()), output);
        return 0;
    }
}
