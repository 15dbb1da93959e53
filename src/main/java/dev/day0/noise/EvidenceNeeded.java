package dev.day0.noise;

import dev.day0.core.Decimals;

/**
 * What would resolve an INSUFFICIENT_EVIDENCE verdict at the limit, assuming the observed drop and spread stay as
 * they are: the standard error that would let the interval clear the limit, the items per run that give it, and
 * (with repeated generations per item) the repeats per item that would give it on the same items.
 *
 * @param targetStandardError the standard error needed, as a fraction of the scale; null when none can help
 * @param items items per run needed; null when the current count is unknown or nothing can help
 * @param itemsMultiplier how many times the current evidence is needed; null when nothing can help
 * @param repeatsPerItem repeats per item per run on the current items; null when it cannot be estimated or
 *     repeats alone cannot get there
 * @param note one sentence for people
 */
public record EvidenceNeeded(Double targetStandardError, Long items, Double itemsMultiplier, Long repeatsPerItem,
                             String note) {
    /** Cap on reported counts: beyond this the answer is "not with this benchmark", not a number to plan with. */
    static final long COUNT_CAP = 1_000_000_000L;

    static EvidenceNeeded unknown(String note) {
        return new EvidenceNeeded(null, null, null, null, note);
    }

    /**
     * For an interval built from a standard error: shrink it by sqrt(items) until the half-width is the distance
     * between the observed drop and the limit.
     *
     * @param items the current number of items per run, or null when unknown
     * @param variance the variance split of a paired comparison for the repeats estimate, or null
     */
    static EvidenceNeeded fromStandardError(DropInterval interval, double limit, Long items, VarianceSplit variance) {
        double gap = Math.abs(interval.estimate() - limit);
        if (gap == 0 || interval.standardError() == null) {
            return unknown("the observed drop equals the limit: more items narrow the interval but cannot move it "
                    + "off the limit; decide by judgement or re-run both models");
        }
        double target = gap / interval.quantile();
        double ratio = interval.standardError() / target;
        double multiplier = ratio * ratio;
        Long neededItems = items == null ? null : cap(Math.ceil(items * multiplier));
        Long repeats = variance == null ? null : variance.repeatsFor(target);
        StringBuilder note = new StringBuilder("to resolve at the limit the standard error must fall to ")
                .append(Decimals.fixed(target * 100, 2)).append(" points (now ")
                .append(Decimals.fixed(interval.standardError() * 100, 2)).append("): ");
        if (neededItems != null) {
            note.append("about ").append(neededItems).append(" items per run");
        } else {
            note.append("about ").append(Decimals.fixed(multiplier, 1)).append(" times the current items");
        }
        if (repeats != null) {
            note.append(", or ").append(repeats).append(" repeats per item on the current items");
        }
        return new EvidenceNeeded(target, neededItems, multiplier, repeats, note.toString());
    }

    /**
     * For the no-variation interval (every item unchanged): the items whose unanimous agreement bounds the share
     * of changed items below the distance to the limit.
     */
    static EvidenceNeeded fromNoVariation(DropInterval interval, double limit, long items) {
        double gap = Math.abs(interval.estimate() - limit);
        if (gap == 0) {
            return unknown("the observed drop equals the limit: no number of items moves it off the limit");
        }
        long needed = gap >= 1 ? 1 : cap(Math.ceil(Math.log(DropInterval.TAIL) / Math.log1p(-gap)));
        return new EvidenceNeeded(null, needed, (double) needed / items, null,
                "no item changed, but " + items + " items cannot rule out a change on " + Decimals.fixed(
                        (interval.upper() - interval.estimate()) * 100, 2) + " % of items; about " + needed
                        + " unchanged items would");
    }

    private static long cap(double value) {
        return value >= COUNT_CAP ? COUNT_CAP : (long) value;
    }
}
