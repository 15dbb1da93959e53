package dev.day0.gates;

/**
 * How one task's scores are read: the valid range, and the divisor that turns a difference into a fraction.
 * An explicit number (from {@code --scales}) keeps the [0, 100] range; a {@code {"min": a, "max": b}} range, for
 * signed indexes such as -100..100, uses its width as the divisor.
 */
record TaskScale(double divisor, double min, double max, boolean declared, boolean range) {
    static final TaskScale UNDECLARED = new TaskScale(Double.NaN, 0, 100, false, false);

    static TaskScale divisor(double divisor) {
        return new TaskScale(divisor, 0, 100, true, false);
    }

    static TaskScale range(double min, double max) {
        return new TaskScale(max - min, min, max, true, true);
    }

    boolean contains(double score) {
        return score >= min && score <= max;
    }

    /** The divisor for a pair of valid scores: declared, else 1 when both are fractions, else 100. */
    double divisorFor(double baseline, double candidate) {
        if (declared) {
            return divisor;
        }
        return baseline >= 0 && baseline <= 1 && candidate >= 0 && candidate <= 1 ? 1.0 : 100.0;
    }

    String describeRange() {
        return "[" + Numbers.plain(min) + ", " + Numbers.plain(max) + "]";
    }
}
