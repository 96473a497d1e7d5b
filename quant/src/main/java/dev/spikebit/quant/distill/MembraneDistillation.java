package dev.spikebit.quant.distill;

import dev.spikebit.core.SpikebitException;
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
 * MPFD, S2NN's membrane-potential feature distillation (docs/methods.md 3). A trained teacher SNN,
 * frozen and in evaluation mode, sees the student's batch; for each paired neuron layer and each
 * step t the pre-spike potentials {@code H[t]} are flattened to {@code F} of shape {@code [B, D]},
 * and compared through their Gram matrices {@code G = F F^T}, each row of G L2-normalised:
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
    /** docs/methods.md 3: the default weight of the distillation loss. */
    public static final float DEFAULT_LAMBDA = 1000f;

    /** A student neuron layer and the teacher's layer of the same name. */
    public record Pair(String name, LIFNode student, LIFNode teacher) {}

    private final SpikingClassifier teacher;
    private final List<Pair> pairs;
    private final float lambda;

    /**
     * The teacher's side of the loss for the last batch, per pair: the shape of its potentials and
     * their row-normalised Gram matrices, one {@code B x B} per step (a few KB where the potentials
     * are tens of MB, so the teacher's potentials need not live through the student's step).
     */
    private record TeacherGrams(int[] shape, float[] grams) {}

    private final Map<String, TeacherGrams> teacherGrams = new LinkedHashMap<>();

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
            throw new SpikebitException("membrane distillation: the student ("
                    + student.spec().model()
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

    /**
     * Runs the frozen teacher on the batch (no gradient, evaluation mode) and keeps, per pair, the
     * normalised Gram matrices of its potentials (then drops the potentials themselves).
     */
    public void runTeacher(Tensor input) {
        teacher.eval();
        try (var ignored = NoGrad.enter()) {
            teacher.forward(input);
        }
        teacherGrams.clear();
        for (Pair p : pairs) {
            Tensor ht = p.teacher().lastPotentials();
            if (ht != null) {
                int steps = ht.dim(0);
                int batch = ht.dim(1);
                teacherGrams.put(
                        p.name(),
                        new TeacherGrams(ht.shape(), grams(ht.data(), steps, batch, ht.size() / (steps * batch))));
            }
            p.teacher().releasePotentials();
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
            TeacherGrams ht = teacherGrams.get(p.name());
            if (hs == null || ht == null) {
                throw new IllegalStateException("membrane distillation: run the student and the teacher on the same "
                        + "batch before asking for the loss (no potentials at " + p.name() + ")");
            }
            if (!Arrays.equals(hs.shape(), ht.shape())) {
                throw new SpikebitException("membrane distillation: " + p.name() + " has potentials of shape "
                        + Arrays.toString(hs.shape()) + " in the student but " + Arrays.toString(ht.shape())
                        + " in the teacher");
            }
            parts.add(gramLossAgainst(hs, ht.grams()));
        }
        float sum = 0;
        for (Tensor t : parts) {
            sum += t.item();
        }
        int n = parts.size();
        return Tensor.result(
                new float[] {sum / n},
                new int[0],
                g -> {
                    for (Tensor t : parts) {
                        t.grad()[0] += g[0] / n;
                    }
                },
                parts.toArray(Tensor[]::new));
    }

    /**
     * Forgets the student's potentials of the last forward once a step's loss is taken: the loss
     * holds what its backward needs, and the exposed potentials hold the graph of the whole forward,
     * which the layers would otherwise keep alive beside the next step's (and beside an evaluation).
     */
    public void releasePotentials() {
        for (Pair p : pairs) {
            p.student().releasePotentials();
        }
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
     * with gradient to {@code student}. Per step, {@code F = H[t]} as {@code [B, D]}, {@code G = F F^T}
     * and every row of {@code G} is divided by its L2 norm (docs/methods.md 3), so each entry is at most 1
     * in magnitude and the loss does not grow with the potentials' scale or with D.
     *
     * <p>Backward: with {@code E = 2 (G_s - G_t) / (B^2 T)} the gradient at the normalised Gram
     * {@code Ĝ}, row {@code i} of the raw Gram gets {@code (E_i - Ĝ_i <Ĝ_i, E_i>) / ||G_i||}, and
     * {@code G = F F^T} sends {@code (dG + dG^T) F} to {@code F}.
     */
    public static Tensor gramLoss(Tensor student, float[] teacher) {
        int steps = student.dim(0);
        int batch = student.dim(1);
        return gramLossAgainst(student, grams(teacher, steps, batch, student.size() / (steps * batch)));
    }

    /**
     * The row-normalised Gram matrices {@code F F^T} of potentials {@code [T, B, D]}, one
     * {@code B x B} per step.
     */
    private static float[] grams(float[] potentials, int steps, int batch, int features) {
        Gemm gemm = Gemms.get();
        int square = batch * batch;
        float[] grams = new float[steps * square];
        for (int t = 0; t < steps; t++) {
            int rows = t * batch * features;
            gemm.sgemm(
                    false,
                    true,
                    batch,
                    batch,
                    features,
                    1f,
                    potentials,
                    rows,
                    features,
                    potentials,
                    rows,
                    features,
                    0f,
                    grams,
                    t * square,
                    batch);
            normalizeRows(grams, t * square, batch, null, 0);
        }
        return grams;
    }

    /** {@link #gramLoss} against the teacher's normalised Gram matrices ({@link #grams}). */
    private static Tensor gramLossAgainst(Tensor student, float[] teacherGrams) {
        int steps = student.dim(0);
        int batch = student.dim(1);
        int features = student.size() / (steps * batch);
        float[] fs = student.data();
        Gemm gemm = Gemms.get();
        int square = batch * batch;
        float[] gramS = new float[steps * square]; // normalised student Gram, kept for the backward
        float[] rowNorms = new float[steps * batch];
        float[] diff = new float[steps * square];
        double total = 0;
        for (int t = 0; t < steps; t++) {
            int rows = t * batch * features;
            int at = t * square;
            gemm.sgemm(
                    false, true, batch, batch, features, 1f, fs, rows, features, fs, rows, features, 0f, gramS, at,
                    batch);
            normalizeRows(gramS, at, batch, rowNorms, t * batch);
            double sq = 0;
            for (int i = 0; i < square; i++) {
                float d = gramS[at + i] - teacherGrams[at + i];
                diff[at + i] = d;
                sq += (double) d * d;
            }
            total += sq / square;
        }
        float value = (float) (total / steps);
        return Tensor.result(
                new float[] {value},
                new int[0],
                g -> {
                    float scale = g[0] * 2f / ((float) square * steps);
                    float[] gx = student.grad();
                    float[] dGram = new float[square];
                    float[] symmetric = new float[square];
                    for (int t = 0; t < steps; t++) {
                        int at = t * square;
                        for (int i = 0; i < batch; i++) {
                            float norm = rowNorms[t * batch + i];
                            int row = at + i * batch;
                            if (norm == 0) {
                                Arrays.fill(dGram, i * batch, (i + 1) * batch, 0f);
                                continue;
                            }
                            double dot = 0;
                            for (int j = 0; j < batch; j++) {
                                dot += (double) gramS[row + j] * diff[row + j];
                            }
                            float inv = 1f / norm;
                            for (int j = 0; j < batch; j++) {
                                dGram[i * batch + j] = scale * (diff[row + j] - gramS[row + j] * (float) dot) * inv;
                            }
                        }
                        for (int i = 0; i < batch; i++) {
                            for (int j = 0; j < batch; j++) {
                                symmetric[i * batch + j] = dGram[i * batch + j] + dGram[j * batch + i];
                            }
                        }
                        int rows = t * batch * features;
                        gemm.sgemm(
                                false, false, batch, features, batch, 1f, symmetric, 0, batch, fs, rows, features, 1f,
                                gx, rows, features);
                    }
                },
                student);
    }

    /**
     * Divides each of the {@code n} rows of the {@code n x n} matrix at {@code offset} by its L2 norm
     * (in double; a zero row stays zero), optionally recording the norms.
     */
    private static void normalizeRows(float[] m, int offset, int n, float[] norms, int normsAt) {
        for (int i = 0; i < n; i++) {
            int o = offset + i * n;
            double norm = norm(m, o, n);
            if (norms != null) {
                norms[normsAt + i] = (float) norm;
            }
            if (norm == 0) {
                continue;
            }
            float inv = (float) (1 / norm);
            for (int j = 0; j < n; j++) {
                m[o + j] *= inv;
            }
        }
    }

    private static double norm(float[] f, int offset, int length) {
        double s = 0;
        for (int j = 0; j < length; j++) {
            s += (double) f[offset + j] * f[offset + j];
        }
        return Math.sqrt(s);
    }
}
