package dev.day0.slurm;

import java.util.Locale;

/**
 * Slurm's job states (squeue(1) "JOB STATE CODES"). A state name day0 does not know is {@link #UNRECOGNISED} and
 * counts as finished, so an unknown answer stops the stage for a person instead of polling forever.
 */
public enum SlurmJobState {
    PENDING(false), CONFIGURING(false), RUNNING(false), COMPLETING(false), SUSPENDED(false), REQUEUED(false),
    REQUEUE_FED(false), REQUEUE_HOLD(false), RESIZING(false), RESV_DEL_HOLD(false), SIGNALING(false),
    STAGE_OUT(false), STOPPED(false), UPDATE_DB(false), POWER_UP_NODE(false),
    COMPLETED(true), FAILED(true), TIMEOUT(true), NODE_FAIL(true), PREEMPTED(true), BOOT_FAIL(true),
    OUT_OF_MEMORY(true), CANCELLED(true), DEADLINE(true), SPECIAL_EXIT(true), REVOKED(true),
    UNRECOGNISED(true);

    private final boolean terminal;

    SlurmJobState(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }

    /**
     * Parses a state as squeue, scontrol, sacct or the completion file print it: {@code CANCELLED by 0} is
     * CANCELLED, and flags Slurm appends after a plus sign ({@code COMPLETED+}) are ignored.
     */
    public static SlurmJobState parse(String text) {
        if (text == null || text.isBlank()) {
            return UNRECOGNISED;
        }
        String word = text.strip().split("[\\s+]", 2)[0].toUpperCase(Locale.ROOT);
        try {
            return valueOf(word);
        } catch (IllegalArgumentException e) {
            return UNRECOGNISED;
        }
    }
}
