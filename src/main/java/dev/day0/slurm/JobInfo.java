package dev.day0.slurm;

/**
 * What Slurm says about one job, from whichever record answered (see {@link Source}).
 *
 * @param state       the job state name as Slurm prints it, e.g. {@code RUNNING}, {@code CANCELLED}
 * @param exitCode    the batch script's exit code, or null when Slurm did not say
 * @param signal      the signal that ended it (the part after the colon of {@code ExitCode=0:15}), or null
 * @param reason      Slurm's reason text, null when {@code None} or absent
 * @param cancelledBy who cancelled it when Slurm says ({@code sacct}'s {@code CANCELLED by 1000}), else null
 * @param stdoutPath  the job's output file on the cluster when the record names it, else null
 */
public record JobInfo(String jobId, String name, String state, Integer exitCode, Integer signal, String reason,
                      String cancelledBy, String stdoutPath, Source source) {

    /** Which Slurm record a job was read from. */
    public enum Source {
        SCONTROL, SQUEUE, SACCT, JOBCOMP,
        /** day0's own state file, for a job that finished before a resume. */
        STATE_FILE
    }

    public SlurmJobState jobState() {
        return SlurmJobState.parse(state);
    }

    public boolean finished() {
        return jobState().terminal();
    }
}
