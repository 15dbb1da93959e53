package dev.day0.noise;

/**
 * The special functions the distributions rest on: log-gamma, the regularized incomplete beta function and the
 * regularized upper incomplete gamma function. Written here rather than taken from a library so the engine keeps
 * its three dependencies; accuracy is checked against table values in the tests (about 1e-12 relative).
 */
final class SpecialFunctions {
    private static final double EPSILON = 1e-15;
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 100_000;
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    /** Lanczos approximation, g = 7, nine terms. */
    private static final double LANCZOS_G = 7.0;
    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7
    };

    private SpecialFunctions() {
    }

    /** ln Γ(x) for x &gt; 0. */
    static double logGamma(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("logGamma needs x > 0, got " + x);
        }
        if (x < 0.5) {
            // Reflection keeps the Lanczos series in its accurate range: Γ(x)Γ(1-x) = π / sin(πx).
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        double t = z + LANCZOS_G + 0.5;
        return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /** I_x(a, b), the regularized incomplete beta function, for a, b &gt; 0 and x in [0, 1]. */
    static double regularizedBeta(double x, double a, double b) {
        if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) {
            throw new IllegalArgumentException("regularizedBeta(" + x + ", " + a + ", " + b + ")");
        }
        if (x == 0) {
            return 0;
        }
        if (x == 1) {
            return 1;
        }
        double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        // The continued fraction converges fast on the side of the mean; use the symmetry I_x(a,b) = 1 - I_1-x(b,a).
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(logFront) * betaContinuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(logFront) * betaContinuedFraction(1 - x, b, a) / b;
    }

    /** The continued fraction of the incomplete beta function, evaluated by the modified Lentz method. */
    private static double betaContinuedFraction(double x, double a, double b) {
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < TINY) {
            d = TINY;
        }
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= MAX_ITERATIONS; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < EPSILON) {
                return h;
            }
        }
        throw new ArithmeticException("incomplete beta did not converge for x=" + x + ", a=" + a + ", b=" + b);
    }

    /** Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function, for a &gt; 0, x &gt;= 0. */
    static double regularizedGammaQ(double a, double x) {
        if (!(a > 0) || !(x >= 0)) {
            throw new IllegalArgumentException("regularizedGammaQ(" + a + ", " + x + ")");
        }
        if (x == 0) {
            return 1;
        }
        double logFront = -x + a * Math.log(x) - logGamma(a);
        if (x < a + 1) {
            // Series for P(a, x), accurate below the mean.
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n <= MAX_ITERATIONS; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * EPSILON) {
                    return 1 - sum * Math.exp(logFront);
                }
            }
            throw new ArithmeticException("incomplete gamma series did not converge for a=" + a + ", x=" + x);
        }
        // Continued fraction for Q(a, x) above the mean (modified Lentz).
        double b = x + 1 - a;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i <= MAX_ITERATIONS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < EPSILON) {
                return Math.exp(logFront) * h;
            }
        }
        throw new ArithmeticException("incomplete gamma fraction did not converge for a=" + a + ", x=" + x);
    }
}
