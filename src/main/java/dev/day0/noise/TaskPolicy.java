package dev.day0.noise;

import dev.day0.core.Direction;

/**
 * The rules for one task: its tier, its threshold (a fraction of the scale, like {@code --threshold}), which way
 * is better, an optional relative-drop guard, the canonical per-sample metric, the item count for the binomial
 * fallback and the task name its per-sample file carries.
 *
 * @param relativeGuard when set, the limit is also at most this fraction of the baseline score, so a 1-point
 *     limit does not let a 5-point baseline lose a fifth of itself; null when not set
 * @param metric the canonical metric, {@code name} or {@code name,filter} as lm-eval writes it; null to take
 *     the only metric the sample lines carry
 * @param items the number of items the scores are means of, or null when unknown
 * @param samplesTask the task name in per-sample file names, when it differs from the score files' task name
 */
public record TaskPolicy(Tier tier, double threshold, Direction direction, Double relativeGuard, String metric,
                         Long items, String samplesTask) {

    /** The policy of a task nobody wrote a policy for: critical, the command's threshold, higher is better. */
    public static TaskPolicy standard(double threshold) {
        return new TaskPolicy(Tier.CRITICAL, threshold, Direction.HIGHER, null, null, null, null);
    }

    /**
     * The limit on the drop fraction for this baseline: the threshold, lowered by the relative guard when the
     * baseline is low.
     *
     * @param baselineFraction the baseline score divided by the task's scale
     */
    public double limit(double baselineFraction) {
        if (relativeGuard == null) {
            return threshold;
        }
        return Math.min(threshold, relativeGuard * Math.abs(baselineFraction));
    }
}
