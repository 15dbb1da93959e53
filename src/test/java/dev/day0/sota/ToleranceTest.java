package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Test;

public class ToleranceTest {
    @Test
    public void shouldAllowTheLargerOfTheAbsoluteAndRelativeBound() {
        Tolerance both = new Tolerance(0.5, 0.01, "metric");

        assertThat(both.allowance(10)).isEqualTo(0.5);
        assertThat(both.allowance(100)).isEqualTo(1.0);
        assertThat(both.allowance(-100)).as("magnitude of a negative reference").isEqualTo(1.0);
    }

    @Test
    public void shouldDefaultToTwoPercentOfTheReference() {
        assertThat(Tolerance.DEFAULT.allowance(50)).isEqualTo(1.0);
        assertThat(Tolerance.DEFAULT.allowance(0)).isEqualTo(0.0);
        assertThat(Tolerance.DEFAULT.describe()).isEqualTo("relative 2 %");
    }

    @Test
    public void shouldDescribeWhatWasGiven() {
        assertThat(new Tolerance(0.5, 0, "x").describe()).isEqualTo("absolute 0.5");
        assertThat(new Tolerance(0.5, 0.1, "x").describe()).isEqualTo("absolute 0.5 or relative 10 %");
        assertThat(new Tolerance(0.5, 0.1, "claims").toJson().toString())
                .isEqualTo("{\"absolute\":0.5,\"relative\":0.1,\"origin\":\"claims\"}");
    }
}
