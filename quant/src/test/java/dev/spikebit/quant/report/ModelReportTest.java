package dev.spikebit.quant.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.quant.deploy.DeployedFormat;
import dev.spikebit.runtime.ReferenceExecutor;
import dev.spikebit.runtime.graph.Graph;
import dev.spikebit.runtime.graph.Layer;
import dev.spikebit.runtime.graph.PackedSigns;
import dev.spikebit.runtime.graph.SignMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The accounting of docs/methods.md 4 on a network small enough to follow by hand: one 4x4 image with
 * three bright pixels and one black image, T = 2.
 *
 * <pre>
 * in      normalize (identity)
 * c1      conv 1->2, 3x3, pad 1: channel 0 copies the image, channel 1 negates it (dense: MACs)
 *         repeat
 * n1      binary LIF, tau 0.5, threshold 0.5: pixels 1.0 at (0,0) and 0.6 at (2,2) fire at both
 *         steps, 0.3 at (1,1) never (0.3, then 0.45); channel 1 never: 4 spikes of 2 x 32
 * c2      sign conv 2->1, 3x3, pad 1, all +1: the spike at (0,0) meets 2x2 weights, the one at
 *         (2,2) 3x3: 13 ACs a step. b = 2 at (1,1), 1 on the 11 other pixels of the two windows
 * n2      ReverB LIF, threshold 1.5, scale 2: (1,1) fires at both steps (emits 4), the 11 others at
 *         step 1 (0.5 + 1 = 1.5, emit 3): 13 spikes of 2 x 16
 * l1      16 -> 3, weights +-1 (row 0 all +1, row 1 all -1, row 2 +1 on the first 8 inputs):
 *         13 non-zero inputs x 3; ACs with sign weights, MACs with the same weights as floats
 *         (real-valued spikes meeting real weights)
 * n3      binary LIF, threshold 0.5: rows 0 and 2 fire at both steps (4 and 37; 4 and 1)
 * out     linear 3->2 with bias, full precision, fed binary spikes: 4 spikes x 2 = 8 ACs
 * </pre>
 * The black image adds its dense MACs and nothing else, so per inference everything but the MACs
 * is halved.
 */
class ModelReportTest {

    @ParameterizedTest(name = "l1 with {0} weights")
    @ValueSource(strings = {"sign", "float"})
    void countsMatchTheHandComputation(String l1Weights) {
        boolean sign = l1Weights.equals("sign");
        Graph model = handMadeNetwork(sign);
        float[] images = new float[2 * 16];
        images[0] = 1f; // (0,0)
        images[5] = 0.3f; // (1,1)
        images[10] = 0.6f; // (2,2)

        assertThat(ReferenceExecutor.logits(model, images, 2)).containsExactly(3.1f, 0.3f, 0.1f, -0.2f);

        ModelReport report = ModelReport.measure(model, images);
        assertThat(report.layers())
                .extracting(LayerReport::name)
                .containsExactly("in", "c1", "n1", "c2", "n2", "l1", "n3", "out");
        LayerReport c1 = layer(report, "c1");
        assertThat(c1.macs()).isEqualTo(2 * 10 * 10); // 2 outputs x (2+3+3+2)^2 windows, once per image
        assertThat(c1.acs()).isZero();
        assertThat(layer(report, "n1").firingRate()).isEqualTo(4.0 / (2 * 2 * 32));
        assertThat(layer(report, "c2").acs()).isEqualTo(2 * 13 / 2.0);
        assertThat(layer(report, "n2").firingRate()).isEqualTo(13.0 / (2 * 2 * 16));
        LayerReport l1 = layer(report, "l1");
        assertThat(sign ? l1.acs() : l1.macs()).isEqualTo(13 * 3 / 2.0);
        assertThat(sign ? l1.macs() : l1.acs()).isZero();
        assertThat(layer(report, "n3").firingRate()).isEqualTo(4.0 / (2 * 2 * 3));
        assertThat(layer(report, "out").acs()).isEqualTo(8 / 2.0);
        assertThat(layer(report, "out").macs()).isZero();

        double macs = 200 + (sign ? 0 : 19.5);
        double acs = 13 + 4 + (sign ? 19.5 : 0);
        assertThat(report.macs()).isEqualTo(macs);
        assertThat(report.acs()).isEqualTo(acs);
        assertThat(report.energyPj()).isCloseTo(4.6 * macs + 0.9 * acs, within(1e-9));

        assertThat(c1.bitsPerWeight()).isEqualTo(32);
        assertThat(layer(report, "c2").bitsPerWeight()).isEqualTo(1);
        assertThat(layer(report, "c2").bytes()).isEqualTo(3); // one row of 18 signs
        assertThat(layer(report, "n2").bytes()).isEqualTo(12); // threshold, bias, scale
        assertThat(l1.bytes()).isEqualTo(sign ? 3 * 2 : 3 * 16 * 4);
        assertThat(report.bytes())
                .isEqualTo(model.layers().stream()
                        .mapToLong(DeployedFormat::parameterBytes)
                        .sum());
        assertThat(report.table()).contains("c2", "sign_conv", "3.13%", "20.31%");

        // The papers' convention counts c1 (and in, which has no weights) at both steps: 400 MACs
        // instead of 200; n2 multiplies its 13 spikes of the bright image by its scale.
        assertThat(c1.oncePerImage()).isTrue();
        assertThat(layer(report, "c2").oncePerImage()).isFalse();
        assertThat(report.macsCountedPerStep()).isEqualTo(macs + 200);
        assertThat(report.acsCountedPerStep()).isEqualTo(acs);
        assertThat(layer(report, "n2").scaleMultiplies()).isEqualTo(13 / 2.0);
        assertThat(layer(report, "n1").scaleMultiplies()).isZero();
        assertThat(report.scaleMultiplies()).isEqualTo(6.5);
        assertThat(report.table())
                .contains("Papers' convention (the first layers counted at each of the T = 2 steps): "
                        + String.format("%.1f", macs + 200))
                .contains("Spike-scale multiplies (one per emitted ReverB spike, not in the MACs above): 6.5");
    }

    private static LayerReport layer(ModelReport report, String name) {
        return report.layers().stream()
                .filter(l -> l.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    static Graph handMadeNetwork(boolean signL1) {
        float[] c1 = new float[2 * 9];
        c1[4] = 1f; // channel 0, centre
        c1[9 + 4] = -1f; // channel 1, centre
        float[] l1 = new float[3 * 16];
        for (int j = 0; j < 16; j++) {
            l1[j] = 1f;
            l1[16 + j] = -1f;
            l1[32 + j] = j < 8 ? 1f : -1f;
        }
        List<Layer> nodes = new ArrayList<>();
        nodes.add(new Layer.Normalize("in", new float[] {0f}, new float[] {1f}));
        nodes.add(new Layer.Conv("c1", 1, 2, 3, 1, 1, c1, null));
        nodes.add(new Layer.Repeat("repeat"));
        nodes.add(new Layer.Neuron("n1", 2, 0.5f, false, new float[] {0.5f, 0.5f}, null, null));
        nodes.add(new Layer.SignConv("c2", 2, 1, 3, 1, 1, signs(filled(18, 1f), 1, 18)));
        nodes.add(new Layer.Neuron("n2", 1, 0.5f, true, new float[] {1.5f}, new float[] {0f}, new float[] {2f}));
        nodes.add(new Layer.Flatten("flat"));
        nodes.add(
                signL1 ? new Layer.SignLinear("l1", 16, 3, signs(l1, 3, 16)) : new Layer.Linear("l1", 16, 3, l1, null));
        nodes.add(new Layer.Neuron("n3", 3, 0.5f, false, filled(3, 0.5f), null, null));
        nodes.add(new Layer.Linear("out", 3, 2, new float[] {1f, 0f, 2f, 0.5f, -1f, 0f}, new float[] {0.1f, -0.2f}));
        nodes.add(new Layer.MeanOverTime("readout"));
        return Graph.of("hand-made", 2, new int[] {1, 4, 4}, 2, nodes);
    }

    private static SignMatrix signs(float[] weights, int rows, int rowLength) {
        return SignMatrix.ofRows(
                rows,
                rowLength,
                PackedSigns.pack(weights, rows, rowLength, null).bits());
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }
}
