package dev.day0.noise;

/**
 * Student's t distribution with {@code df} degrees of freedom (any positive real; infinite means normal).
 */
public final class StudentT {
    /** Beyond this many degrees of freedom the t and normal quantiles agree to better than 1e-6. */
    private static final double NORMAL_LIMIT = 1e7;

    private StudentT() {
    }

    /** P(T &lt;= t). */
    public static double cdf(double t, double df) {
        requireDf(df);
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (df > NORMAL_LIMIT) {
            return Normal.cdf(t);
        }
        if (t == 0) {
            return 0.5;
        }
        if (Double.isInfinite(t)) {
            return t > 0 ? 1 : 0;
        }
        double tail = 0.5 * SpecialFunctions.regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t > 0 ? 1 - tail : tail;
    }

    public static double density(double t, double df) {
        requireDf(df);
        if (df > NORMAL_LIMIT) {
            return Normal.density(t);
        }
        double logDensity = SpecialFunctions.logGamma((df + 1) / 2) - SpecialFunctions.logGamma(df / 2)
                - 0.5 * Math.log(df * Math.PI) - (df + 1) / 2 * Math.log1p(t * t / df);
        return Math.exp(logDensity);
    }

    /** The t with P(T &lt;= t) = p, for p in (0, 1). */
    public static double quantile(double p, double df) {
        requireDf(df);
        if (!(p > 0) || !(p < 1)) {
            throw new IllegalArgumentException("a t quantile needs 0 < p < 1, got " + p);
        }
        if (df > NORMAL_LIMIT) {
            return Normal.quantile(p);
        }
        if (p == 0.5) {
            return 0;
        }
        if (p < 0.5) {
            return -quantile(1 - p, df);
        }
        // Bracket the root, then Newton steps kept inside the bracket (bisection when a step would leave it).
        double low = 0;
        double high = Math.max(1, Normal.quantile(p));
        while (cdf(high, df) < p) {
            low = high;
            high *= 2;
            if (high > 1e300) {
                throw new ArithmeticException("t quantile out of range for p=" + p + ", df=" + df);
            }
        }
        double x = Math.min(Math.max(Normal.quantile(p), low), high);
        for (int i = 0; i < 200; i++) {
            double f = cdf(x, df) - p;
            if (f == 0) {
                return x;
            }
            if (f > 0) {
                high = x;
            } else {
                low = x;
            }
            double next = x - f / density(x, df);
            if (!(next > low) || !(next < high)) {
                next = (low + high) / 2;
            }
            if (Math.abs(next - x) <= 1e-14 * Math.max(1, Math.abs(x))) {
                return next;
            }
            x = next;
        }
        return x;
    }

    private static void requireDf(double df) {
        if (!(df > 0)) {
            throw new IllegalArgumentException("degrees of freedom must be positive, got " + df);
        }
    }
}
