package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Sequential;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The leaf layers of a {@link SpikingClassifier} in the order they run, with their dotted names
 * ({@code stem.1}, {@code body.4}) as in checkpoints. Nested {@link Sequential}s are walked
 * through; any other container has no flat order and is refused with its name.
 */
public final class ClassifierLayers {
    /**
     * One leaf layer.
     *
     * @param name     dotted path in the model
     * @param layer    the module
     * @param inStem   whether it belongs to the stem, which direct encoding runs once per image
     */
    public record NamedLayer(String name, Module layer, boolean inStem) {
    }

    private ClassifierLayers() {
    }

    public static List<NamedLayer> of(SpikingClassifier model) {
        List<NamedLayer> out = new ArrayList<>();
        walk("stem", model.stem(), true, out);
        walk("body", model.body(), false, out);
        return out;
    }

    private static void walk(String name, Module module, boolean inStem, List<NamedLayer> out) {
        Map<String, Module> children = module.children();
        if (module instanceof Sequential) {
            children.forEach((child, m) -> walk(name + "." + child, m, inStem, out));
        } else if (children.isEmpty()) {
            out.add(new NamedLayer(name, module, inStem));
        } else {
            throw new SpikebitException("layer " + name + " (" + module.describe() + ") is a container other than "
                    + "Sequential; its layers have no flat order to list or deploy");
        }
    }
}
