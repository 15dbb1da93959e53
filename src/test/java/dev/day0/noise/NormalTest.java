package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.Test;

public class NormalTest {

    @Test
    public void shouldMatchTableQuantiles() {
        assertThat(Normal.quantile(0.975)).isCloseTo(1.959963985, within(1e-9));
        assertThat(Normal.quantile(0.8)).isCloseTo(0.841621234, within(1e-9));
        assertThat(Normal.quantile(0.995)).isCloseTo(2.575829304, within(1e-9));
        assertThat(Normal.quantile(0.5)).isCloseTo(0.0, within(1e-12));
        assertThat(Normal.quantile(1e-10)).isCloseTo(-6.361340902, within(1e-8));
    }

    @Test
    public void shouldMatchTableProbabilities() {
        assertThat(Normal.cdf(1.0)).isCloseTo(0.841344746, within(1e-9));
        assertThat(Normal.cdf(-1.96)).isCloseTo(0.024997895, within(1e-9));
        assertThat(Normal.cdf(0.0)).isCloseTo(0.5, within(1e-15));
        assertThat(Normal.cdf(-8)).isCloseTo(6.22096e-16, within(1e-20));
    }
}
