package dev.day0.noise;

/**
 * The intervals of a drop: paired (per-item differences, optionally clustered by category) and unpaired (two
 * independent means with their standard errors).
 */
public final class DropStatistics {
    private DropStatistics() {
    }

    /**
     * The 95 % t-interval of the mean of per-item drops.
     *
     * <p>With categories (at least two), the standard error is cluster-robust (CR1: the squared sums of residuals
     * per category, times G/(G-1)) with G-1 degrees of freedom, because items of one category tend to fail
     * together and treating them as independent would make the interval too narrow.
     *
     * <p>When every item's drop is the same (typically: no item changed), the sample variance is 0 and a t-interval
     * would claim certainty. The interval is then the estimate ± the largest share of items that could change
     * without any of {@code n} showing it at 97.5 % (1 - 0.025<sup>1/n</sup>; the "rule of three"), because one
     * item changing moves the mean by up to 1/n of the scale.
     *
     * @param deltas per-item drops as fractions of the scale (positive: candidate worse); at least two
     * @param cluster per-item category index in [0, clusters), or null for independent items
     * @param clusters the number of categories
     * @return the interval, or null when there are fewer than two items
     */
    public static DropInterval paired(double[] deltas, int[] cluster, int clusters) {
        int n = deltas.length;
        if (n < 2) {
            return null;
        }
        double sum = 0;
        for (double d : deltas) {
            sum += d;
        }
        double mean = sum / n;
        double squares = 0;
        boolean allEqual = true;
        for (double d : deltas) {
            double e = d - mean;
            squares += e * e;
            allEqual &= d == deltas[0];
        }
        if (allEqual) {
            double half = 1 - Math.pow(DropInterval.TAIL, 1.0 / n);
            return new DropInterval("paired-no-variation", mean, null, null, null, mean - half, mean + half, null);
        }
        double iidStandardError = Math.sqrt(squares / (n - 1) / n);
        if (cluster != null && clusters >= 2) {
            double[] residualSums = new double[clusters];
            for (int i = 0; i < n; i++) {
                residualSums[cluster[i]] += deltas[i] - mean;
            }
            double between = 0;
            for (double r : residualSums) {
                between += r * r;
            }
            double variance = (double) clusters / (clusters - 1) * between / ((double) n * n);
            double clusteredStandardError = Math.sqrt(variance);
            if (clusteredStandardError > 0) {
                return DropInterval.of("paired-t-clustered", mean, clusteredStandardError, clusters - 1.0, clusters);
            }
        }
        return DropInterval.of("paired-t", mean, iidStandardError, n - 1.0, null);
    }

    /**
     * The 95 % interval of the difference of two independent means: estimate ± q × sqrt(se_b² + se_c²), with q
     * from Student's t at the Welch–Satterthwaite degrees of freedom when the item count is known, else the normal.
     *
     * @param estimate the observed drop (fraction of the scale)
     * @param baselineStandardError of the baseline score (fraction of the scale), positive
     * @param candidateStandardError of the candidate score (fraction of the scale), positive
     * @param items items per run, or null when unknown
     */
    public static DropInterval unpaired(String method, double estimate, double baselineStandardError,
                                        double candidateStandardError, Long items) {
        double a = baselineStandardError * baselineStandardError;
        double b = candidateStandardError * candidateStandardError;
        double standardError = Math.sqrt(a + b);
        Double df = null;
        if (items != null && items > 1) {
            df = (a + b) * (a + b) / ((a * a + b * b) / (items - 1));
        }
        return DropInterval.of(method, estimate, standardError, df, null);
    }

    /**
     * The standard error of a proportion of {@code items} 0/1 outcomes, from the Agresti–Caffo adjusted share
     * (successes + 1) / (items + 2), so a score of 0 or 100 % does not claim to have no noise at all.
     *
     * @param share the score as a fraction in [0, 1]
     */
    public static double binomialStandardError(double share, long items) {
        double adjusted = (share * items + 1) / (items + 2.0);
        return Math.sqrt(adjusted * (1 - adjusted) / (items + 2.0));
    }
}
