package dev.day0.mlflow;

/**
 * An MLflow request that did not succeed. The kind decides the exit code: a request the server rejected (400) or
 * credentials it refused (401/403) are the user's to fix; an unreachable server, 5xx after the retries, or an answer
 * that is not MLflow's are infrastructure trouble.
 */
public final class MlflowException extends RuntimeException {
    /** What went wrong, coarsely. */
    public enum Kind {
        /** 404 RESOURCE_DOES_NOT_EXIST: the experiment or run is not there. */
        NOT_FOUND,
        /** 400: the server rejected the request (a bad filter, a value over a limit). */
        REJECTED,
        /** 401 or 403: the credentials were refused. */
        AUTH,
        /** No answer, or 429/5xx after every retry. */
        UNAVAILABLE,
        /** An answer that is not what MLflow's API documents. */
        BAD_RESPONSE
    }

    private final Kind kind;
    private final int httpStatus;
    private final String errorCode;

    public MlflowException(Kind kind, int httpStatus, String errorCode, String message) {
        super(message);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status of the last answer, or -1 when none came. */
    public int httpStatus() {
        return httpStatus;
    }

    /** MLflow's {@code error_code} (e.g. INVALID_PARAMETER_VALUE), or null. */
    public String errorCode() {
        return errorCode;
    }
}
