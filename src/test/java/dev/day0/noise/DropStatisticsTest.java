package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.Test;

public class DropStatisticsTest {

    @Test
    public void shouldBuildTheTIntervalOfTheMeanDrop() {
        DropInterval interval = DropStatistics.paired(new double[] {0.1, 0.2, 0.0, 0.3, -0.1}, null, 0);

        assertThat(interval.method()).isEqualTo("paired-t");
        assertThat(interval.estimate()).isCloseTo(0.1, within(1e-12));
        assertThat(interval.standardError()).isCloseTo(Math.sqrt(0.025 / 5), within(1e-12));
        assertThat(interval.degreesOfFreedom()).isEqualTo(4.0);
        assertThat(interval.lower()).isCloseTo(0.1 - 2.776445 * 0.0707107, within(1e-5));
        assertThat(interval.upper()).isCloseTo(0.1 + 2.776445 * 0.0707107, within(1e-5));
    }

    @Test
    public void shouldWidenTheIntervalWhenDropsClusterByCategory() {
        double[] deltas = {1, 1, 0, 0, 0, 0};
        int[] cluster = {0, 0, 1, 1, 2, 2};

        DropInterval clustered = DropStatistics.paired(deltas, cluster, 3);
        DropInterval independent = DropStatistics.paired(deltas, null, 0);

        assertThat(clustered.method()).isEqualTo("paired-t-clustered");
        assertThat(clustered.clusters()).isEqualTo(3);
        assertThat(clustered.degreesOfFreedom()).isEqualTo(2.0);
        assertThat(clustered.standardError()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(clustered.upper() - clustered.estimate()).isCloseTo(4.302653 / 3, within(1e-6));
        assertThat(clustered.upper()).isGreaterThan(independent.upper());
    }

    @Test
    public void shouldNotClaimCertaintyWhenNoItemChanged() {
        DropInterval interval = DropStatistics.paired(new double[20], null, 0);

        assertThat(interval.method()).isEqualTo("paired-no-variation");
        assertThat(interval.standardError()).isNull();
        assertThat(interval.upper()).isCloseTo(1 - Math.pow(0.025, 1.0 / 20), within(1e-12));
        assertThat(interval.verdict(0.01)).isEqualTo(Verdict.INSUFFICIENT_EVIDENCE);
    }

    @Test
    public void shouldCertifyUnchangedItemsWhenThereAreEnoughOfThem() {
        DropInterval interval = DropStatistics.paired(new double[1000], null, 0);

        assertThat(interval.verdict(0.01)).isEqualTo(Verdict.PASS);
    }

    @Test
    public void shouldHaveNoIntervalForFewerThanTwoItems() {
        assertThat(DropStatistics.paired(new double[] {0.5}, null, 0)).isNull();
    }

    @Test
    public void shouldUseTheNormalQuantileForAnUnpairedDifferenceWithoutItemCounts() {
        DropInterval interval = DropStatistics.unpaired("unpaired-stderr", 0.02, 0.01, 0.01, null);

        assertThat(interval.degreesOfFreedom()).isNull();
        assertThat(interval.standardError()).isCloseTo(Math.sqrt(2) * 0.01, within(1e-12));
        assertThat(interval.upper()).isCloseTo(0.02 + 1.959964 * Math.sqrt(2) * 0.01, within(1e-6));
    }

    @Test
    public void shouldUseWelchDegreesOfFreedomWhenTheItemCountIsKnown() {
        DropInterval interval = DropStatistics.unpaired("unpaired-stderr", 0.02, 0.01, 0.01, 100L);

        assertThat(interval.degreesOfFreedom()).isCloseTo(198.0, within(1e-9));
        assertThat(interval.quantile()).isCloseTo(StudentT.quantile(0.975, 198), within(1e-12));
    }

    @Test
    public void shouldAdjustTheBinomialStandardErrorAwayFromZero() {
        assertThat(DropStatistics.binomialStandardError(0.5, 98)).isCloseTo(0.05, within(1e-12));
        assertThat(DropStatistics.binomialStandardError(1.0, 30)).isGreaterThan(0.03);
        assertThat(DropStatistics.binomialStandardError(0.0, 30)).isGreaterThan(0.03);
    }

    @Test
    public void shouldJudgeTheIntervalAgainstTheLimit() {
        DropInterval within = new DropInterval("paired-t", 0.0, 0.005, 100.0, 2.0, -0.01, 0.01, null);
        DropInterval above = new DropInterval("paired-t", 0.03, 0.005, 100.0, 2.0, 0.0100001, 0.05, null);
        DropInterval straddling = new DropInterval("paired-t", 0.02, 0.005, 100.0, 2.0, 0.01, 0.03, null);

        assertThat(within.verdict(0.01)).isEqualTo(Verdict.PASS);
        assertThat(above.verdict(0.01)).isEqualTo(Verdict.BREACH);
        assertThat(straddling.verdict(0.01)).isEqualTo(Verdict.INSUFFICIENT_EVIDENCE);
    }

    @Test
    public void shouldStateTheSmallestDropDetectableWithEightyPercentPower() {
        DropInterval interval = DropStatistics.unpaired("unpaired-stderr", 0.0, 0.01, 0.0, null);

        assertThat(interval.detectableDrop(0.01)).isCloseTo(0.01 + (1.959964 + 0.841621) * 0.01, within(1e-6));
    }
}
