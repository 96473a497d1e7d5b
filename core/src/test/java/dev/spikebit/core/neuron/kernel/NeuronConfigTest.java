package dev.spikebit.core.neuron.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import dev.spikebit.core.neuron.surrogate.ATan;
import dev.spikebit.core.neuron.surrogate.Triangle;
import org.junit.jupiter.api.Test;

class NeuronConfigTest {

    @Test
    void defaultsAreThoseOfMethodsSectionOne() {
        var lif = NeuronConfig.lif();
        assertThat(lif.tau()).isEqualTo(0.5f);
        assertThat(lif.vth()).isEqualTo(1f);
        assertThat(lif.detachReset()).isTrue();
        assertThat(lif.surrogate()).isEqualTo(new ATan(2f));
        assertThat(lif.output()).isEqualTo(OutputMode.BINARY);
        assertThat(NeuronConfig.reverbLif()).isEqualTo(lif.withOutput(OutputMode.REAL));
        assertThat(NeuronConfig.integrateAndFire().tau()).isEqualTo(1f);
    }

    @Test
    void withersChangeOneField() {
        var config = NeuronConfig.lif()
                .withTau(0.25f)
                .withVth(0.5f)
                .withDetachReset(false)
                .withSurrogate(new Triangle())
                .withOutput(OutputMode.REAL);
        assertThat(config).isEqualTo(new NeuronConfig(0.25f, 0.5f, false, new Triangle(), OutputMode.REAL));
    }

    @Test
    void rejectsConstantsOutOfRange() {
        assertThatThrownBy(() -> NeuronConfig.lif().withTau(1.5f))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("tau must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> NeuronConfig.lif().withTau(Float.NaN))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("tau");
        assertThatThrownBy(() -> NeuronConfig.lif().withVth(0f))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("vth must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> NeuronConfig.lif().withSurrogate(null)).isInstanceOf(NullPointerException.class);
    }
}
