package dev.spikebit.quant.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import dev.spikebit.quant.deploy.ClassifierLayers.NamedLayer;
import dev.spikebit.runtime.Equivalence;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the training network and the deployed network side by side and compares them neuron by
 * neuron: the pre-spike potential of every neuron at every step (the deployed one in its own
 * units, multiplied back by {@code k = Vth / threshold}) and every firing decision.
 *
 * <p>Two float computations of the same sum differ in the last bits, so a potential that lies
 * within rounding of the threshold can fire in one network and not in the other; from then on that
 * sample's two runs legitimately diverge. This class finds, per sample, the first step and layer
 * where a decision differs, and records whether that disagreement is such a tie (every differing
 * neuron within {@link Equivalence#TIE_MARGIN} of its threshold, the one tie rule of
 * {@link Equivalence}) or a real one.
 */
final class SpikeAgreement {
    final float[] trainingLogits;
    final float[] deployedLogits;
    /** Per sample: whether some firing decision differs anywhere. */
    final boolean[] diverged;
    /** Samples whose first differing decision is not within the tie margin of the threshold. */
    final List<String> realDisagreements = new ArrayList<>();
    /** Largest relative potential difference seen before any sample's first divergence. */
    double maxPotentialError;

    long neuronSteps;
    private final List<Double> firingRates = new ArrayList<>();

    SpikeAgreement(SpikingClassifier model, Graph deployed, float[] images, int batch) {
        int steps = model.timeSteps();
        List<LIFNode> neurons = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (NamedLayer l : ClassifierLayers.of(model)) {
            if (l.layer() instanceof LIFNode n) {
                neurons.add(n);
                names.add(l.name());
                n.keepPotentials(true);
            }
        }
        try (var scope = NoGrad.enter()) {
            var spec = model.spec();
            trainingLogits = model.logits(
                            Tensor.of(images.clone(), batch, spec.inChannels(), spec.inSize(), spec.inSize()))
                    .data();
        }
        List<float[]> trainingH = new ArrayList<>();
        for (LIFNode n : neurons) {
            float[] h = n.lastPotentials().data();
            trainingH.add(h);
            n.keepPotentials(false);
            float vth = n.config().vth();
            long fired = 0;
            for (float v : h) {
                fired += v >= vth ? 1 : 0;
            }
            firingRates.add((double) fired / h.length);
        }
        // Deployed potentials by neuron name and step, converted back to training units.
        Map<String, float[][]> deployedH = new HashMap<>();
        Map<String, float[]> vthOverThreshold = new HashMap<>();
        deployedLogits = ReferenceExecutor.run(deployed, images, batch, new ReferenceExecutor.Observer() {
            @Override
            public void afterLayer(int image, int index, Layer layer, int step, float[] input, float[] output) {}

            @Override
            public boolean wantsPotentials() {
                return true;
            }

            @Override
            public void potentials(int image, int index, Layer.Neuron layer, int step, float[] u) {
                float[][] byStep = deployedH.computeIfAbsent(layer.name(), k -> new float[steps][]);
                if (byStep[step] == null) {
                    byStep[step] = new float[batch * u.length];
                }
                System.arraycopy(u, 0, byStep[step], image * u.length, u.length);
                vthOverThreshold.put(layer.name(), layer.threshold());
            }
        });

        diverged = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            compareSample(b, batch, steps, neurons, names, trainingH, deployedH, vthOverThreshold);
        }
    }

    private void compareSample(
            int b,
            int batch,
            int steps,
            List<LIFNode> neurons,
            List<String> names,
            List<float[]> trainingH,
            Map<String, float[][]> deployedH,
            Map<String, float[]> thresholds) {
        // Step-major order: layer L at step t depends only on earlier layers up to t and on itself before t.
        for (int t = 0; t < steps; t++) {
            for (int l = 0; l < neurons.size(); l++) {
                float vth = neurons.get(l).config().vth();
                float[] h = trainingH.get(l);
                int per = h.length / (steps * batch);
                float[] u = deployedH.get(names.get(l))[t];
                float[] threshold = thresholds.get(names.get(l));
                int plane = per / threshold.length;
                boolean differs = false;
                StringBuilder real = new StringBuilder();
                for (int j = 0; j < per; j++) {
                    float ht = h[(t * batch + b) * per + j];
                    int c = j / plane;
                    float k = vth / threshold[c];
                    float ud = u[b * per + j];
                    double hd = (double) k * ud;
                    boolean firesT = ht >= vth;
                    boolean firesD = ud >= threshold[c];
                    neuronSteps++;
                    if (firesT != firesD) {
                        differs = true;
                        if (!Equivalence.nearThreshold(ht, vth)) {
                            real.append(
                                    String.format(" %s[%d] step %d: H = %s, deployed %s;", names.get(l), j, t, ht, hd));
                        }
                    } else {
                        double err = Math.abs(ht - hd) / Math.max(1, Math.abs(ht));
                        maxPotentialError = Math.max(maxPotentialError, err);
                    }
                }
                if (differs) {
                    diverged[b] = true;
                    if (!real.isEmpty()) {
                        realDisagreements.add("sample " + b + ":" + real);
                    }
                    return;
                }
            }
        }
    }

    /** Share of neurons and steps that fired in each neuron layer of the training network. */
    List<Double> firingRates() {
        return firingRates;
    }

    /**
     * The one rule of {@link Equivalence}, neuron by neuron: every differing firing decision is a
     * tie, at most {@link Equivalence#tiesAllowed} samples meet one, potentials agree to well within
     * the tie margin where decisions agree, and the other samples' logits to {@link Equivalence#TOLERANCE}.
     */
    void assertEquivalent(int classes) {
        assertThat(realDisagreements)
                .as("firing decisions that differ away from the threshold")
                .isEmpty();
        assertThat(divergedCount())
                .as("samples that met a tie")
                .isLessThanOrEqualTo(Equivalence.tiesAllowed(diverged.length));
        assertThat(maxPotentialError)
                .as("relative error of pre-spike potentials")
                .isLessThan(Equivalence.TIE_MARGIN);
        assertThat(relativeErrorOfAgreeingSamples(classes))
                .as("relative error of the logits")
                .isLessThanOrEqualTo(Equivalence.TOLERANCE);
    }

    int divergedCount() {
        int n = 0;
        for (boolean d : diverged) {
            n += d ? 1 : 0;
        }
        return n;
    }

    /** {@code max|a - b| / max|a|} over the logits of the samples that never diverged. */
    double relativeErrorOfAgreeingSamples(int classes) {
        double maxDiff = 0;
        double maxAbs = 0;
        for (int b = 0; b < diverged.length; b++) {
            if (diverged[b]) {
                continue;
            }
            for (int j = 0; j < classes; j++) {
                float a = trainingLogits[b * classes + j];
                maxAbs = Math.max(maxAbs, Math.abs(a));
                maxDiff = Math.max(maxDiff, Math.abs(a - deployedLogits[b * classes + j]));
            }
        }
        return maxDiff / maxAbs;
    }
}
