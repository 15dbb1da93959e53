package dev.day0.noise;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Rounding for JSON fields and fixed decimals for prose. */
final class Decimals {
    private Decimals() {
    }

    static BigDecimal round(double value, int decimals) {
        BigDecimal rounded = BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0, RoundingMode.UNNECESSARY) : rounded;
    }

    static String text(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
