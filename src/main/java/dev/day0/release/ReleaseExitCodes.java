package dev.day0.release;

import dev.day0.triage.Decision;

/**
 * Exit codes of {@code day0 release run}: the decision, so a shell or CI job can branch on it without parsing JSON.
 * 2 and 70 keep their meaning from every other day0 command.
 */
public final class ReleaseExitCodes {
    public static final int ACCEPT = 0;
    public static final int REGRESSION = 1;
    /** The plan, an option or a state file could not be used; nothing was run. */
    public static final int BAD_INPUT = 2;
    public static final int ANOMALOUS = 3;
    public static final int INFEASIBLE = 4;
    public static final int NEEDS_HUMAN = 5;
    public static final int SYSTEMIC = 6;
    /** A defect in day0 itself. */
    public static final int INTERNAL = 70;
    /** {@code release step}: a stage ran and the run goes on; call step again. */
    public static final int CONTINUE = 10;
    /** {@code release step}: the next stage spends GPU money and waits for an approved term sheet. */
    public static final int AWAITING_APPROVAL = 11;
    /** The test hook DAY0_STOP_AFTER_STAGE ended the process right after a stage was recorded. */
    public static final int STOPPED_BY_HOOK = 99;

    private ReleaseExitCodes() {
    }

    public static int of(Decision decision) {
        return switch (decision) {
            case ACCEPT -> ACCEPT;
            case REGRESSION -> REGRESSION;
            case ANOMALOUS -> ANOMALOUS;
            case INFEASIBLE -> INFEASIBLE;
            case NEEDS_HUMAN -> NEEDS_HUMAN;
            case SYSTEMIC -> SYSTEMIC;
        };
    }
}
