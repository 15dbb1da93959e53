package dev.day0.cli;

import dev.day0.core.ExitCode;

/** Exit codes of {@code day0 publish}: the guard's answer, then whether the upload command succeeded. */
public enum PublishExit implements ExitCode {
    PUBLISHED(0, "the evaluated checkpoint was uploaded (or, with --reject, the export was marked rejected)"),
    REFUSED(1, "publishing was refused; nothing was uploaded or renamed"),
    INPUT(2, "the decision, fingerprint or checkpoint could not be used, or the command line carries a credential"),
    UPLOAD_FAILED(3, "the checkpoint was cleared for upload but the upload command failed"),
    INTERNAL(70, "a defect in day0 itself");

    private final int code;
    private final String meaning;

    PublishExit(int code, String meaning) {
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
