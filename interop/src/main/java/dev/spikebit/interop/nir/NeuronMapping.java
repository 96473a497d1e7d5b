package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.kernel.NeuronConfig;

/**
 * NIR's continuous-time neurons and spikebit's discrete LIF, both ways (docs/interop.md).
 *
 * <p>NIR's LIF is {@code tau dv/dt = (v_leak - v) + r I}. One forward-Euler step of length
 * {@code dt} gives {@code v[t] = (1 - dt/tau) v[t-1] + (r dt / tau) I[t]} (with {@code v_leak = 0}),
 * which is spikebit's {@code H[t] = tau' V[t-1] + X[t]} with {@code tau' = 1 - dt/tau} when the
 * input gain {@code g = r dt / tau} is 1. For another gain the whole membrane is divided by
 * {@code g}: the dynamics are linear below the threshold and the reset goes to 0, so
 * {@code H >= vth} is {@code H/g >= vth/g} and the network computes the same spikes with
 * {@code vth' = v_threshold / g}. NIR's IF ({@code dv/dt = r I}) is the same with {@code tau' = 1}
 * and {@code g = r dt}. This is the discretisation snnTorch's NIR exporter and importer use.
 *
 * <p>Refused, with the node's name and the reason: {@code v_leak != 0} (spikebit's membrane
 * decays to 0), {@code v_reset != 0} (spikebit resets to 0), parameters that differ between the
 * neurons of one node (spikebit has one {@code tau} and one threshold per layer),
 * {@code dt > tau} (the step would make the decay negative) and a gain that is not positive.
 */
public final class NeuronMapping {
    private NeuronMapping() {}

    /** spikebit's neuron constants for one NIR neuron node, plus the gain that was divided out. */
    public record Mapped(float tau, float vth, double gain) {
        public NeuronConfig config() {
            return NeuronConfig.lif().withTau(tau).withVth(vth);
        }
    }

    /** Maps a LIF node with time step {@code dt} (seconds). */
    public static Mapped lif(String name, NirNode.Lif node, double dt) {
        requireZero(
                name, node, "v_leak", node.vLeak(), "spikebit's membrane decays towards 0, not to a leak potential");
        requireZero(name, node, "v_reset", node.vReset(), "spikebit resets the membrane to 0");
        double tau = uniform(name, node, "tau", node.tau());
        double r = uniform(name, node, "r", node.r());
        double vth = uniform(name, node, "v_threshold", node.vThreshold());
        requireStep(name, node, dt);
        if (!(tau >= dt)) {
            throw refuse(
                    name,
                    node,
                    "tau = " + tau + " s is shorter than the time step dt = " + dt
                            + " s: the Euler step would give a negative decay 1 - dt/tau");
        }
        double decay = 1.0 - dt / tau;
        double gain = r * dt / tau;
        return mapped(name, node, (float) decay, vth, gain);
    }

    /** Maps an IF node with time step {@code dt} (seconds). */
    public static Mapped integrateAndFire(String name, NirNode.IntegrateAndFire node, double dt) {
        requireZero(name, node, "v_reset", node.vReset(), "spikebit resets the membrane to 0");
        double r = uniform(name, node, "r", node.r());
        double vth = uniform(name, node, "v_threshold", node.vThreshold());
        requireStep(name, node, dt);
        return mapped(name, node, 1f, vth, r * dt);
    }

    private static Mapped mapped(String name, NirNode node, float decay, double vth, double gain) {
        if (!(gain > 0) || !Double.isFinite(gain)) {
            throw refuse(name, node, "the input gain r*dt/tau is " + gain + ", spikebit needs a positive one");
        }
        // A gain within float rounding of 1 is 1: dividing by it would only move the threshold by an ulp.
        double effectiveGain = Math.abs(gain - 1.0) <= 1e-6 ? 1.0 : gain;
        float threshold = (float) (vth / effectiveGain);
        if (!(threshold > 0) || !Float.isFinite(threshold)) {
            throw refuse(name, node, "v_threshold / gain = " + threshold + ": spikebit's threshold must be > 0");
        }
        return new Mapped(decay, threshold, effectiveGain);
    }

    /**
     * The NIR LIF node for spikebit's neuron constants, for {@code neurons} neurons of the given
     * shape: {@code tau = dt / (1 - tau')}, {@code r = tau / dt} (unit gain), no leak potential,
     * reset to 0. {@code tau' = 1} (no leak) is NIR's IF with {@code r = 1 / dt}.
     */
    public static NirNode toNir(NeuronConfig config, double dt, int[] shape) {
        float vth = config.vth();
        if (config.tau() >= 1f) {
            return new NirNode.IntegrateAndFire(
                    NirArray.filled((float) (1.0 / dt), shape),
                    NirArray.filled(vth, shape),
                    NirArray.filled(0f, shape));
        }
        double tau = dt / (1.0 - config.tau());
        return new NirNode.Lif(
                NirArray.filled((float) tau, shape),
                NirArray.filled((float) (tau / dt), shape),
                NirArray.filled(0f, shape),
                NirArray.filled(vth, shape),
                NirArray.filled(0f, shape));
    }

    private static void requireStep(String name, NirNode node, double dt) {
        if (!(dt > 0) || !Double.isFinite(dt)) {
            throw refuse(
                    name,
                    node,
                    "needs the simulation time step dt: the file records none, pass --dt SECONDS "
                            + "(snnTorch's exporter uses 1e-4)");
        }
    }

    private static void requireZero(String name, NirNode node, String field, NirArray values, String why) {
        if (!values.allZero()) {
            throw refuse(name, node, field + " is not 0: " + why);
        }
    }

    private static double uniform(String name, NirNode node, String field, NirArray values) {
        float v = values.uniformValue();
        if (Float.isNaN(v)) {
            throw refuse(
                    name,
                    node,
                    field + " differs between its " + values.size() + " neurons: spikebit has one " + field
                            + " per layer");
        }
        return v;
    }

    static SpikebitException refuse(String name, NirNode node, String reason) {
        return new SpikebitException("NIR node \"" + name + "\" (" + node.type() + "): " + reason);
    }
}
