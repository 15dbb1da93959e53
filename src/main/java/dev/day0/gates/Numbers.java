package dev.day0.gates;

import dev.day0.core.Decimals;
import java.math.BigDecimal;

/** Prose forms of numbers in gate messages; JSON values are rounded by {@link Decimals#round(double, int)}. */
final class Numbers {
    private Numbers() {
    }

    /**
     * A value next to a limit, with enough decimals that the two read differently when they differ:
     * 0.010000000000000009 against 0.01 prints in full instead of as "0.0100 > 0.0100".
     */
    static String against(double value, double limit, int decimals) {
        String text = fixed(value, decimals);
        if (value != limit && text.equals(fixed(limit, decimals))) {
            return BigDecimal.valueOf(value).toPlainString();
        }
        return text;
    }

    static String fixed(double value, int decimals) {
        return Decimals.fixed(value, decimals);
    }

    /** A score as written: integers without a decimal point, others as the shortest exact decimal. */
    static String plain(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        if (!Double.isFinite(value) || Math.abs(value) >= 1e15 || Math.abs(value) < 1e-9) {
            // 1e308 written out in full is 309 digits: an exponent says the same in a line.
            return Double.toString(value);
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
