package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The state file of one submission: written before the POST, updated after it and on every change while the job
 * runs. It is what makes a submit at-most-once (a re-run reads it and re-attaches instead of posting again) and
 * what other tools read ({@code day0 sota assess --job-state}, the release conductor, the Jenkins step). The field
 * names are a contract; docs/rockie.md lists them.
 *
 * <p>{@code phase} says how far the submission got: {@code prepared} (nothing sent yet), {@code posting} (the POST
 * may have reached the platform; no job id known), {@code submitted} (job id known), {@code rejected} (the
 * platform answered the POST with a definite refusal, so no job exists).
 */
public final class SubmissionState {
    public static final String SCHEMA = "day0.rockie.submission/v1";
    public static final String PREPARED = "prepared";
    public static final String POSTING = "posting";
    public static final String SUBMITTED = "submitted";
    public static final String REJECTED = "rejected";

    private final ObjectNode json;

    private SubmissionState(ObjectNode json) {
        this.json = json;
    }

    /** A new state for a submission that has not been posted yet. */
    public static SubmissionState prepare(String idempotencyKey, TermSheet sheet, String quoteSha256,
                                          SubmitRequest request, String runId) {
        ObjectNode json = Json.object();
        json.put("schema", SCHEMA);
        json.put("idempotency_key", idempotencyKey);
        json.put("quote_sha256", quoteSha256);
        json.put("quote_id", sheet.quoteId());
        json.put("script_sha256", request.scriptSha256());
        json.put("run_id", runId);
        json.put("term_sheet", request.termSheetFile().toString());
        json.put("phase", PREPARED);
        json.putNull("job_id");
        json.putNull("state");
        json.put("job_done", false);
        json.putNull("outcome");
        json.putNull("exit_code");
        json.putNull("detail");
        ObjectNode spec = json.putObject("spec");
        spec.put("gpu_type", request.gpuType().name());
        spec.put("gpu_count", request.gpuCount());
        spec.put("region", request.region());
        spec.put("tier", request.tier());
        json.put("timeout_seconds", request.timeoutSeconds());
        json.put("budget_cents", sheet.userBudgetCents());
        json.put("estimate_cents", sheet.estimateCents());
        json.putNull("estimated_cost_cents");
        json.putNull("cost_so_far_cents");
        json.putNull("cost_actual_cents");
        json.putNull("last_log_line");
        json.putNull("compute_error");
        json.putNull("started_at");
        json.putNull("finished_at");
        json.putNull("dashboard_note_id");
        json.putNull("artifacts_dir");
        json.putArray("artifacts");
        json.putNull("credit_error");
        String now = now();
        json.put("created_at", now);
        json.putNull("posted_at");
        json.putNull("submitted_at");
        json.put("updated_at", now);
        return new SubmissionState(json);
    }

    /** Reads a state file; null when there is none. A file that is not a state file is a usage error. */
    public static SubmissionState readIfExists(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode node;
        try {
            node = Json.read(file);
        } catch (dev.day0.io.InputException e) {
            throw RockieException.usage(e.getMessage() + " (the state file guards against a second submission: "
                    + "look at it before you move it away)");
        }
        if (!node.isObject() || !SCHEMA.equals(node.path("schema").asText())
                || !node.path("idempotency_key").isTextual() || !node.path("quote_sha256").isTextual()
                || !node.path("phase").isTextual()) {
            throw RockieException.usage(file + ": not a day0 rockie state file (schema " + SCHEMA + ")");
        }
        return new SubmissionState((ObjectNode) node);
    }

    public void write(Path file, Redactor redactor) {
        json.put("updated_at", now());
        new RedactingWriter(redactor).json(file, json);
    }

    public ObjectNode json() {
        return json.deepCopy();
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    public String idempotencyKey() {
        return json.path("idempotency_key").asText();
    }

    public String quoteSha256() {
        return json.path("quote_sha256").asText();
    }

    public String scriptSha256() {
        return json.path("script_sha256").asText();
    }

    public String runId() {
        return json.path("run_id").asText();
    }

    public String phase() {
        return json.path("phase").asText();
    }

    public void phase(String phase) {
        json.put("phase", phase);
    }

    public String jobId() {
        JsonNode id = json.get("job_id");
        return id == null || id.isNull() ? null : id.asText();
    }

    public String platformState() {
        JsonNode state = json.get("state");
        return state == null || state.isNull() ? null : state.asText();
    }

    public boolean jobDone() {
        return json.path("job_done").asBoolean(false);
    }

    public String outcome() {
        JsonNode outcome = json.get("outcome");
        return outcome == null || outcome.isNull() ? null : outcome.asText();
    }

    public void finish(Outcome outcome, int exitCode, String detail) {
        json.put("outcome", outcome == null ? null : outcome.name());
        if (outcome == null) {
            json.putNull("exit_code");
        } else {
            json.put("exit_code", exitCode);
        }
        json.put("detail", detail);
    }

    public void clearOutcome() {
        json.putNull("outcome");
        json.putNull("exit_code");
        json.putNull("detail");
    }

    public void posted() {
        json.put("posted_at", now());
    }

    public void submitted(String jobId, JsonNode response, Path artifactsDir) {
        json.put("phase", SUBMITTED);
        json.put("job_id", jobId);
        copyNumber(response, "estimated_cost_cents");
        JsonNode note = response.get("dashboard_note_id");
        if (note != null && !note.isNull()) {
            json.put("dashboard_note_id", note.asText());
        }
        json.put("submitted_at", now());
        json.put("artifacts_dir", artifactsDir.toString());
    }

    public void creditError(ObjectNode credit) {
        json.set("credit_error", credit);
    }

    /** Takes what a job read says; returns true when the state or the last log line changed. */
    public boolean observe(JsonNode job, String redactedLogLine, boolean sawJobDone) {
        String before = platformState();
        String beforeLog = json.path("last_log_line").isNull() ? null : json.path("last_log_line").asText();
        json.put("state", job.path("state").asText());
        if (redactedLogLine != null) {
            json.put("last_log_line", redactedLogLine);
        }
        if (sawJobDone) {
            json.put("job_done", true);
        }
        copyNumber(job, "cost_so_far_cents");
        copyNumber(job, "cost_actual_cents");
        copyText(job, "compute_error");
        copyText(job, "started_at");
        copyText(job, "finished_at");
        return !job.path("state").asText().equals(before)
                || redactedLogLine != null && !redactedLogLine.equals(beforeLog);
    }

    public Long costSoFarCents() {
        JsonNode cost = json.get("cost_actual_cents");
        if (cost == null || !cost.isNumber()) {
            cost = json.get("cost_so_far_cents");
        }
        return cost != null && cost.isNumber() ? cost.longValue() : null;
    }

    public String submittedAt() {
        JsonNode at = json.get("submitted_at");
        return at == null || at.isNull() ? null : at.asText();
    }

    public Path artifactsDir() {
        JsonNode dir = json.get("artifacts_dir");
        return dir == null || dir.isNull() ? null : Path.of(dir.asText());
    }

    public void artifactsDir(Path dir) {
        json.put("artifacts_dir", dir.toString());
    }

    public ArrayNode artifacts() {
        ArrayNode list = json.putArray("artifacts");
        return list;
    }

    private void copyNumber(JsonNode source, String name) {
        JsonNode value = source.get(name);
        if (value != null && value.isNumber()) {
            json.set(name, value);
        }
    }

    private void copyText(JsonNode source, String name) {
        JsonNode value = source.get(name);
        if (value != null && !value.isNull()) {
            json.put(name, value.isTextual() ? value.textValue() : value.toString());
        }
    }
}
