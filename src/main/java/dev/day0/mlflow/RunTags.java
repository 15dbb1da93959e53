package dev.day0.mlflow;

/**
 * Names day0 gives to what it records on an MLflow run, besides the {@link BaselineKey} tags. They are part of the
 * contract with {@code find-baseline}: a run is a usable baseline only when it carries them as written here.
 */
public final class RunTags {
    /** What the run records: {@value #KIND_EVAL} (scores of one evaluation) or {@value #KIND_DECISION}. */
    public static final String KIND = "day0.kind";
    public static final String KIND_EVAL = "eval";
    public static final String KIND_DECISION = "decision";
    /** Task scores are metrics named {@code score/<task>}. */
    public static final String SCORE_PREFIX = "score/";
    /** The task names of the set, comma-separated, when they fit a tag value. */
    public static final String TASKS = "day0.tasks";
    public static final String DECISION = "day0.decision";
    public static final String PUBLISH_RECOMMENDATION = "day0.publish_recommendation";
    public static final String FAILURE_CLASS = "day0.failure_class";
    public static final String DETAIL = "day0.detail";
    public static final String DECISION_SHA256 = "day0.decision_sha256";
    /** The recipe a release plan judged (set by the release conductor). */
    public static final String RECIPE = "day0.recipe";
    /** Where the report is on the machine that ran day0; always set when there is a report. */
    public static final String REPORT_PATH = "day0.report_path";
    /** What happened to the artifacts: uploaded, or why not. */
    public static final String ARTIFACTS = "day0.artifacts";
    public static final String TOOL_VERSION = "day0.version";
    /** MLflow's own tag for the run name. */
    public static final String MLFLOW_RUN_NAME = "mlflow.runName";

    private RunTags() {
    }
}
