package dev.day0.cli;

/**
 * Exit codes shared by every command. Commands with a richer contract (the Rockie client, the release conductor)
 * document their own codes in docs/; these are the ones every command keeps.
 */
public final class ExitCodes {
    /** The command did what was asked; for a gate, the gate passed. */
    public static final int OK = 0;
    /** A gate ran and failed (or a decision other than ACCEPT was reached). */
    public static final int GATE_FAILED = 1;
    /** The input could not be used: missing or unreadable file, invalid JSON, wrong types, bad option value. */
    public static final int INPUT = 2;
    /** A defect in day0 itself. The message says so; the output is never a pass. */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}
