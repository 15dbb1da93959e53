package dev.day0.gates;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Number formatting shared by the gates: rounded values in JSON, fixed decimals in prose. */
final class Numbers {
    private Numbers() {
    }

    /** Rounds the exact binary value half-even, as Python's round() does, so figures match the upstream scripts. */
    static BigDecimal round(double value, int decimals) {
        BigDecimal rounded = new BigDecimal(value).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0, RoundingMode.UNNECESSARY) : rounded;
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
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
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
