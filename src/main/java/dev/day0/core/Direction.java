package dev.day0.core;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a higher or a lower score is better: the noise policy and compare gate write it as {@code higher}/
 * {@code lower}, the sota claims as {@code higher_is_better}/{@code lower_is_better}; both read either spelling.
 */
public enum Direction {
    HIGHER,
    LOWER;

    /** How much worse the candidate is than the baseline, in the scores' own units: positive means worse. */
    public double worsening(double baseline, double candidate) {
        return this == HIGHER ? baseline - candidate : candidate - baseline;
    }

    /** How much better {@code value} is than {@code reference}: positive is better, negative is worse. */
    public double improvement(double reference, double value) {
        return -worsening(reference, value);
    }

    /** {@code higher} or {@code lower}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code higher_is_better} or {@code lower_is_better}, as a metric claim states it. */
    public String metricLabel() {
        return label() + "_is_better";
    }

    /** The comparison a value must satisfy against its bound. */
    public String comparator() {
        return this == HIGHER ? ">=" : "<=";
    }

    /** {@code higher_is_better} or {@code higher}, {@code lower_is_better} or {@code lower}. */
    public static Optional<Direction> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return switch (text.strip()) {
            case "higher_is_better", "higher" -> Optional.of(HIGHER);
            case "lower_is_better", "lower" -> Optional.of(LOWER);
            default -> Optional.empty();
        };
    }
}
