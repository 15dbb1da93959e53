package dev.day0.rockie;

import dev.day0.core.ExitCode;

/**
 * Exit codes of {@code day0 rockie ...}, the same numbers the platform's own client uses, so scripts and Jenkins
 * steps written against either read them alike.
 */
public enum RockieExit implements ExitCode {
    DONE(0, "the job ended DONE with a JOB_DONE line and its artifacts checked; for quote, render, approve: done"),
    FAILED(1, "the job ended FAILED, or DONE without a JOB_DONE line (the run could not be judged)"),
    USAGE(2, "bad options, environment or input files"),
    NETWORK(3, "the platform could not be reached after retries: connection refused, reset or timed out"),
    CREDIT(4, "HTTP 402 on submit: not enough credit (a credit_gate event says how much)"),
    SUBMIT_ERROR(5, "the platform refused or garbled a submit or quote request"),
    JOB_NOT_FOUND(6, "the job id is unknown to the platform"),
    JOB_READ_ERROR(7, "the job, or its artifacts, could not be read and checked"),
    NO_JOB_ID(8, "a submission may exist but no job id is known: a person must look"),
    NO_TERM_SHEET(9, "the term sheet is missing or is not a term sheet"),
    NOT_APPROVED(10, "the term sheet is not approved, was changed or used, or does not match the flags"),
    BUDGET(11, "the budget is below the estimate, or the sheet's money fields do not add up"),
    CANCELLED(130, "the job ended CANCELLED, or the client was interrupted");

    private final int code;
    private final String meaning;

    RockieExit(int code, String meaning) {
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
}
