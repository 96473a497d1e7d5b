package dev.spikebit.interop;

import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.models.WeightKind;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.binary.BinaryConv2d;
import dev.spikebit.quant.binary.BinaryLinear;
import dev.spikebit.quant.binary.QuantModels;
import dev.spikebit.quant.binary.ScaledSign;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a full-precision model into the same architecture with binary weights (methods.md 2):
 * the full-precision weights become the latent weights, every trained amplitude starts at
 * {@code mean(|W[c]|)} of them (as a freshly built binary layer's does), everything else is copied.
 * An imported model is binarized this way before {@code compress} fine-tunes it.
 */
public final class Binarize {
    private Binarize() {}

    public static SpikingClassifier fromFullPrecision(SpikingClassifier fp) {
        SpikingClassifier binary = QuantModels.build(fp.spec().withWeights(WeightKind.BINARY), 0);
        Map<String, Module.StateEntry> state = new LinkedHashMap<>(fp.stateDict());
        binary.stateDict().forEach((name, entry) -> state.putIfAbsent(name, entry));
        binary.loadStateDict(state, fp.spec().model() + " (full precision)");
        binary.visit(m -> {
            Tensor alpha = switch (m) {
                case BinaryConv2d c -> c.alpha();
                case BinaryLinear l -> l.alpha();
                default -> null;
            };
            if (alpha != null) {
                Tensor latent = m instanceof BinaryConv2d c ? c.latentWeight() : ((BinaryLinear) m).latentWeight();
                float[] initial = ScaledSign.meanAbs(latent.data(), alpha.size());
                System.arraycopy(initial, 0, alpha.data(), 0, initial.length);
            }
        });
        binary.eval();
        return binary;
    }
}
