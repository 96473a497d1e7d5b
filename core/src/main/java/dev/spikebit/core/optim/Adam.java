package dev.spikebit.core.optim;

import dev.spikebit.core.nn.Parameter;
import java.util.List;

/**
 * Adam (Kingma and Ba) with bias correction. {@code decoupled = false} adds weight decay to the
 * gradient (Adam with L2); {@code decoupled = true} is AdamW (Loshchilov and Hutter), which shrinks
 * the weight directly: {@code w -= lr wd w}.
 */
public final class Adam extends Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final boolean decoupled;
    private final Slots m = new Slots();
    private final Slots v = new Slots();

    public Adam(
            List<Parameter> params,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            boolean decoupled) {
        super(params, lr, weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
    }

    /** Adam with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8) and no weight decay. */
    public static Adam adam(List<Parameter> params, float lr) {
        return new Adam(params, lr, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    /** AdamW with PyTorch's defaults (weight decay 0.01). */
    public static Adam adamW(List<Parameter> params, float lr, float weightDecay) {
        return new Adam(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, true);
    }

    @Override
    protected void update(int index, float[] w, float[] g, float decay) {
        float[] mi = m.getOrCreate(index);
        float[] vi = v.getOrCreate(index);
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        float stepSize = (float) (lr / c1);
        float invC2 = (float) (1 / Math.sqrt(c2));
        for (int i = 0; i < w.length; i++) {
            float gi = g[i];
            if (decoupled) {
                w[i] -= lr * decay * w[i];
            } else {
                gi += decay * w[i];
            }
            mi[i] = beta1 * mi[i] + (1 - beta1) * gi;
            vi[i] = beta2 * vi[i] + (1 - beta2) * gi * gi;
            w[i] -= stepSize * mi[i] / ((float) Math.sqrt(vi[i]) * invC2 + eps);
        }
    }

    @Override
    protected List<String> slots() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    protected float[] slot(String name, int index) {
        return name.equals("exp_avg") ? m.get(index) : v.get(index);
    }

    @Override
    protected float[] slotForWrite(String name, int index) {
        return name.equals("exp_avg") ? m.getOrCreate(index) : v.getOrCreate(index);
    }
}
