package dev.spikebit.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.nn.ParamRole;
import dev.spikebit.core.nn.Parameter;
import dev.spikebit.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Optimizer updates against hand-computed values of PyTorch's update rules. */
class OptimizerTest {
    private static Parameter param(ParamRole role, float... values) {
        return new Parameter("p", Tensor.of(values.clone(), values.length), role);
    }

    private static void setGrad(Parameter p, float... g) {
        System.arraycopy(g, 0, p.grad(), 0, g.length);
    }

    @Test
    void sgdWithMomentumAndDecay() {
        Parameter w = param(ParamRole.WEIGHT, 1f);
        Sgd sgd = new Sgd(List.of(w), 0.1f, 0.9f, false, 0.01f);
        setGrad(w, 0.5f);
        sgd.step();
        // g = 0.5 + 0.01 * 1 = 0.51; v = 0.51; w = 1 - 0.1 * 0.51 = 0.949
        assertThat(w.data()[0]).isCloseTo(0.949f, within(1e-6f));
        setGrad(w, 0.0f); // grad accumulates: zero it by hand here
        w.value().zeroGrad();
        setGrad(w, 0.2f);
        sgd.step();
        // g = 0.2 + 0.00949 = 0.20949; v = 0.9 * 0.51 + 0.20949 = 0.66849; w = 0.949 - 0.066849
        assertThat(w.data()[0]).isCloseTo(0.949f - 0.066849f, within(1e-6f));
    }

    @Test
    void nesterovLooksAhead() {
        Parameter w = param(ParamRole.WEIGHT, 0f);
        Sgd sgd = new Sgd(List.of(w), 1f, 0.5f, true, 0f);
        setGrad(w, 1f);
        sgd.step();
        // v = 1; update = g + mu v = 1.5
        assertThat(w.data()[0]).isCloseTo(-1.5f, within(1e-6f));
    }

    @Test
    void weightDecaySkipsNormAndBias() {
        Parameter bn = param(ParamRole.NORM, 2f);
        Parameter b = param(ParamRole.BIAS, 2f);
        Sgd sgd = new Sgd(List.of(bn, b), 0.1f, 0f, false, 0.5f);
        setGrad(bn, 0f);
        setGrad(b, 0f);
        sgd.step();
        assertThat(bn.data()[0]).isEqualTo(2f);
        assertThat(b.data()[0]).isEqualTo(2f);
    }

    @Test
    void adamFirstStepMovesByLr() {
        Parameter w = param(ParamRole.WEIGHT, 1f, -1f);
        Adam adam = Adam.adam(List.of(w), 0.01f);
        setGrad(w, 3f, -0.001f);
        adam.step();
        // bias-corrected m/sqrt(v) = sign(g) on the first step (up to eps)
        assertThat(w.data()[0]).isCloseTo(0.99f, within(1e-5f));
        assertThat(w.data()[1]).isCloseTo(-0.99f, within(1e-4f));
    }

    @Test
    void adamWDecaysDirectly() {
        Parameter w = param(ParamRole.WEIGHT, 1f);
        Adam adamw = Adam.adamW(List.of(w), 0.1f, 0.5f);
        setGrad(w, 1f);
        adamw.step();
        // w = 1 - 0.1 * 0.5 * 1 = 0.95, then the Adam step of 0.1
        assertThat(w.data()[0]).isCloseTo(0.85f, within(1e-5f));
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        Parameter a = param(ParamRole.WEIGHT, 1f, 2f);
        Parameter b = param(ParamRole.WEIGHT, 1f, 2f);
        Adam first = Adam.adam(List.of(a), 0.05f);
        Adam second = Adam.adam(List.of(b), 0.05f);
        for (int i = 0; i < 3; i++) {
            a.value().zeroGrad();
            setGrad(a, 0.3f * i, -0.2f);
            first.step();
        }
        System.arraycopy(a.data(), 0, b.data(), 0, 2);
        second.loadState(first.state(), "test");
        a.value().zeroGrad();
        b.value().zeroGrad();
        setGrad(a, 0.7f, 0.1f);
        setGrad(b, 0.7f, 0.1f);
        first.step();
        second.step();
        assertThat(b.data()).containsExactly(a.data());
        assertThat(second.steps()).isEqualTo(4);
    }

    @Test
    void cosineAndStepSchedules() {
        LrSchedule cos = new LrSchedule.Cosine(1f, 100, 0f);
        assertThat(cos.lr(0)).isEqualTo(1f);
        assertThat(cos.lr(50)).isCloseTo(0.5f, within(1e-6f));
        assertThat(cos.lr(100)).isCloseTo(0f, within(1e-6f));
        LrSchedule step = new LrSchedule.Step(1f, 10, 0.5f);
        assertThat(step.lr(9)).isEqualTo(1f);
        assertThat(step.lr(10)).isEqualTo(0.5f);
        assertThat(step.lr(25)).isEqualTo(0.25f);
    }
}
