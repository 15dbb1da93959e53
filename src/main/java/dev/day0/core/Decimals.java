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
        BigDecimal quick = quickRound(value, decimals);
        return quick != null ? quick : exactRound(value, decimals);
    }

    /** The reference: the double's exact binary expansion, rounded half-even. */
    static BigDecimal exactRound(double value, int decimals) {
        BigDecimal rounded = new BigDecimal(value).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0, RoundingMode.UNNECESSARY) : rounded;
    }

    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15};

    /**
     * The same result without the exact expansion (a BigDecimal of some fifty digits and a division), when plain
     * double arithmetic is sure of it: {@code value * 10^decimals} is off the exact product by at most one
     * rounding, so when no half-integer lies that close to it, its nearest integer is the exact value's, and the
     * rounded number is that integer over 10^decimals. Near a tie (2.675 to 2), or out of range, null: the exact
     * routine decides.
     */
    private static BigDecimal quickRound(double value, int decimals) {
        if (decimals < 0 || decimals >= POWERS_OF_TEN.length || !Double.isFinite(value)) {
            return null;
        }
        double scaled = value * POWERS_OF_TEN[decimals];
        double magnitude = Math.abs(scaled);
        if (!(magnitude < 1e15)) {
            return null;
        }
        double fromTie = Math.abs(scaled - Math.floor(scaled) - 0.5);
        if (fromTie <= magnitude * 0x1p-50 + 0x1p-60) {
            return null;
        }
        long units = (long) Math.rint(scaled);
        BigDecimal rounded = BigDecimal.valueOf(units, decimals).stripTrailingZeros();
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

    /**
     * Exactly {@code decimals} digits after the point, for prose ("0.0100"): what {@code String.format("%.4f")}
     * writes, which rounds the shortest decimal that reads back as the double ({@link Double#toString}) half-up,
     * and keeps the sign of a negative value that rounds to zero ("-0.00"). Done here without the formatter,
     * which parses its pattern on every call.
     */
    public static String fixed(double value, int decimals) {
        if (!Double.isFinite(value) || decimals < 0) {
            return String.format(Locale.ROOT, "%." + decimals + "f", value);
        }
        String text = new BigDecimal(Double.toString(value)).setScale(decimals, RoundingMode.HALF_UP)
                .toPlainString();
        boolean negative = value < 0 || (value == 0 && 1 / value < 0);
        return negative && text.charAt(0) != '-' ? "-" + text : text;
    }

    /** The formatter's answer, the reference {@link #fixed} is tested against. */
    static String formatted(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
