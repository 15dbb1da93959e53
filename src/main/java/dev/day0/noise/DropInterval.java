package dev.day0.noise;

/**
 * A 95 % confidence interval for a task's drop, as a fraction of the task's scale (the unit of the gate's
 * {@code drop_fraction} and threshold). Positive means the candidate is worse.
 *
 * @param method how it was computed: {@code paired-t}, {@code paired-t-clustered}, {@code paired-no-variation},
 *     {@code unpaired-stderr}, {@code unpaired-binomial} or {@code unpaired-stderr+binomial}
 * @param estimate the observed drop
 * @param standardError the standard error of the drop; null for {@code paired-no-variation}, which has none
 * @param degreesOfFreedom of the t quantile; null when the normal quantile was used
 * @param quantile the critical value the half-width was built from (t or z at 0.975); null without a standard error
 * @param clusters the number of categories for a clustered interval, else null
 */
public record DropInterval(String method, double estimate, Double standardError, Double degreesOfFreedom,
                           Double quantile, double lower, double upper, Integer clusters) {
    public static final double CONFIDENCE = 0.95;
    /** The one-sided tail on each side of a 95 % two-sided interval. */
    public static final double TAIL = (1 - CONFIDENCE) / 2;
    /** Power at which {@link #detectableDrop} is stated. */
    public static final double POWER = 0.8;

    /** An interval of estimate ± quantile × standard error. */
    static DropInterval of(String method, double estimate, double standardError, Double degreesOfFreedom,
                           Integer clusters) {
        double quantile = degreesOfFreedom == null ? Normal.quantile(1 - TAIL)
                : StudentT.quantile(1 - TAIL, degreesOfFreedom);
        double half = quantile * standardError;
        return new DropInterval(method, estimate, standardError, degreesOfFreedom, quantile, estimate - half,
                estimate + half, clusters);
    }

    /** PASS when the whole interval is within the limit, BREACH when all of it is above, else insufficient. */
    public Verdict verdict(double limit) {
        if (upper <= limit) {
            return Verdict.PASS;
        }
        if (lower > limit) {
            return Verdict.BREACH;
        }
        return Verdict.INSUFFICIENT_EVIDENCE;
    }

    /**
     * The smallest true drop this evidence would call a BREACH with 80 % power: the limit plus
     * (critical value + z<sub>0.8</sub>) standard errors. Null when there is no standard error.
     */
    public Double detectableDrop(double limit) {
        if (standardError == null) {
            return null;
        }
        return limit + (quantile + Normal.quantile(POWER)) * standardError;
    }
}
