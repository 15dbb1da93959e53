package dev.day0.sota;

/**
 * The rules that suggest a failure class when results cannot be judged. Shared by assess and review so that the
 * same evidence gets the same answer. A class is suggested only when the evidence points one way; otherwise the
 * suggestion is null and the reason says what is known.
 */
final class Attribution {
    /** A suggested class (or null) and the reason for it. */
    record Suggestion(SotaFailureClass failureClass, String reason) {
    }

    private Attribution() {
    }

    /** For a job whose state blocks judgement. */
    static Suggestion forJob(JobState state) {
        return switch (state.condition()) {
            case INFRASTRUCTURE -> new Suggestion(SotaFailureClass.INFRASTRUCTURE, "the platform or the network "
                    + "failed; retry the job, its results say nothing about the research");
            case FAILED -> new Suggestion(SotaFailureClass.BUG, "the job failed; read its log: when the log shows "
                    + "a platform error rather than the recipe's, treat it as infrastructure");
            case FINISHED -> throw new IllegalArgumentException("a finished job blocks nothing");
            default -> new Suggestion(null, "no failure class: the job did not finish in a way that says why");
        };
    }

    /**
     * For a metrics file or value that cannot be used.
     *
     * @param state the job's state file, or null when none was given
     */
    static Suggestion forMetricsProblem(MetricsDocument.ProblemKind kind, JobState state) {
        return switch (kind) {
            case MISSING -> state != null && state.jobDone()
                    ? new Suggestion(SotaFailureClass.INFRASTRUCTURE, "the job printed JOB_DONE, which it does only "
                    + "after checking metrics.json, so the file was lost after the run: download the artifacts "
                    + "again")
                    : new Suggestion(SotaFailureClass.BUG, "nothing shows the run wrote metrics.json: check that the "
                    + "recipe writes it where the plan says (a --job-state file tells a lost file from an unwritten "
                    + "one)");
            case UNREADABLE -> new Suggestion(SotaFailureClass.BUG, "metrics.json is not a JSON object of metrics: "
                    + "the recipe writes it wrongly");
            case METRIC_MISSING, NOT_A_NUMBER -> new Suggestion(SotaFailureClass.BUG, "the recipe does not write "
                    + "every metric as a number");
            case NON_FINITE -> new Suggestion(SotaFailureClass.BUG, "a NaN or infinite metric comes from the run "
                    + "itself (a numerical failure, a division by zero, a diverged training)");
            case SCALE_MISMATCH -> new Suggestion(SotaFailureClass.BUG, "the recipe reports a metric on another "
                    + "scale than the claims (a fraction against a percentage)");
        };
    }
}
