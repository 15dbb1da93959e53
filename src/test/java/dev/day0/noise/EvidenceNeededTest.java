package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.Test;

public class EvidenceNeededTest {

    @Test
    public void shouldScaleTheItemsByTheSquareOfTheStandardErrorRatio() {
        DropInterval interval = DropStatistics.unpaired("unpaired-binomial", 0.005, 0.01, 0.0, null);

        EvidenceNeeded needed = EvidenceNeeded.fromStandardError(interval, 0.01, 198L, null);

        double target = 0.005 / Normal.quantile(0.975);
        assertThat(needed.targetStandardError()).isCloseTo(target, within(1e-12));
        assertThat(needed.itemsMultiplier()).isCloseTo(Math.pow(0.01 / target, 2), within(1e-9));
        assertThat(needed.items()).isEqualTo((long) Math.ceil(198 * Math.pow(0.01 / target, 2)));
        assertThat(needed.repeatsPerItem()).isNull();
        assertThat(needed.note()).contains("items per run");
    }

    @Test
    public void shouldGiveOnlyAMultiplierWhenTheItemCountIsUnknown() {
        DropInterval interval = DropStatistics.unpaired("unpaired-stderr", 0.0, 0.01, 0.01, null);

        EvidenceNeeded needed = EvidenceNeeded.fromStandardError(interval, 0.01, null, null);

        assertThat(needed.items()).isNull();
        assertThat(needed.itemsMultiplier()).isCloseTo(2 * Math.pow(1.959964, 2) / 1.0, within(1e-4));
        assertThat(needed.note()).contains("times the current items");
    }

    @Test
    public void shouldSayNothingCanHelpWhenTheDropSitsOnTheLimit() {
        DropInterval interval = DropStatistics.unpaired("unpaired-stderr", 0.01, 0.01, 0.01, null);

        EvidenceNeeded needed = EvidenceNeeded.fromStandardError(interval, 0.01, 100L, null);

        assertThat(needed.items()).isNull();
        assertThat(needed.note()).contains("equals the limit");
    }

    @Test
    public void shouldPlanRepeatsFromTheWithinItemVariance() {
        // 100 items, no variance between items, within-item variance 0.25 per generation on each side.
        VarianceSplit split = new VarianceSplit(100, 0.0, 0.25, 0.25, 1.0);

        // (0.5 / r) / 100 <= 0.01^2  <=>  r >= 50
        assertThat(split.repeatsFor(0.01)).isEqualTo(50L);
    }

    @Test
    public void shouldNotPromiseRepeatsWhenItemsDifferMoreThanTheTargetAllows() {
        VarianceSplit split = new VarianceSplit(100, 0.05, 0.25, 0.25, 1.0);

        assertThat(split.repeatsFor(0.01)).isNull();
    }

    @Test
    public void shouldCountUnchangedItemsNeededWhenNothingVaried() {
        DropInterval interval = DropStatistics.paired(new double[20], null, 0);

        EvidenceNeeded needed = EvidenceNeeded.fromNoVariation(interval, 0.01, 20);

        // (1 - 0.01)^n <= 0.025  <=>  n >= ln 0.025 / ln 0.99 = 367.03
        assertThat(needed.items()).isEqualTo(368L);
    }
}
