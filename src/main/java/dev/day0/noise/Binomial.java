package dev.day0.noise;

/** The binomial distribution, and the exact McNemar test built on it. */
public final class Binomial {
    private Binomial() {
    }

    /** P(X = k) for X ~ Binomial(n, p). */
    public static double pmf(long k, long n, double p) {
        requireArguments(n, p);
        if (k < 0 || k > n) {
            return 0;
        }
        if (p == 0) {
            return k == 0 ? 1 : 0;
        }
        if (p == 1) {
            return k == n ? 1 : 0;
        }
        double logChoose = SpecialFunctions.logGamma(n + 1.0) - SpecialFunctions.logGamma(k + 1.0)
                - SpecialFunctions.logGamma(n - k + 1.0);
        return Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log1p(-p));
    }

    /** P(X &lt;= k) for X ~ Binomial(n, p). */
    public static double cdf(long k, long n, double p) {
        requireArguments(n, p);
        if (k < 0) {
            return 0;
        }
        if (k >= n) {
            return 1;
        }
        if (p == 0) {
            return 1;
        }
        if (p == 1) {
            return 0;
        }
        // P(X <= k) = I_{1-p}(n - k, k + 1).
        return SpecialFunctions.regularizedBeta(1 - p, n - k, k + 1.0);
    }

    /**
     * McNemar's exact two-sided p-value for a paired binary comparison: of the {@code worse + better} items that
     * changed, is the split compatible with a fair coin? Doubling the smaller tail, capped at 1.
     */
    public static double mcnemarExactP(long worse, long better) {
        if (worse < 0 || better < 0) {
            throw new IllegalArgumentException("flip counts must not be negative: " + worse + ", " + better);
        }
        long discordant = worse + better;
        if (discordant == 0) {
            return 1.0;
        }
        return Math.min(1.0, 2 * cdf(Math.min(worse, better), discordant, 0.5));
    }

    private static void requireArguments(long n, double p) {
        if (n < 0 || !(p >= 0) || !(p <= 1)) {
            throw new IllegalArgumentException("binomial needs n >= 0 and 0 <= p <= 1, got n=" + n + ", p=" + p);
        }
    }
}
