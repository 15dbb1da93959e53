package dev.day0.rockie;

/**
 * Exit codes of {@code day0 rockie ...}, the same numbers the platform's own client uses, so scripts and Jenkins
 * steps written against either read them alike.
 */
public final class RockieExitCodes {
    /** The job ended DONE with a JOB_DONE line and its artifacts checked; for quote/render/approve: done. */
    public static final int DONE = 0;
    /** The job ended FAILED, or DONE without a JOB_DONE line (the run could not be judged). */
    public static final int FAILED = 1;
    /** Bad options, environment or input files. */
    public static final int USAGE = 2;
    /** The platform could not be reached (after retries): connection refused, reset, timed out. */
    public static final int NETWORK = 3;
    /** HTTP 402 on submit: not enough credit. A {@code credit_gate} event says how much. */
    public static final int CREDIT = 4;
    /** The platform refused or garbled a submit (or quote) request for another reason. */
    public static final int SUBMIT_ERROR = 5;
    /** The job id is unknown to the platform. */
    public static final int JOB_NOT_FOUND = 6;
    /** The job could not be read (or its artifacts could not be fetched and checked). */
    public static final int JOB_READ_ERROR = 7;
    /** A submission may exist but no job id is known: a person must look (NEEDS_HUMAN). */
    public static final int NO_JOB_ID = 8;
    /** The term sheet is missing or is not a term sheet. */
    public static final int NO_TERM_SHEET = 9;
    /** The term sheet is not approved, was changed or used, or does not match the flags. */
    public static final int NOT_APPROVED = 10;
    /** The budget is below the estimate, or the sheet's money fields do not add up. */
    public static final int BUDGET = 11;
    /** The job ended CANCELLED, or the client was interrupted. */
    public static final int CANCELLED = 130;

    private RockieExitCodes() {
    }
}
