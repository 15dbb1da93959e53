package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.Test;

public class SpecialFunctionsTest {

    @Test
    public void shouldComputeLogGammaOfKnownValues() {
        assertThat(SpecialFunctions.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-13));
        assertThat(SpecialFunctions.logGamma(10)).isCloseTo(Math.log(362880), within(1e-12));
        assertThat(SpecialFunctions.logGamma(1)).isCloseTo(0.0, within(1e-14));
        assertThat(SpecialFunctions.logGamma(0.1)).isCloseTo(2.252712651734206, within(1e-12));
    }

    @Test
    public void shouldComputeTheIncompleteBetaOfKnownValues() {
        // I_x(1, b) = 1 - (1 - x)^b and I_x(a, 1) = x^a.
        assertThat(SpecialFunctions.regularizedBeta(0.3, 1, 4)).isCloseTo(1 - Math.pow(0.7, 4), within(1e-14));
        assertThat(SpecialFunctions.regularizedBeta(0.3, 2.5, 1)).isCloseTo(Math.pow(0.3, 2.5), within(1e-14));
        assertThat(SpecialFunctions.regularizedBeta(0.5, 7, 7)).isCloseTo(0.5, within(1e-14));
    }

    @Test
    public void shouldComputeTheUpperIncompleteGamma() {
        // Q(1, x) = e^-x; Q(0.5, x) = erfc(sqrt(x)).
        assertThat(SpecialFunctions.regularizedGammaQ(1, 2.5)).isCloseTo(Math.exp(-2.5), within(1e-14));
        assertThat(SpecialFunctions.regularizedGammaQ(0.5, 1)).isCloseTo(0.157299207050285, within(1e-13));
    }
}
