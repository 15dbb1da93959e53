package dev.day0.noise;

import java.util.Locale;

/** How much a task's verdict weighs in the release decision (policy field {@code tier}). */
public enum Tier {
    /** Blocks on a BREACH, and asks a person when the evidence is insufficient. */
    CRITICAL,
    /**
     * Blocks on a BREACH; an insufficient verdict asks a person only when the observed drop is itself over the
     * limit. An underpowered supporting task whose observed drop is within the limit is reported, not blocking.
     */
    SUPPORTING,
    /** Reported, never blocks. */
    ADVISORY;

    /** Whether this verdict on a task of this tier holds the release back. */
    public boolean blocks(Verdict verdict, double observedDrop, double limit) {
        return switch (this) {
            case CRITICAL -> verdict != Verdict.PASS;
            case SUPPORTING -> verdict == Verdict.BREACH
                    || (verdict == Verdict.INSUFFICIENT_EVIDENCE && !(observedDrop <= limit));
            case ADVISORY -> false;
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
