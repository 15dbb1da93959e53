package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import org.junit.Test;

public class BinomialTest {

    @Test
    public void shouldMatchExactSmallCases() {
        assertThat(Binomial.pmf(3, 10, 0.5)).isCloseTo(120 / 1024.0, within(1e-13));
        assertThat(Binomial.cdf(2, 10, 0.5)).isCloseTo(56 / 1024.0, within(1e-13));
        assertThat(Binomial.cdf(0, 5, 0.2)).isCloseTo(0.32768, within(1e-13));
        assertThat(Binomial.cdf(10, 10, 0.3)).isEqualTo(1.0);
        assertThat(Binomial.cdf(-1, 10, 0.3)).isEqualTo(0.0);
    }

    @Test
    public void shouldAgreeWithAnExactRationalSumForLargerCounts() {
        int n = 200;
        BigDecimal p = new BigDecimal("0.3");
        BigDecimal q = BigDecimal.ONE.subtract(p);
        BigDecimal cumulative = BigDecimal.ZERO;
        for (int k = 0; k < n; k++) {
            BigDecimal term = new BigDecimal(choose(n, k)).multiply(p.pow(k)).multiply(q.pow(n - k));
            cumulative = cumulative.add(term);
            double exact = cumulative.round(MathContext.DECIMAL64).doubleValue();
            assertThat(Binomial.cdf(k, n, 0.3)).as("P(X <= %d)", k).isCloseTo(exact, within(1e-12 + exact * 1e-9));
        }
    }

    @Test
    public void shouldGiveTheExactMcNemarPValue() {
        assertThat(Binomial.mcnemarExactP(1, 9)).isCloseTo(2 * 11 / 1024.0, within(1e-13));
        assertThat(Binomial.mcnemarExactP(10, 2)).isCloseTo(158 / 4096.0, within(1e-13));
        assertThat(Binomial.mcnemarExactP(5, 5)).isEqualTo(1.0);
        assertThat(Binomial.mcnemarExactP(0, 0)).isEqualTo(1.0);
        assertThat(Binomial.mcnemarExactP(0, 7)).isCloseTo(2 / 128.0, within(1e-13));
    }

    private static BigInteger choose(int n, int k) {
        BigInteger result = BigInteger.ONE;
        for (int i = 0; i < k; i++) {
            result = result.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return result;
    }
}
