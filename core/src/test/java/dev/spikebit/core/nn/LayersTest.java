package dev.spikebit.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.ops.Conv2dOp;
import dev.spikebit.core.tensor.NoGrad;
import dev.spikebit.core.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Layer behaviour: multi-step handling, convolution against a direct loop, batch-norm statistics. */
class LayersTest {
    private final SplittableRandom rng = new SplittableRandom(5);

    private Tensor random(int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return t;
    }

    @Test
    void convolutionMatchesDirectLoop() {
        Tensor x = random(3, 2, 7, 6);
        Tensor w = random(4, 2, 3, 3);
        for (int stride : new int[] {1, 2}) {
            for (int pad : new int[] {0, 1, 2}) {
                Tensor y = Conv2dOp.conv2d(x, w, null, stride, pad);
                int oh = (7 + 2 * pad - 3) / stride + 1;
                int ow = (6 + 2 * pad - 3) / stride + 1;
                assertThat(y.shape()).containsExactly(3, 4, oh, ow);
                for (int n = 0; n < 3; n++) {
                    for (int o = 0; o < 4; o++) {
                        for (int i = 0; i < oh; i++) {
                            for (int j = 0; j < ow; j++) {
                                double s = 0;
                                for (int c = 0; c < 2; c++) {
                                    for (int ki = 0; ki < 3; ki++) {
                                        for (int kj = 0; kj < 3; kj++) {
                                            int yy = i * stride - pad + ki;
                                            int xx = j * stride - pad + kj;
                                            if (yy >= 0 && yy < 7 && xx >= 0 && xx < 6) {
                                                s += x.data()[((n * 2 + c) * 7 + yy) * 6 + xx]
                                                        * w.data()[((o * 2 + c) * 3 + ki) * 3 + kj];
                                            }
                                        }
                                    }
                                }
                                assertThat(y.data()[((n * 4 + o) * oh + i) * ow + j])
                                        .isCloseTo((float) s, within(1e-5f));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void multiStepConvEqualsPerStepConv() {
        Conv2d conv = new Conv2d(2, 3, 3, 1, 1, true, rng);
        Tensor x = random(4, 5, 2, 6, 6);
        Tensor y = conv.forward(x);
        assertThat(y.shape()).containsExactly(4, 5, 3, 6, 6);
        int per = 5 * 3 * 36;
        for (int t = 0; t < 4; t++) {
            float[] step = new float[5 * 2 * 36];
            System.arraycopy(x.data(), t * step.length, step, 0, step.length);
            Tensor yt = conv.forward(Tensor.of(step, 5, 2, 6, 6));
            for (int i = 0; i < per; i++) {
                assertThat(y.data()[t * per + i]).isEqualTo(yt.data()[i]);
            }
        }
    }

    @Test
    void batchNormNormalisesAndTracksRunningStatistics() {
        BatchNorm bn = BatchNorm.of2d(2);
        Tensor x = random(8, 2, 3, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = x.data()[i] * 3 + 5;
        }
        Tensor y = bn.forward(x);
        for (int c = 0; c < 2; c++) {
            double sum = 0;
            double sq = 0;
            double xs = 0;
            double xsq = 0;
            for (int n = 0; n < 8; n++) {
                for (int p = 0; p < 9; p++) {
                    float v = y.data()[(n * 2 + c) * 9 + p];
                    float u = x.data()[(n * 2 + c) * 9 + p];
                    sum += v;
                    sq += v * v;
                    xs += u;
                    xsq += u * u;
                }
            }
            assertThat(sum / 72).isCloseTo(0, within(1e-5));
            assertThat(sq / 72).isCloseTo(1, within(1e-3));
            double mean = xs / 72;
            double unbiased = (xsq - 72 * mean * mean) / 71;
            assertThat(bn.runningMean()[c]).isCloseTo((float) (0.1 * mean), within(1e-4f));
            assertThat(bn.runningVar()[c]).isCloseTo((float) (0.9 + 0.1 * unbiased), within(1e-3f));
        }
        bn.eval();
        try (var scope = NoGrad.enter()) {
            Tensor e = bn.forward(x);
            float expected = (x.data()[0] - bn.runningMean()[0]) / (float) Math.sqrt(bn.runningVar()[0] + 1e-5f);
            assertThat(e.data()[0]).isCloseTo(expected, within(1e-5f));
        }
    }

    @Test
    void stateDictNamesAndLoadChecks() {
        Sequential net = new Sequential(new Conv2d(1, 2, 3, 1, 1, false, rng), BatchNorm.of2d(2));
        assertThat(net.stateDict().keySet())
                .containsExactly("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var");
        Sequential other =
                new Sequential(new Conv2d(1, 2, 3, 1, 1, false, new SplittableRandom(99)), BatchNorm.of2d(2));
        other.loadStateDict(net.stateDict(), "test");
        assertThat(other.stateDict().get("0.weight").data())
                .containsExactly(net.stateDict().get("0.weight").data());
        Sequential wrong = new Sequential(new Conv2d(1, 3, 3, 1, 1, false, rng), BatchNorm.of2d(3));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> wrong.loadStateDict(net.stateDict(), "ckpt"))
                .hasMessageContaining("ckpt")
                .hasMessageContaining("0.weight");
    }

    @Test
    void graphIsNotRecordedUnderNoGrad() {
        Linear lin = new Linear(3, 2, true, rng);
        try (var scope = NoGrad.enter()) {
            assertThat(lin.forward(random(4, 3)).requiresGrad()).isFalse();
        }
        assertThat(lin.forward(random(4, 3)).requiresGrad()).isTrue();
    }
}
