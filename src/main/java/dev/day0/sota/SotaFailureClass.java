package dev.day0.sota;

import dev.day0.core.FailureClass;

/**
 * Why a reproduction or a delta run did not give a usable, positive answer, in the words of a research review.
 * Each maps to the engine's triage vocabulary where one fits, so a pipeline can ask {@code day0 triage} what to do.
 */
public enum SotaFailureClass {
    /** The code, the recipe or the way results are written is wrong: read the log and fix it. */
    BUG("bug", FailureClass.UNKNOWN),
    /** The idea may work, but its settings do not: a trade-off or a partial regression. */
    BAD_HYPERPARAM("bad-hyperparam", null),
    /** The change does not do what it was meant to: everything regressed, or nothing moved. */
    BAD_HYPOTHESIS("bad-hypothesis", null),
    /** The platform, the network or the artifact transfer failed: the run says nothing about the research. */
    INFRASTRUCTURE("infrastructure", FailureClass.INFRA_TRANSIENT);

    private final String label;
    private final FailureClass triage;

    SotaFailureClass(String label, FailureClass triage) {
        this.label = label;
        this.triage = triage;
    }

    public String label() {
        return label;
    }

    /** The engine's triage class for {@code day0 triage}, or null when the outcome is a research finding. */
    public FailureClass triage() {
        return triage;
    }
}
