package dev.day0.release;

import dev.day0.core.Decision;
import dev.day0.core.ExitCode;

/**
 * Exit codes of {@code day0 release run}: the decision, so a shell or CI job can branch on it without parsing JSON.
 * 2 and 70 keep their meaning from every other day0 command. REGRESSION is 1 so that "0 or not" still reads as
 * "publish or not".
 */
public enum ReleaseExit implements ExitCode {
    ACCEPT(0, "every gate passed; publish"),
    REGRESSION(1, "the candidate is measurably worse than the baseline; do not publish"),
    BAD_INPUT(2, "the plan, an option or a state file could not be used; nothing was run"),
    ANOMALOUS(3, "the evidence is implausible or inconsistent; do not publish"),
    INFEASIBLE(4, "the recipe or model cannot produce a valid candidate; do not publish"),
    NEEDS_HUMAN(5, "a person must look before anything else happens"),
    SYSTEMIC(6, "the infrastructure failed repeatedly; the result says nothing about the model"),
    CONTINUE(10, "release step: a stage ran and the run goes on; call step again"),
    AWAITING_APPROVAL(11, "release step: the next stage spends GPU money and waits for an approved term sheet"),
    INTERNAL(70, "a defect in day0 itself"),
    STOPPED_BY_HOOK(99, "the test hook DAY0_STOP_AFTER_STAGE ended the process right after a stage was recorded");

    private final int code;
    private final String meaning;

    ReleaseExit(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    @Override
    public int code() {
        return code;
    }

    @Override
    public String meaning() {
        return meaning;
    }

    public static ReleaseExit of(Decision decision) {
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
