package dev.spikebit.cli;

import dev.spikebit.core.models.ModelZoo;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code spikebit models}: the zoo with parameter counts. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the model zoo.")
public final class ModelsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.printf("%-14s %10s  %s%n", "name", "params", "layers");
        for (ModelZoo.Entry e : ModelZoo.entries()) {
            int params = ModelZoo.build(ModelZoo.defaultSpec(e.name()), 0).parameterCount();
            System.out.printf("%-14s %10d  %s%n", e.name(), params, e.description());
        }
        return 0;
    }
}
