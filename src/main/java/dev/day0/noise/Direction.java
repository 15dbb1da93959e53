package dev.day0.noise;

import java.util.Locale;

/** Whether a higher or a lower score is better (policy field {@code direction}). */
public enum Direction {
    HIGHER,
    LOWER;

    /** How much worse the candidate is than the baseline, in the scores' own units: positive means worse. */
    public double worsening(double baseline, double candidate) {
        return this == HIGHER ? baseline - candidate : candidate - baseline;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
