package dev.day0.core;

/**
 * The exit codes every command keeps: the gates, inspect, report, triage, probe, slurm, mlflow and the sota commands.
 * Families with a richer contract (release, rockie, publish) keep 2 and 70 with these meanings.
 */
public enum CommonExit implements ExitCode {
    OK(0, "the command did what was asked; for a gate, the gate passed"),
    FAILED(1, "the gate or check ran and failed (or a decision other than ACCEPT was reached)"),
    INPUT(2, "the input could not be used: a missing or unreadable file, invalid JSON, wrong types, a bad option"),
    INTERNAL(70, "a defect in day0 itself; the output is never a pass");

    private final int code;
    private final String meaning;

    CommonExit(int code, String meaning) {
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
