package dev.day0.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import org.junit.Test;

public class ThresholdTest {
    @Test
    public void shouldTakeAFractionOfTheScaleFromZeroToOne() {
        assertThat(Threshold.require(0.01, "plan.yaml", "threshold")).isEqualTo(0.01);
        assertThat(Threshold.require(0, "plan.yaml", "threshold")).isEqualTo(0.0);
        assertThat(Threshold.require(1, "plan.yaml", "threshold")).isEqualTo(1.0);
    }

    @Test
    public void shouldReadANegativeZeroAsZeroSoNoLimitIsShownNegative() {
        double threshold = Threshold.require(-0.0, "--threshold", "");

        assertThat(Double.doubleToRawLongBits(threshold)).isEqualTo(Double.doubleToRawLongBits(0.0));
        assertThat(String.valueOf(threshold * 100)).isEqualTo("0.0");
    }

    @Test
    public void shouldRefuseWhatIsNotAFractionNamingTheSourceAndField() {
        for (double bad : new double[] {-0.01, 1.0001, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> Threshold.require(bad, "plan.yaml", "threshold")).as("" + bad)
                    .isInstanceOf(InputException.class)
                    .hasMessageContaining("plan.yaml: threshold: must be at least 0 and at most 1");
        }
    }
}
