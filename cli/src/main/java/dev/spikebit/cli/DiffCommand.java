package dev.spikebit.cli;

import dev.spikebit.train.TensorDiff;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code spikebit diff A B}: whether two checkpoints (or any safetensors files) hold bitwise the
 * same tensors; for those that differ, how many elements and by how much. Exit status 0 when
 * identical, 1 when not, so scripts can check that a run repeated exactly.
 */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        description = "Compare the tensors of two safetensors files bit for bit (exit status 0 = identical).")
public final class DiffCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "First file.")
    Path first;

    @Parameters(index = "1", description = "Second file.")
    Path second;

    @Override
    public Integer call() {
        TensorDiff diff = TensorDiff.of(first, second);
        for (TensorDiff.Difference d : diff.differences()) {
            if (d.reason().equals("values")) {
                System.out.printf(
                        "%s: %d elements differ%s%n",
                        d.name(),
                        d.elements(),
                        Double.isNaN(d.maxAbsolute()) ? "" : String.format(", max |a-b| %.3g", d.maxAbsolute()));
            } else {
                System.out.printf("%s: %s differs%n", d.name(), d.reason());
            }
        }
        if (diff.identical()) {
            System.out.printf("identical: all %d tensors are bitwise equal%n", diff.tensors());
            return 0;
        }
        System.out.printf(
                "different: %d of %d tensors differ, max |a-b| %.3g%n",
                diff.differences().size(), diff.tensors(), diff.maxAbsolute());
        return 1;
    }
}
