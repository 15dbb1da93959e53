package dev.day0.cli.mlflow;

import dev.day0.core.ExitCode;

/** Exit codes of {@code day0 mlflow ...}: 3 and 4 tell a pipeline to run the baseline or to retry MLflow. */
public enum MlflowExit implements ExitCode {
    OK(0, "done; for find-baseline: a matching baseline was found and written"),
    INPUT(2, "the input could not be used, or MLflow rejected the request or the credentials"),
    NO_MATCH(3, "find-baseline found no matching baseline: run the baseline evaluation"),
    MLFLOW_UNAVAILABLE(4, "MLflow could not be reached, kept failing after the retries, or answered outside its API"),
    INTERNAL(70, "a defect in day0 itself");

    private final int code;
    private final String meaning;

    MlflowExit(int code, String meaning) {
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
