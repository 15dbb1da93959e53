package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Test;

public class DirectionTest {
    @Test
    public void shouldParseTheLongAndShortForms() {
        assertThat(Direction.parse("higher_is_better")).contains(Direction.HIGHER_IS_BETTER);
        assertThat(Direction.parse("higher")).contains(Direction.HIGHER_IS_BETTER);
        assertThat(Direction.parse("lower_is_better")).contains(Direction.LOWER_IS_BETTER);
        assertThat(Direction.parse(" lower ")).contains(Direction.LOWER_IS_BETTER);
        assertThat(Direction.parse("up")).isEmpty();
        assertThat(Direction.parse("Higher")).isEmpty();
        assertThat(Direction.parse(null)).isEmpty();
    }

    @Test
    public void shouldMeasureImprovementInTheMetricsDirection() {
        assertThat(Direction.HIGHER_IS_BETTER.improvement(90, 92)).isEqualTo(2.0);
        assertThat(Direction.LOWER_IS_BETTER.improvement(0.5, 0.4)).isEqualTo(0.09999999999999998);
        assertThat(Direction.LOWER_IS_BETTER.improvement(0.5, 0.7)).isNegative();
    }
}
