package dev.spikebit.quant.deploy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.zoo.BasicBlock;
import dev.spikebit.core.models.zoo.MsBlock;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The layers of a {@link SpikingClassifier} in the order they run, with their dotted names
 * ({@code stem.1}, {@code body.4}, {@code body.2.conv1}) as in checkpoints. Nested
 * {@link Sequential}s are walked through; a residual block ({@link BasicBlock}, {@link MsBlock})
 * is one {@link Residual} step holding its two paths; any other container has no known order and
 * is refused with its name.
 */
public final class ClassifierLayers {
    /** One step of the network: a leaf layer, or a residual block. */
    public sealed interface Step permits NamedLayer, Residual {
        /** Dotted path in the model. */
        String name();

        /** Whether it belongs to the stem, which direct encoding runs once per image. */
        boolean inStem();
    }

    /**
     * One leaf layer.
     *
     * @param name     dotted path in the model
     * @param layer    the module
     * @param inStem   whether it belongs to the stem, which direct encoding runs once per image
     */
    public record NamedLayer(String name, Module layer, boolean inStem) implements Step {}

    /**
     * A residual block {@code out = after(branch(x) + shortcut(x))}: the two paths read the same
     * input, their outputs are summed element by element, and the sum drives {@code after}.
     *
     * @param name     dotted path of the block
     * @param block    the block itself
     * @param branch   the main path's layers, in order
     * @param shortcut the projection's layers (1x1 conv, batch norm), empty for the identity
     * @param after    the neuron the sum drives (tdBN's {@link BasicBlock}), or null where the block
     *                 outputs the sum itself (the membrane shortcut of {@link MsBlock})
     * @param inStem   whether the block belongs to the stem
     */
    public record Residual(
            String name,
            Module block,
            List<NamedLayer> branch,
            List<NamedLayer> shortcut,
            NamedLayer after,
            boolean inStem)
            implements Step {
        public Residual {
            branch = List.copyOf(branch);
            shortcut = List.copyOf(shortcut);
        }

        /** The name of the sum, as the model's FLOP count and the deployed graph call it. */
        public String addName() {
            return name + ".add";
        }

        /** The block's leaves in the order the deployed graph runs them: branch, shortcut, then {@code after}. */
        public List<NamedLayer> leaves() {
            List<NamedLayer> out = new ArrayList<>(branch);
            out.addAll(shortcut);
            if (after != null) {
                out.add(after);
            }
            return out;
        }
    }

    private ClassifierLayers() {}

    /** Every leaf layer, residual blocks opened in the order of {@link Residual#leaves()}. */
    public static List<NamedLayer> of(SpikingClassifier model) {
        List<NamedLayer> out = new ArrayList<>();
        for (Step step : steps(model)) {
            switch (step) {
                case NamedLayer leaf -> out.add(leaf);
                case Residual block -> out.addAll(block.leaves());
            }
        }
        return out;
    }

    /** The network as it runs: leaf layers and residual blocks, in order. */
    public static List<Step> steps(SpikingClassifier model) {
        List<Step> out = new ArrayList<>();
        walk("stem", model.stem(), true, out);
        walk("body", model.body(), false, out);
        return out;
    }

    private static void walk(String name, Module module, boolean inStem, List<Step> out) {
        Map<String, Module> children = module.children();
        switch (module) {
            case Sequential s -> children.forEach((child, m) -> walk(name + "." + child, m, inStem, out));
            // The paths as each block's forward() composes them.
            case BasicBlock b ->
                out.add(residual(name, b, inStem, List.of("conv1", "bn1", "spike1", "conv2", "bn2"), "spike2"));
            case MsBlock m ->
                out.add(residual(name, m, inStem, List.of("spike1", "conv1", "bn1", "spike2", "conv2", "bn2"), null));
            default -> {
                if (!children.isEmpty()) {
                    throw new SpikebitException("layer " + name + " (" + module.describe() + ") is a container other "
                            + "than Sequential or a residual block; its layers have no known order to list or deploy");
                }
                out.add(new NamedLayer(name, module, inStem));
            }
        }
    }

    private static Residual residual(
            String name, Module block, boolean inStem, List<String> branchNames, String afterName) {
        List<NamedLayer> branch = new ArrayList<>();
        for (String child : branchNames) {
            branch.add(leaf(name, block, child, inStem));
        }
        Module shortcut = child(name, block, "shortcut");
        List<NamedLayer> projection = new ArrayList<>();
        shortcut.children().keySet().forEach(c -> projection.add(leaf(name + ".shortcut", shortcut, c, inStem)));
        NamedLayer after = afterName == null ? null : leaf(name, block, afterName, inStem);
        return new Residual(name, block, branch, projection, after, inStem);
    }

    private static NamedLayer leaf(String parentName, Module parent, String child, boolean inStem) {
        Module m = child(parentName, parent, child);
        String name = parentName + "." + child;
        if (!m.children().isEmpty()) {
            throw new SpikebitException("layer " + name + " (" + m.describe() + ") inside the residual block "
                    + parentName + " is a container; only single layers are expected there");
        }
        return new NamedLayer(name, m, inStem);
    }

    private static Module child(String parentName, Module parent, String child) {
        Module m = parent.children().get(child);
        if (m == null) {
            throw new SpikebitException(
                    "residual block " + parentName + " (" + parent.describe() + ") has no layer \"" + child + "\"");
        }
        return m;
    }
}
