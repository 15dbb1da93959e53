package dev.day0.core;

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

    @Test
    public void shouldRoundTheExactBinaryValueHalfEvenLikePython() {
        assertThat(Decimals.round(2.675, 2)).isEqualByComparingTo("2.67");
        assertThat(Decimals.round(0.125, 2)).isEqualByComparingTo("0.12");
        assertThat(Decimals.round(0.375, 2)).isEqualByComparingTo("0.38");
        assertThat(Decimals.round(100.0, 4).toPlainString()).isEqualTo("100");
    }

    @Test
    public void shouldPrintFixedDecimalsForProse() {
        assertThat(Decimals.fixed(0.01, 4)).isEqualTo("0.0100");
        assertThat(Decimals.fixed(1.5, 0)).isEqualTo("2");
    }
}
