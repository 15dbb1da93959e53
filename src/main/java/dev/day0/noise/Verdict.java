package dev.day0.noise;

/** What the evidence says about one task's drop against its limit, at 95 % confidence. */
public enum Verdict {
    /** The whole interval of the drop is at or under the limit. */
    PASS,
    /** The whole interval of the drop is above the limit: a real regression. */
    BREACH,
    /** The interval straddles the limit, or there is no interval: more evidence is needed to decide. */
    INSUFFICIENT_EVIDENCE
}
