package dev.spikebit.quant.distill;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.kernels.Parallel;
import dev.spikebit.core.kernels.gemm.Gemm;
import dev.spikebit.core.kernels.gemm.Gemms;
import dev.spikebit.core.models.SpikingClassifier;
import dev.spikebit.core.neuron.LIFNode;
import dev.spikebit.core.nn.Conv2d;
import dev.spikebit.core.nn.Linear;
import dev.spikebit.core.nn.Module;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MPFD, S2NN's membrane-potential feature distillation (methods.md 3). A trained teacher SNN,
 * frozen and in evaluation mode, sees the student's batch; for each paired neuron layer and each
 * step t the pre-spike potentials {@code H[t]} are flattened to {@code F} of shape {@code [B, D]},
 * each row L2-normalised, and compared through their Gram matrices {@code G = F F^T}:
 * <pre>
 *   L_MPFD = mean over pairs and t of ||G_s - G_t||_F^2 / B^2,     total loss CE + lambda * L_MPFD
 * </pre>
 * Default pairs: every neuron layer fed by a conv (a spiking conv stage) whose dotted name exists
 * in both networks with the same shape. The student's neurons expose their potentials with
 * gradient ({@link LIFNode#exposePotentials}), so the loss reaches the student's weights through
 * the potentials as well as through the spikes.
 *
 * <p>A row of zeros (a sample whose layer received no input at a step) normalises to zeros and
 * gets no gradient.
 */
public final class MembraneDistillation {
    /** methods.md 3: the default weight of the distillation loss. */
    public static final float DEFAULT_LAMBDA = 1000f;

    /** A student neuron layer and the teacher's layer of the same name. */
    public record Pair(String name, LIFNode student, LIFNode teacher) {
    }

    private final SpikingClassifier teacher;
    private final List<Pair> pairs;
    private final float lambda;

    private MembraneDistillation(SpikingClassifier teacher, List<Pair> pairs, float lambda) {
        this.teacher = teacher;
        this.pairs = pairs;
        this.lambda = lambda;
    }

    /**
     * Pairs the spiking conv stages of {@code student} and {@code teacher}, turns on potential
     * exposure in the student and potential keeping in the teacher, and puts the teacher in
     * evaluation mode.
     *
     * @throws SpikebitException if the two networks share no spiking conv stage
     */
    public static MembraneDistillation between(SpikingClassifier student, SpikingClassifier teacher, float lambda) {
        Map<String, LIFNode> studentStages = convStages(student);
        Map<String, LIFNode> teacherStages = convStages(teacher);
        List<Pair> pairs = new ArrayList<>();
        studentStages.forEach((name, s) -> {
            LIFNode t = teacherStages.get(name);
            if (t != null) {
                pairs.add(new Pair(name, s, t));
            }
        });
        if (pairs.isEmpty()) {
            throw new SpikebitException("membrane distillation: the student (" + student.spec().model()
                    + ") and the teacher (" + teacher.spec().model() + ") share no spiking conv stage; student stages "
                    + studentStages.keySet() + ", teacher stages " + teacherStages.keySet());
        }
        for (Pair p : pairs) {
            p.student().exposePotentials(true);
            p.teacher().keepPotentials(true);
        }
        teacher.eval();
        return new MembraneDistillation(teacher, List.copyOf(pairs), lambda);
    }

    /** Neuron layers fed by a conv (the last weight layer before them), by dotted name, in order. */
    public static Map<String, LIFNode> convStages(Module model) {
        Map<String, LIFNode> out = new LinkedHashMap<>();
        walk(model, "", new Module[1], out);
        return out;
    }

    private static void walk(Module m, String prefix, Module[] lastWeight, Map<String, LIFNode> out) {
        for (var e : m.children().entrySet()) {
            String name = prefix + e.getKey();
            Module child = e.getValue();
            if (child instanceof Conv2d || child instanceof Linear) {
                lastWeight[0] = child;
            } else if (child instanceof LIFNode lif) {
                if (lastWeight[0] instanceof Conv2d) {
                    out.put(name, lif);
                }
            } else {
                walk(child, name + ".", lastWeight, out);
            }
        }
    }

    public List<Pair> pairs() {
        return pairs;
    }

    public float lambda() {
        return lambda;
    }

    /** Runs the frozen teacher on the batch (no gradient, evaluation mode) so that its potentials are kept. */
    public void runTeacher(Tensor input) {
        teacher.eval();
        try (var ignored = NoGrad.enter()) {
            teacher.forward(input);
        }
    }

    /**
     * {@code lambda * L_MPFD} for the last forwards of the student and the teacher on the same
     * batch (call {@link #runTeacher} and the student's forward first).
     */
    public Tensor weightedLoss() {
        Tensor loss = loss();
        float l = lambda;
        return Tensor.result(new float[] {l * loss.item()}, new int[0], g -> loss.grad()[0] += l * g[0], loss);
    }

    /** {@code L_MPFD}, unweighted, with gradient to the student's potentials. */
    public Tensor loss() {
        List<Tensor> parts = new ArrayList<>();
        for (Pair p : pairs) {
            Tensor hs = p.student().exposedPotentials();
            Tensor ht = p.teacher().lastPotentials();
            if (hs == null || ht == null) {
                throw new IllegalStateException("membrane distillation: run the student and the teacher on the same "
                        + "batch before asking for the loss (no potentials at " + p.name() + ")");
            }
            if (!Arrays.equals(hs.shape(), ht.shape())) {
                throw new SpikebitException("membrane distillation: " + p.name() + " has potentials of shape "
                        + Arrays.toString(hs.shape()) + " in the student but " + Arrays.toString(ht.shape())
                        + " in the teacher");
            }
            parts.add(gramLoss(hs, ht.data()));
        }
        float sum = 0;
        for (Tensor t : parts) {
            sum += t.item();
        }
        int n = parts.size();
        return Tensor.result(new float[] {sum / n}, new int[0], g -> {
            for (Tensor t : parts) {
                t.grad()[0] += g[0] / n;
            }
        }, parts.toArray(Tensor[]::new));
    }

    /** Stops exposing and keeping potentials (the networks run as before). */
    public void detach() {
        for (Pair p : pairs) {
            p.student().exposePotentials(false);
            p.teacher().keepPotentials(false);
        }
    }

    /**
     * The mean over the T steps of {@code ||G_s - G_t||_F^2 / B^2} for potentials {@code [T, B, ...]},
     * with gradient to {@code student}. With {@code N} the row-normalised {@code F},
     * {@code E = 2 (G_s - G_t) / (B^2 T)}, the gradient is {@code dL/dN = 2 E N} and
     * {@code dL/df_i = (dL/dn_i - n_i <n_i, dL/dn_i>) / ||f_i||}.
     */
    public static Tensor gramLoss(Tensor student, float[] teacher) {
        int steps = student.dim(0);
        int batch = student.dim(1);
        int features = student.size() / (steps * batch);
        float[] ns = normalizedRows(student.data(), steps * batch, features);
        float[] nt = normalizedRows(teacher, steps * batch, features);
        Gemm gemm = Gemms.get();
        float[] diff = new float[steps * batch * batch];
        double total = 0;
        for (int t = 0; t < steps; t++) {
            int rows = t * batch * features;
            int at = t * batch * batch;
            float[] gt = new float[batch * batch];
            gemm.sgemm(false, true, batch, batch, features, 1f, ns, rows, features, ns, rows, features, 0f, diff, at,
                    batch);
            gemm.sgemm(false, true, batch, batch, features, 1f, nt, rows, features, nt, rows, features, 0f, gt, 0,
                    batch);
            double sq = 0;
            for (int i = 0; i < batch * batch; i++) {
                diff[at + i] -= gt[i];
                sq += (double) diff[at + i] * diff[at + i];
            }
            total += sq / ((double) batch * batch);
        }
        float value = (float) (total / steps);
        return Tensor.result(new float[] {value}, new int[0], g -> {
            float scale = g[0] * 4f / ((float) batch * batch * steps); // 2 (from the square) * 2 (G = N N^T)
            float[] gn = new float[ns.length];
            for (int t = 0; t < steps; t++) {
                int rows = t * batch * features;
                gemm.sgemm(false, false, batch, features, batch, scale, diff, t * batch * batch, batch, ns, rows,
                        features, 0f, gn, rows, features);
            }
            float[] gx = student.grad();
            float[] f = student.data();
            Parallel.range(steps * batch, 4, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int o = r * features;
                    double norm = norm(f, o, features);
                    if (norm == 0) {
                        continue;
                    }
                    double dot = 0;
                    for (int j = 0; j < features; j++) {
                        dot += (double) ns[o + j] * gn[o + j];
                    }
                    float inv = (float) (1 / norm);
                    float d = (float) dot;
                    for (int j = 0; j < features; j++) {
                        gx[o + j] += (gn[o + j] - ns[o + j] * d) * inv;
                    }
                }
            });
        }, student);
    }

    private static float[] normalizedRows(float[] f, int rows, int features) {
        float[] n = new float[rows * features];
        Parallel.range(rows, 4, (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r * features;
                double norm = norm(f, o, features);
                if (norm == 0) {
                    continue;
                }
                float inv = (float) (1 / norm);
                for (int j = 0; j < features; j++) {
                    n[o + j] = f[o + j] * inv;
                }
            }
        });
        return n;
    }

    private static double norm(float[] f, int offset, int length) {
        double s = 0;
        for (int j = 0; j < length; j++) {
            s += (double) f[offset + j] * f[offset + j];
        }
        return Math.sqrt(s);
    }
}
