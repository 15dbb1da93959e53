package dev.day0.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
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

    /**
     * Property: the quick rounding gives the exact routine's BigDecimal (value and scale) for every double tried:
     * scores and fractions with few decimals (where ties such as 2.675 live), values one ulp off them, and
     * doubles of random bits, to 0-15 decimals.
     */
    @Test
    public void shouldRoundEveryDoubleAsTheExactRoutineDoes() {
        Random random = new Random(20261202L);
        for (int n = 0; n < 400_000; n++) {
            double value = sample(random, n);
            if (!Double.isFinite(value)) {
                continue;  // both refuse it: a JSON number is finite
            }
            int decimals = n % 3 == 0 ? random.nextInt(16) : 2 + random.nextInt(5);
            assertThat(Decimals.round(value, decimals)).as("%s to %d", value, decimals)
                    .isEqualTo(Decimals.exactRound(value, decimals));
        }
    }

    /** Property: {@code fixed} writes what {@code String.format("%.Nf")} writes, sign of a rounded zero included. */
    @Test
    public void shouldFormatFixedDecimalsAsTheFormatterDoes() {
        Random random = new Random(18L);
        for (int n = 0; n < 40_000; n++) {
            double value = sample(random, n);
            int decimals = random.nextInt(9);
            assertThat(Decimals.fixed(value, decimals)).as("%s to %d", value, decimals)
                    .isEqualTo(Decimals.formatted(value, decimals));
        }
        for (double special : new double[] {0.0, -0.0, -0.001, 0.5, 1.5, 2.5, -2.5, 0.125, 1e20, -1e-20,
            Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            for (int decimals = 0; decimals < 9; decimals++) {
                assertThat(Decimals.fixed(special, decimals)).isEqualTo(Decimals.formatted(special, decimals));
            }
        }
    }

    private static double sample(Random random, int n) {
        return switch (n % 6) {
            case 0 -> Math.round(random.nextDouble() * 100_000) / 1000.0;         // 71.234: three decimals
            case 1 -> (random.nextInt(20_000) + 0.5) / Math.pow(10, random.nextInt(5));  // ties in decimal
            case 2 -> Math.nextUp(random.nextInt(100_000) / 1000.0 + 0.0005);     // one ulp past a tie
            case 3 -> Double.longBitsToDouble(random.nextLong());                  // any double, NaN aside
            case 4 -> -random.nextDouble() * Math.pow(10, random.nextInt(30) - 15);
            default -> random.nextDouble() * 100;
        };
    }
}
