package dev.day0.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The one rounding routine behind every number day0 writes to JSON, and the fixed-decimal forms for prose.
 * Rounding is Python's {@code round}: half-even on the exact binary value of the double, so a figure in a report
 * matches the upstream scripts and the same value rounds the same way in every output (gates, noise, sota).
 */
public final class Decimals {
    /** Decimals the sota commands print: enough for any metric, none of the binary noise (0.30000000000000004). */
    public static final int SOTA_DECIMALS = 6;

    private Decimals() {
    }

    /** {@code value} rounded to {@code decimals}, trailing zeros dropped (70.98765 to 4 is 70.9877, 2.675 to 2 is 2.67). */
    public static BigDecimal round(double value, int decimals) {
        BigDecimal rounded = new BigDecimal(value).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0, RoundingMode.UNNECESSARY) : rounded;
    }

    /** {@link #round(double, int)} to {@link #SOTA_DECIMALS}. */
    public static BigDecimal round(double value) {
        return round(value, SOTA_DECIMALS);
    }

    /** The rounded value as plain text: 91.63, 100, never an exponent. */
    public static String text(double value) {
        return round(value).toPlainString();
    }

    /** A fraction as a percentage for prose: 0.02 is "2 %". */
    public static String percent(double fraction) {
        return round(fraction * 100).toPlainString() + " %";
    }

    /** Exactly {@code decimals} digits after the point, for prose ("0.0100"). */
    public static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
