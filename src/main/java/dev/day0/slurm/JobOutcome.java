package dev.day0.slurm;

import dev.day0.core.FailureClass;

/**
 * What a finished Slurm job means for its stage (docs/slurm.md, "State mapping").
 *
 * @param kind         the stage-level meaning
 * @param failureClass the class triage acts on; null when the job completed, and null for
 *                     {@link Kind#STAGE_FAILED}, where the stage's log decides the class as for a local command
 * @param detail       one line for the stage result, naming the job, its state and exit code
 */
public record JobOutcome(Kind kind, FailureClass failureClass, String detail) {

    public enum Kind {
        /** COMPLETED with exit code 0. */
        DONE,
        /** FAILED, or any exit code other than 0: the command failed; its log decides the class. */
        STAGE_FAILED,
        /** TIMEOUT, NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE: the infrastructure ended the job; retry once. */
        INFRA_TRANSIENT,
        /** OUT_OF_MEMORY: the job asked for too little memory; a person fixes the plan. */
        OUT_OF_MEMORY,
        /**
         * CANCELLED: someone stopped it. A person decides what happens next; the class is UNKNOWN, whose triage
         * row closes the run NEEDS_HUMAN.
         */
        CANCELLED,
        /** Slurm answered with a state day0 does not know, or the job vanished from every record. */
        UNEXPLAINED
    }

    public boolean done() {
        return kind == Kind.DONE;
    }

    /** The meaning of a job Slurm reports as finished. */
    public static JobOutcome of(JobInfo job) {
        SlurmJobState state = job.jobState();
        String exit = job.exitCode() == null ? "" : ", exit code " + job.exitCode()
                + (job.signal() != null && job.signal() != 0 ? " (signal " + job.signal() + ")" : "");
        String what = "Slurm job " + job.jobId() + " " + state.name() + exit;
        String reason = job.reason() == null ? "" : " (" + job.reason() + ")";
        return switch (state) {
            case COMPLETED -> job.exitCode() == null || job.exitCode() == 0
                    ? new JobOutcome(Kind.DONE, null, what)
                    : new JobOutcome(Kind.STAGE_FAILED, null, what);
            case FAILED, SPECIAL_EXIT -> new JobOutcome(Kind.STAGE_FAILED, null, what + reason);
            case TIMEOUT -> new JobOutcome(Kind.INFRA_TRANSIENT, FailureClass.INFRA_TRANSIENT,
                    what + ": it ran past its time limit");
            case NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE -> new JobOutcome(Kind.INFRA_TRANSIENT,
                    FailureClass.INFRA_TRANSIENT, what + reason);
            case OUT_OF_MEMORY -> new JobOutcome(Kind.OUT_OF_MEMORY, FailureClass.USER_CONFIG_ERROR,
                    what + ": the job ran out of memory; raise its memory request (slurm.extra: [\"--mem=...\"])"
                            + " or lower what it loads");
            case CANCELLED -> new JobOutcome(Kind.CANCELLED, FailureClass.UNKNOWN, what + ": cancelled"
                    + (job.cancelledBy() == null ? " (Slurm does not say by whom)" : " by " + job.cancelledBy())
                    + "; a person decides whether to run it again");
            default -> new JobOutcome(Kind.UNEXPLAINED, FailureClass.UNKNOWN,
                    "Slurm job " + job.jobId() + " ended in state '" + job.state() + "', which day0 does not know");
        };
    }

    /** The job is in none of Slurm's records any more (purged, and no accounting or completion file has it). */
    public static JobOutcome vanished(String jobId) {
        return new JobOutcome(Kind.UNEXPLAINED, FailureClass.UNKNOWN, "Slurm job " + jobId
                + " is in no Slurm record (scontrol, squeue, sacct, completion file): its end is unknown");
    }
}
