package dev.spikebit.core.neuron.surrogate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.spikebit.core.SpikebitException;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SurrogateTest {

    /**
     * Each surrogate with the smooth function it is the derivative of, written independently of the
     * production code, and the points where that function has a kink.
     */
    record Case(Surrogate surrogate, DoubleUnaryOperator primitive, double[] kinks) {
        @Override
        public String toString() {
            return surrogate.spec();
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                atan(2), atan(5),
                sigmoid(4), sigmoid(1.5),
                triangle(1), triangle(0.3),
                rectangle(1), rectangle(0.4));
    }

    private static Case atan(double alpha) {
        return new Case(
                new ATan((float) alpha), x -> Math.atan(Math.PI / 2 * alpha * x) / Math.PI + 0.5, new double[0]);
    }

    private static Case sigmoid(double alpha) {
        return new Case(new Sigmoid((float) alpha), x -> 1 / (1 + Math.exp(-alpha * x)), new double[0]);
    }

    private static Case triangle(double gamma) {
        DoubleUnaryOperator primitive = x -> {
            if (x <= -gamma) {
                return 0;
            } else if (x <= 0) {
                return (x + gamma) * (x + gamma) / (2 * gamma * gamma);
            } else if (x <= gamma) {
                return 1 - (gamma - x) * (gamma - x) / (2 * gamma * gamma);
            }
            return 1;
        };
        return new Case(new Triangle((float) gamma), primitive, new double[] {-gamma, 0, gamma});
    }

    private static Case rectangle(double width) {
        return new Case(new Rectangle((float) width), x -> Math.min(1, Math.max(0, x / width + 0.5)), new double[] {
            -width / 2, width / 2
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void derivativeIsTheSlopeOfItsPrimitive(Case c) {
        double step = 1e-4;
        int checked = 0;
        for (double x = -3; x <= 3; x += 0.0137) {
            if (nearAKink(x, c.kinks(), 10 * step)) {
                continue;
            }
            double slope =
                    (c.primitive().applyAsDouble(x + step) - c.primitive().applyAsDouble(x - step)) / (2 * step);
            assertThat((double) c.surrogate().derivative((float) x))
                    .as("s'(%s)", x)
                    .isCloseTo(slope, within(2e-5));
            checked++;
        }
        assertThat(checked).isGreaterThan(400);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void primitiveGoesFromZeroToOne(Case c) {
        // a surrogate of the unit step integrates to 1: its primitive rises from 0 to 1
        assertThat(c.primitive().applyAsDouble(-1e4)).isCloseTo(0, within(1e-3));
        assertThat(c.primitive().applyAsDouble(1e4)).isCloseTo(1, within(1e-3));
    }

    static Stream<Arguments> casesAndSpecies() {
        return cases().flatMap(
                        c -> Stream.of(FloatVector.SPECIES_128, FloatVector.SPECIES_256, FloatVector.SPECIES_PREFERRED)
                                .map(species -> Arguments.of(c, species)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndSpecies")
    void vectorDerivativeAgreesWithScalar(Case c, VectorSpecies<Float> species) {
        int lanes = species.length();
        float[] x = new float[lanes * 200];
        for (int i = 0; i < x.length; i++) {
            x[i] = -4f + 8f * i / x.length;
        }
        x[3] = 0f;
        x[5] = 0.5f; // the rectangle's default window edge, excluded
        x[7] = -0.5f;
        float[] vectorized = new float[x.length];
        for (int i = 0; i < x.length; i += lanes) {
            c.surrogate().derivative(FloatVector.fromArray(species, x, i)).intoArray(vectorized, i);
        }
        for (int i = 0; i < x.length; i++) {
            float scalar = c.surrogate().derivative(x[i]);
            assertThat(vectorized[i]).as("s'(%s)", x[i]).isCloseTo(scalar, within(1e-6f * Math.max(1f, scalar)));
        }
    }

    @Test
    void defaultsPeakAtOneAtTheThreshold() {
        for (Surrogate s : List.of(new ATan(), new Sigmoid(), new Triangle(), new Rectangle())) {
            assertThat(s.derivative(0f)).as(s.spec()).isEqualTo(1f);
        }
        assertThat(Surrogate.defaultSurrogate()).isEqualTo(new ATan(2f));
    }

    @Test
    void rectangleWindowIsOpenAtHalfItsWidth() {
        var rectangle = new Rectangle();
        assertThat(rectangle.derivative(0.49f)).isEqualTo(1f);
        assertThat(rectangle.derivative(-0.49f)).isEqualTo(1f);
        assertThat(rectangle.derivative(0.5f)).isZero();
        assertThat(rectangle.derivative(-0.5f)).isZero();
        assertThat(new Rectangle(0.25f).derivative(0.1f)).isEqualTo(4f);
    }

    @Test
    void triangleVanishesOutsideItsBase() {
        var triangle = new Triangle(0.5f);
        assertThat(triangle.derivative(0f)).isEqualTo(2f);
        assertThat(triangle.derivative(0.25f)).isEqualTo(1f);
        assertThat(triangle.derivative(0.5f)).isZero();
        assertThat(triangle.derivative(-0.7f)).isZero();
    }

    @Test
    void parsesNamesWithAndWithoutParameters() {
        assertThat(Surrogate.parse("atan")).isEqualTo(new ATan(2f));
        assertThat(Surrogate.parse("atan:3")).isEqualTo(new ATan(3f));
        assertThat(Surrogate.parse(" ATan : 2.5 ")).isEqualTo(new ATan(2.5f));
        assertThat(Surrogate.parse("sigmoid")).isEqualTo(new Sigmoid(4f));
        assertThat(Surrogate.parse("sigmoid:4")).isEqualTo(new Sigmoid(4f));
        assertThat(Surrogate.parse("triangle")).isEqualTo(new Triangle(1f));
        assertThat(Surrogate.parse("triangle:0.5")).isEqualTo(new Triangle(0.5f));
        assertThat(Surrogate.parse("rectangle")).isEqualTo(new Rectangle(1f));
        assertThat(Surrogate.parse("Rectangle:2")).isEqualTo(new Rectangle(2f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void specReadsBack(Case c) {
        assertThat(Surrogate.parse(c.surrogate().spec())).isEqualTo(c.surrogate());
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> Surrogate.parse("relu"))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("'relu'")
                .hasMessageContaining("atan")
                .hasMessageContaining("sigmoid")
                .hasMessageContaining("triangle")
                .hasMessageContaining("rectangle");
        assertThatThrownBy(() -> Surrogate.parse(" "))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("atan");
    }

    @Test
    void badParametersAreNamed() {
        assertThatThrownBy(() -> Surrogate.parse("atan:two"))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("'two' is not a number");
        assertThatThrownBy(() -> Surrogate.parse("sigmoid:"))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("is not a number");
        assertThatThrownBy(() -> Surrogate.parse("triangle:-1"))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("gamma must be a finite number > 0, got -1.0");
        assertThatThrownBy(() -> new Rectangle(Float.NaN))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new ATan(Float.POSITIVE_INFINITY))
                .isInstanceOf(SpikebitException.class)
                .hasMessageContaining("alpha");
    }

    private static boolean nearAKink(double x, double[] kinks, double distance) {
        for (double kink : kinks) {
            if (Math.abs(x - kink) < distance) {
                return true;
            }
        }
        return false;
    }
}
