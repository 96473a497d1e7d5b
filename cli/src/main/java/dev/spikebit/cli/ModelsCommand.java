package dev.spikebit.cli;

import dev.spikebit.core.models.FlopCounter;
import dev.spikebit.core.models.ModelSpec;
import dev.spikebit.core.models.ModelZoo;
import dev.spikebit.core.models.SpikingClassifier;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code spikebit models}: the zoo with, for each model at its default input, the parameter count,
 * the dense operations of one sample at one time step ({@link FlopCounter}), the input and T, and
 * the layer list.
 */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description =
                "List the model zoo: parameters, MFLOPs and MMACs per sample and time step, default input and T, layers.")
public final class ModelsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.printf(
                "%-13s %11s %11s %10s  %-9s %3s  %s%n",
                "name", "params", "MFLOPs/step", "MMACs/step", "input", "T", "layers");
        for (ModelZoo.Entry e : ModelZoo.entries()) {
            ModelSpec spec = ModelZoo.defaultSpec(e.name());
            SpikingClassifier model = ModelZoo.build(spec, 0);
            FlopCounter.Count count = FlopCounter.perStep(model);
            String input = spec.inChannels() + "x" + spec.inSize() + "x" + spec.inSize();
            System.out.printf(
                    "%-13s %,11d %11.1f %10.1f  %-9s %3d  %s%n",
                    e.name(),
                    model.parameterCount(),
                    count.flops() / 1e6,
                    count.macs() / 1e6,
                    input,
                    spec.timeSteps(),
                    e.description());
        }
        System.out.println();
        System.out.println("FLOPs and MACs are dense, per sample and time step (spikes make the real work smaller);"
                + " see docs/models.md. Every model takes other input sizes, channels and classes that its"
                + " downsampling allows: 'spikebit train' fits it to the dataset.");
        return 0;
    }
}
