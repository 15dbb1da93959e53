package dev.day0.sota;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Numbers as the sota commands print them: six decimals at most, no binary noise like 0.30000000000000004. */
final class Decimals {
    private Decimals() {
    }

    static BigDecimal round(double value) {
        BigDecimal rounded = BigDecimal.valueOf(value).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0, RoundingMode.UNNECESSARY) : rounded;
    }

    static String text(double value) {
        return round(value).toPlainString();
    }

    static String percent(double fraction) {
        return round(fraction * 100).toPlainString() + " %";
    }
}
