package dev.spikebit.core.kernels.gemm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spikebit.core.SpikebitException;
import org.junit.jupiter.api.Test;

class GemmsTest {
    @Test
    void namesSelectTheirBackend() {
        assertThat(Gemms.of("java")).isInstanceOf(JavaGemm.class);
        assertThat(Gemms.of("naive")).isInstanceOf(NaiveGemm.class);
        assertThat(Gemms.of("blas")).isInstanceOf(BlasGemm.class);
        for (String name : new String[] {"java", "naive", "blas"}) {
            assertThat(Gemms.of(name).name()).isEqualTo(name);
        }
    }

    @Test
    void autoPicksByVectorWidth() {
        // 512-bit vectors: the Java kernel; otherwise OpenBLAS, whose linux-x86_64 natives the build carries.
        boolean wide = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        assertThat(Gemms.of("auto")).isSameAs(wide ? Gemms.of("java") : Gemms.of("blas"));
        assertThat(Gemms.get()).isSameAs(Gemms.of(System.getProperty(Gemms.PROPERTY, "auto")));
    }

    @Test
    void anUnknownNameListsTheAllowedOnes() {
        assertThatThrownBy(() -> Gemms.of("cuda"))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("'cuda'")
                .hasMessageContaining(Gemms.PROPERTY)
                .hasMessageContaining("auto, blas, java, naive");
        assertThatThrownBy(() -> Gemms.of(null)).isInstanceOf(SpikebitException.class);
    }
}
