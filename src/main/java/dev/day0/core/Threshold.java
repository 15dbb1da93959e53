package dev.day0.core;

import dev.day0.io.InputException;

/**
 * The one check of a compare threshold, wherever it comes from ({@code --threshold}, a release plan, a Jenkins
 * step): a share of the scale, so a finite number in [0, 1]. A threshold above 1 allows a drop larger than the
 * whole scale and so accepts every candidate; it is refused rather than read as "points".
 */
public final class Threshold {
    /** The default compare threshold: one point on a 0-100 scale. */
    public static final double DEFAULT = 0.01;
    /** {@link #DEFAULT} as option text, for picocli's {@code defaultValue}. */
    public static final String DEFAULT_TEXT = "" + DEFAULT;

    private Threshold() {
    }

    /** What is wrong with a threshold, or null when it is a finite fraction in [0, 1]. */
    public static String problem(double value) {
        if (!Double.isFinite(value) || value < 0 || value > 1) {
            return "must be at least 0 and at most 1, a fraction of the scale (0.01 is one point on a 0-100 "
                    + "scale), found " + value;
        }
        return null;
    }

    /** The threshold itself, or an {@link InputException} naming {@code source} and {@code field}. */
    public static double require(double value, String source, String field) {
        String problem = problem(value);
        if (problem != null) {
            throw new InputException(source, field, problem);
        }
        // -0.0 passes the range check; adding 0.0 makes it 0.0, so no limit is printed as "-0.0000".
        return value + 0.0;
    }
}
