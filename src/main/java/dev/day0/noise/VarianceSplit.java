package dev.day0.noise;

/**
 * The variance of per-item drops split into its parts, for planning repeats: the variance between items (what
 * more repeats cannot remove) and the variance of one generation around its item's mean on each side.
 *
 * @param items items compared
 * @param betweenItems variance of the true per-item drops (fraction of scale, squared)
 * @param withinBaseline variance of one baseline generation around its item mean
 * @param withinCandidate the same for the candidate
 * @param designEffect the clustered variance over the plain one (1 when not clustered)
 */
record VarianceSplit(long items, double betweenItems, double withinBaseline, double withinCandidate,
                     double designEffect) {

    /**
     * Repeats per item per run that bring the standard error down to {@code target}, or null when repeats alone
     * cannot (the variance between items is already larger than the target allows).
     */
    Long repeatsFor(double target) {
        double within = withinBaseline + withinCandidate;
        if (!(within > 0)) {
            return null;
        }
        double allowed = items * target * target / designEffect - betweenItems;
        if (!(allowed > 0)) {
            return null;
        }
        double repeats = Math.ceil(within / allowed);
        return repeats >= EvidenceNeeded.COUNT_CAP ? null : Math.max(1L, (long) repeats);
    }
}
