package dev.day0.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.Test;

/** The simulation study in miniature (few repetitions, fixed seeds): the properties docs/noise.md claims. */
public class NoiseSimulationTest {

    @Test
    public void shouldKeepThePairedRuleAtOrUnderTwoAndAHalfPercentFalseRegressionsWhereThePointRuleFails() {
        List<NoiseSimulation.Cell> cells = NoiseSimulation.run(new int[] {198, 500}, new double[] {0.05, 0.10},
                new double[] {0.0}, 400, 42L);

        for (NoiseSimulation.Cell cell : cells) {
            assertThat(cell.pairedRegression()).as("paired, %s", cell).isLessThanOrEqualTo(0.025);
        }
        assertThat(NoiseSimulation.find(cells, 198, 0.10, 0.0).pointRegression()).isGreaterThan(0.25);
    }

    @Test
    public void shouldDetectTwiceTheThresholdOnALargeBenchmark() {
        NoiseSimulation.Cell cell = NoiseSimulation.run(new int[] {12_032}, new double[] {0.05},
                new double[] {0.02}, 60, 7L).get(0);

        assertThat(cell.pairedRegression()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    public void shouldNeverAcceptATrueDropOfTwiceTheThreshold() {
        List<NoiseSimulation.Cell> cells = NoiseSimulation.run(new int[] {198, 500}, new double[] {0.02, 0.10},
                new double[] {0.02}, 300, 3L);

        for (NoiseSimulation.Cell cell : cells) {
            assertThat(cell.pairedAccept()).as("%s", cell).isLessThanOrEqualTo(0.025);
        }
    }

    @Test
    public void shouldRefuseADropLargerThanTheFlipRate() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NoiseSimulation.run(new int[] {100},
                new double[] {0.01}, new double[] {0.02}, 1, 1L)).isInstanceOf(IllegalArgumentException.class);
    }
}
