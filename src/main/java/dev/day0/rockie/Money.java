package dev.day0.rockie;

import java.math.BigDecimal;

/** Cents shown as US dollars for people. */
public final class Money {
    private Money() {
    }

    public static String format(Long cents) {
        if (cents == null) {
            return "n/a";
        }
        return "$" + BigDecimal.valueOf(cents, 2).toPlainString();
    }
}
