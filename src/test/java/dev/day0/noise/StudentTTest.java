package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.Test;

public class StudentTTest {

    @Test
    public void shouldMatchPublishedTwoSidedNinetyFivePercentCriticalValues() {
        // Standard t-table values (two-sided 95 %, i.e. the 0.975 quantile).
        assertThat(StudentT.quantile(0.975, 5)).isCloseTo(2.570582, within(1e-6));
        assertThat(StudentT.quantile(0.975, 10)).isCloseTo(2.228139, within(1e-6));
        assertThat(StudentT.quantile(0.975, 29)).isCloseTo(2.045230, within(1e-6));
        assertThat(StudentT.quantile(0.975, 30)).isCloseTo(2.042272, within(1e-6));
        assertThat(StudentT.quantile(0.975, 120)).isCloseTo(1.979930, within(1e-6));
    }

    @Test
    public void shouldMatchOtherTableLevels() {
        assertThat(StudentT.quantile(0.95, 10)).isCloseTo(1.812461, within(1e-6));
        assertThat(StudentT.quantile(0.995, 5)).isCloseTo(4.032143, within(1e-6));
        assertThat(StudentT.quantile(0.9, 1)).isCloseTo(3.077684, within(1e-6));
    }

    @Test
    public void shouldMatchTheClosedFormsForOneAndTwoDegreesOfFreedom() {
        for (double p : new double[] {0.6, 0.9, 0.975, 0.999}) {
            assertThat(StudentT.quantile(p, 1)).isCloseTo(Math.tan(Math.PI * (p - 0.5)), within(1e-9));
            double closedForm = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
            assertThat(StudentT.quantile(p, 2)).isCloseTo(closedForm, within(1e-9));
        }
    }

    @Test
    public void shouldInvertTheCdf() {
        for (double df : new double[] {1, 2.5, 7, 197, 12031, 1e6}) {
            for (double p : new double[] {0.001, 0.2, 0.5, 0.8, 0.975}) {
                assertThat(StudentT.cdf(StudentT.quantile(p, df), df)).isCloseTo(p, within(1e-10));
            }
        }
    }

    @Test
    public void shouldApproachTheNormalForLargeDegreesOfFreedom() {
        assertThat(StudentT.quantile(0.975, 1e9)).isCloseTo(1.959964, within(1e-6));
        assertThat(StudentT.quantile(0.975, 100_000)).isCloseTo(1.959988, within(1e-6));
    }

    @Test
    public void shouldBeSymmetric() {
        assertThat(StudentT.quantile(0.025, 10)).isCloseTo(-2.228139, within(1e-6));
        assertThat(StudentT.cdf(-1.5, 4) + StudentT.cdf(1.5, 4)).isCloseTo(1.0, within(1e-12));
        assertThat(StudentT.cdf(2.228138852, 10)).isCloseTo(0.975, within(1e-9));
    }

    @Test
    public void shouldRejectImpossibleArguments() {
        assertThatThrownBy(() -> StudentT.quantile(1.0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StudentT.quantile(0.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
