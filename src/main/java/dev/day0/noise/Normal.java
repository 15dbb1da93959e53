package dev.day0.noise;

/** The standard normal distribution: CDF and quantile. */
public final class Normal {
    private static final double SQRT_TWO_PI = Math.sqrt(2 * Math.PI);

    // Rational approximation of the quantile (P. J. Acklam), refined below by one Halley step.
    private static final double[] A = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    private static final double P_LOW = 0.02425;

    private Normal() {
    }

    public static double density(double x) {
        return Math.exp(-0.5 * x * x) / SQRT_TWO_PI;
    }

    /** P(Z &lt;= x). */
    public static double cdf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        double erfc = SpecialFunctions.regularizedGammaQ(0.5, x * x / 2);
        return x < 0 ? erfc / 2 : 1 - erfc / 2;
    }

    /** The z with P(Z &lt;= z) = p, for p in (0, 1). */
    public static double quantile(double p) {
        if (!(p > 0) || !(p < 1)) {
            throw new IllegalArgumentException("a normal quantile needs 0 < p < 1, got " + p);
        }
        double x;
        if (p < P_LOW) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        } else if (p <= 1 - P_LOW) {
            double q = p - 0.5;
            double r = q * q;
            x = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                    / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
        } else {
            double q = Math.sqrt(-2 * Math.log1p(-p));
            x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        double error = cdf(x) - p;
        double u = error * SQRT_TWO_PI * Math.exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }
}
