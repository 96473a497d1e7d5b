package dev.spikebit.core.optim;

import dev.spikebit.core.nn.Parameter;
import java.util.List;

/**
 * Stochastic gradient descent with momentum, optional Nesterov momentum and L2 weight decay, with
 * PyTorch's update rule: {@code g += wd w; v = mu v + g; w -= lr (nesterov ? g + mu v : v)}.
 */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final Slots velocity = new Slots();

    public Sgd(List<Parameter> params, float lr, float momentum, boolean nesterov, float weightDecay) {
        super(params, lr, weightDecay);
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    protected void update(int index, float[] w, float[] g, float decay) {
        if (momentum == 0f) {
            for (int i = 0; i < w.length; i++) {
                w[i] -= lr * (g[i] + decay * w[i]);
            }
            return;
        }
        float[] v = velocity.getOrCreate(index);
        boolean first = steps == 1;
        for (int i = 0; i < w.length; i++) {
            float gi = g[i] + decay * w[i];
            v[i] = first ? gi : momentum * v[i] + gi;
            w[i] -= lr * (nesterov ? gi + momentum * v[i] : v[i]);
        }
    }

    @Override
    protected List<String> slots() {
        return List.of("momentum");
    }

    @Override
    protected float[] slot(String name, int index) {
        return velocity.get(index);
    }

    @Override
    protected float[] slotForWrite(String name, int index) {
        return velocity.getOrCreate(index);
    }
}
