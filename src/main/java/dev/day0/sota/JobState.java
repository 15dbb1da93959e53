package dev.day0.sota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The Rockie submit state file ({@code day0 rockie submit --state-file}), read for one question: did the job
 * finish in a way that lets its results be judged? Only the documented fields are read; other fields are ignored.
 * A documented field of the wrong type or with an unknown value, or a combination that cannot happen (outcome DONE
 * without a JOB_DONE line) is an input error: nothing is judged on a state file that cannot be trusted.
 *
 * @param file the file
 * @param idempotencyKey the submission's idempotency key, or null
 * @param quoteSha256 the hash of the approved quote, or null
 * @param jobId the platform's job id, or null when no job was created
 * @param state the last platform state (DONE, FAILED, CANCELLED, or a non-terminal one), or null
 * @param jobDone true when a JOB_DONE log line was seen
 * @param outcome the submit's outcome, or null while the job runs
 * @param costActualCents what the job cost, or null
 * @param artifactsDir where the artifacts were downloaded, or null
 */
public record JobState(Path file, String idempotencyKey, String quoteSha256, String jobId, String state,
                       boolean jobDone, String outcome, Long costActualCents, String artifactsDir) {
    public static final List<String> OUTCOMES = List.of("DONE", "FAILED", "CANCELLED", "COULD_NOT_JUDGE",
            "INFRA_TRANSIENT", "NEEDS_HUMAN");
    private static final Pattern STATE = Pattern.compile("[A-Z][A-Z_]{0,39}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** What the state says about the run's results. */
    public enum Condition {
        /** DONE with a JOB_DONE line: the results may be judged. */
        FINISHED,
        /** The platform or the network failed (INFRA_TRANSIENT). */
        INFRASTRUCTURE,
        /** The job failed: its script exited non-zero or the platform failed it. */
        FAILED,
        /** Someone or something cancelled the job. */
        CANCELLED,
        /** No outcome yet: the job is running or the submit was interrupted. */
        NOT_FINISHED,
        /** The submit could not judge the run (DONE without JOB_DONE, or its artifacts failed their checks). */
        COULD_NOT_JUDGE,
        /** The submit stopped for a person (e.g. a crash between the POST and the state update). */
        NEEDS_HUMAN
    }

    public static JobState read(Path file) {
        JsonNode root = Json.read(file);
        Fields fields = new Fields(file.toString());
        fields.requireObject(root, "");
        for (String required : List.of("state", "job_done", "outcome")) {
            if (!root.has(required)) {
                throw fields.error(required, "is missing: not a day0 rockie submit state file");
            }
        }
        String idempotencyKey = fields.optionalString(root, "idempotency_key", "idempotency_key");
        String quoteSha = fields.optionalString(root, "quote_sha256", "quote_sha256");
        if (quoteSha != null && !SHA256.matcher(quoteSha).matches()) {
            throw fields.error("quote_sha256", "must be 64 lower-case hex digits");
        }
        String jobId = fields.optionalString(root, "job_id", "job_id");
        if (jobId != null && (jobId.isBlank() || jobId.length() > 200)) {
            throw fields.error("job_id", "must be a non-blank id of at most 200 characters");
        }
        String state = fields.optionalString(root, "state", "state");
        if (state != null && !STATE.matcher(state).matches()) {
            throw fields.error("state", "must be a platform state in capitals (DONE, FAILED, CANCELLED, ...), found "
                    + Fields.describe(root.get("state")));
        }
        JsonNode jobDoneNode = root.get("job_done");
        if (!jobDoneNode.isBoolean()) {
            throw fields.error("job_done", "must be true or false, found " + Fields.describe(jobDoneNode));
        }
        boolean jobDone = jobDoneNode.booleanValue();
        String outcome = fields.optionalString(root, "outcome", "outcome");
        if (outcome != null && !OUTCOMES.contains(outcome)) {
            throw fields.error("outcome", "must be one of " + String.join(", ", OUTCOMES) + " or null, found \""
                    + outcome + "\"");
        }
        OptionalLong cost = fields.optionalInteger(root, "cost_actual_cents", "cost_actual_cents");
        if (cost.isPresent() && cost.getAsLong() < 0) {
            throw fields.error("cost_actual_cents", "must be at least 0, found " + cost.getAsLong());
        }
        String artifactsDir = fields.optionalString(root, "artifacts_dir", "artifacts_dir");
        if ("DONE".equals(outcome)) {
            if (!"DONE".equals(state)) {
                throw fields.error("outcome", "is DONE but state is " + (state == null ? "null" : state)
                        + ": the state file contradicts itself");
            }
            if (!jobDone) {
                throw fields.error("outcome", "is DONE but job_done is false: DONE requires a JOB_DONE line");
            }
            if (jobId == null) {
                throw fields.error("outcome", "is DONE but job_id is null: the state file contradicts itself");
            }
        }
        return new JobState(file, idempotencyKey, quoteSha, jobId, state, jobDone, outcome,
                cost.isPresent() ? cost.getAsLong() : null, artifactsDir);
    }

    public Condition condition() {
        if (outcome == null) {
            return Condition.NOT_FINISHED;
        }
        return switch (outcome) {
            case "DONE" -> Condition.FINISHED;
            case "INFRA_TRANSIENT" -> Condition.INFRASTRUCTURE;
            case "FAILED" -> Condition.FAILED;
            case "CANCELLED" -> Condition.CANCELLED;
            case "COULD_NOT_JUDGE" -> Condition.COULD_NOT_JUDGE;
            case "NEEDS_HUMAN" -> Condition.NEEDS_HUMAN;
            default -> throw new IllegalStateException("outcome checked on reading: " + outcome);
        };
    }

    /** Why the results cannot be judged, in one sentence; null when they can. */
    public String blocker() {
        String job = jobId == null ? "the job" : "job " + jobId;
        return switch (condition()) {
            case FINISHED -> null;
            case INFRASTRUCTURE -> job + " ended with an infrastructure failure (INFRA_TRANSIENT): the run says "
                    + "nothing about the claims";
            case FAILED -> job + " FAILED (state " + state + "): the script exited non-zero or the platform "
                    + "failed it; read its log";
            case CANCELLED -> job + " was CANCELLED before it finished";
            case NOT_FINISHED -> job + " has no outcome yet (state " + state + "): it is running or its submit "
                    + "was interrupted";
            case COULD_NOT_JUDGE -> job + " ended " + state + (jobDone ? ", but its submit could not judge it"
                    : " without a JOB_DONE line: its results were never confirmed");
            case NEEDS_HUMAN -> "the submit of " + job + " stopped for a person (NEEDS_HUMAN)";
        };
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("file", file.toString());
        json.put("job_id", jobId);
        json.put("state", state);
        json.put("job_done", jobDone);
        json.put("outcome", outcome);
        if (costActualCents == null) {
            json.putNull("cost_actual_cents");
        } else {
            json.put("cost_actual_cents", costActualCents);
        }
        json.put("artifacts_dir", artifactsDir);
        json.put("condition", condition().name().toLowerCase(Locale.ROOT));
        return json;
    }
}
