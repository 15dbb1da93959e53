package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Test;

public class DecimalsTest {
    @Test
    public void shouldRoundAwayBinaryNoise() {
        assertThat(Decimals.text(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(Decimals.text(93.5 - 1.87)).isEqualTo("91.63");
        assertThat(Decimals.text(100)).isEqualTo("100");
        assertThat(Decimals.percent(0.02)).isEqualTo("2 %");
    }
}
