package dev.day0.rockie;

/**
 * A refusal or failure of a rockie command with its documented exit code and a short reason code
 * ({@code SHAPE_MISMATCH}, {@code SHEET_CHANGED}, ...) that machines can match on.
 */
public final class RockieException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final String reason;

    public RockieException(int exitCode, String reason, String message) {
        super(message);
        this.exitCode = exitCode;
        this.reason = reason;
    }

    public int exitCode() {
        return exitCode;
    }

    public String reason() {
        return reason;
    }

    public static RockieException usage(String message) {
        return new RockieException(RockieExit.USAGE.code(), "USAGE", message);
    }

    static RockieException notApproved(String reason, String message) {
        return new RockieException(RockieExit.NOT_APPROVED.code(), reason, message);
    }
}
