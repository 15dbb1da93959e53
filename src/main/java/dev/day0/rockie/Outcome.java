package dev.day0.rockie;

/**
 * How a submission ended, as recorded in the state file's {@code outcome} field (null while the job runs). Other
 * tools ({@code day0 sota assess --job-state}) read these names.
 */
public enum Outcome {
    /** Platform state DONE, a JOB_DONE line seen and every artifact downloaded with its declared size. */
    DONE,
    /** Platform state FAILED. */
    FAILED,
    /** Platform state CANCELLED. */
    CANCELLED,
    /** DONE without a JOB_DONE line, or artifacts missing or of the wrong size: not a success. */
    COULD_NOT_JUDGE,
    /** The platform stayed unreachable or kept answering 5xx past the retry limit. */
    INFRA_TRANSIENT,
    /** Something only a person can settle: a possibly created job without an id, a refused submit, no credit. */
    NEEDS_HUMAN
}
