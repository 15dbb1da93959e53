package dev.day0.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Test;

public class DirectionTest {
    @Test
    public void shouldParseTheLongAndShortForms() {
        assertThat(Direction.parse("higher_is_better")).contains(Direction.HIGHER);
        assertThat(Direction.parse("higher")).contains(Direction.HIGHER);
        assertThat(Direction.parse("lower_is_better")).contains(Direction.LOWER);
        assertThat(Direction.parse(" lower ")).contains(Direction.LOWER);
        assertThat(Direction.parse("up")).isEmpty();
        assertThat(Direction.parse("Higher")).isEmpty();
        assertThat(Direction.parse(null)).isEmpty();
    }

    @Test
    public void shouldMeasureImprovementInTheMetricsDirection() {
        assertThat(Direction.HIGHER.improvement(90, 92)).isEqualTo(2.0);
        assertThat(Direction.LOWER.improvement(0.5, 0.4)).isEqualTo(0.09999999999999998);
        assertThat(Direction.LOWER.improvement(0.5, 0.7)).isNegative();
    }

    @Test
    public void shouldWriteTheShortLabelForPoliciesAndTheLongOneForClaims() {
        assertThat(Direction.HIGHER.label()).isEqualTo("higher");
        assertThat(Direction.LOWER.metricLabel()).isEqualTo("lower_is_better");
        assertThat(Direction.HIGHER.comparator()).isEqualTo(">=");
        assertThat(Direction.LOWER.worsening(0.4, 0.5)).isPositive();
    }
}
