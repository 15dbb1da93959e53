package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.util.Locale;

/**
 * The updates a job's dashboard note receives while day0 follows the job, in the shapes of the platform's submit
 * helper: {@code append} (status patch, state and log events, a first heartbeat verdict) while the job runs,
 * {@code finalize} (outcome, summary, final verdict) once it ends. Every summary passes the redactor.
 */
final class DashboardNote {
    private static final int SUMMARY_LIMIT = 900;

    private final String jobId;
    private final Redactor redactor;
    private String lastState;
    private String lastLog;
    private boolean heartbeatSent;

    DashboardNote(String jobId, Redactor redactor) {
        this.jobId = jobId;
        this.redactor = redactor;
    }

    /** The append body for this poll, or null when nothing changed since the last one that was sent. */
    ObjectNode append(JsonNode job) {
        String state = job.path("state").asText("UNKNOWN");
        String log = job.path("last_log_line").isTextual() ? job.get("last_log_line").asText() : null;
        boolean stateChanged = !state.equals(lastState);
        boolean logChanged = log != null && !log.equals(lastLog);
        boolean heartbeat = !heartbeatSent;
        lastState = state;
        if (log != null) {
            lastLog = log;
        }
        if (!stateChanged && !logChanged && !heartbeat) {
            return null;
        }
        ObjectNode body = Json.object();
        body.set("writer", writer());
        body.set("status_patch", statusPatch(job, false));
        ArrayNode metrics = body.putArray("metrics");
        if (heartbeat) {
            metrics.addObject().put("name", "gpu_utilization").put("state", "unavailable")
                    .put("reason_code", "telemetry_not_exposed")
                    .put("summary", "GPU utilization telemetry is unavailable from the job status API.");
        }
        ArrayNode events = body.putArray("events");
        if (stateChanged || heartbeat) {
            ObjectNode event = events.addObject().put("kind", "state").put("summary", "Job state is " + state + ".");
            event.putObject("payload").put("state", state);
        }
        if (logChanged || heartbeat) {
            if (log != null) {
                events.addObject().put("kind", "log").put("summary", summary(log)).putObject("payload")
                        .put("source", "job.last_log_line");
            } else {
                events.addObject().put("kind", "log").put("summary", "No job log line is available yet.")
                        .put("state", "unavailable").put("reason_code", "log_not_available");
            }
        }
        ArrayNode verdicts = body.putArray("verdicts");
        if (heartbeat) {
            verdicts.add(heartbeatVerdict(job, state));
        }
        return body;
    }

    /** Called when the platform accepted an append: the first heartbeat counts only once it landed. */
    void appended(ObjectNode body) {
        if (body.path("verdicts").size() > 0) {
            heartbeatSent = true;
        }
    }

    ObjectNode finalize(JsonNode job) {
        String state = job.path("state").asText("UNKNOWN");
        ObjectNode body = Json.object();
        body.set("writer", writer());
        body.put("outcome", switch (state) {
            case "DONE" -> "success";
            case "CANCELLED" -> "cancelled";
            default -> "failed";
        });
        StringBuilder summary = new StringBuilder("Job reached terminal state " + state + ".");
        JsonNode cost = job.hasNonNull("cost_actual_cents") ? job.get("cost_actual_cents")
                : job.get("cost_so_far_cents");
        if (cost != null && cost.isIntegralNumber()) {
            summary.append(" Cost reported: ").append(Money.format(cost.asLong())).append('.');
        }
        if (job.path("last_log_line").isTextual()) {
            summary.append(" Last log: ").append(job.get("last_log_line").asText());
        }
        String computeError = job.path("compute_error").isTextual() ? job.get("compute_error").asText() : null;
        if (computeError != null) {
            summary.append(" Execution warning: ").append(computeError);
        }
        body.put("summary", summary(summary.toString()));
        body.set("status_patch", statusPatch(job, true));
        String problem = computeError == null ? "" : computeError.toLowerCase(Locale.ROOT);
        boolean timeout = problem.contains("timeout") || problem.contains("timed out");
        boolean preempted = problem.contains("preempt") || problem.contains("evict") || problem.contains("interrupt");
        body.put("termination_outcome", !"DONE".equals(state) && (timeout || preempted) ? "pending_cleanup"
                : "not_attempted");
        ObjectNode verdict = body.putObject("verdict");
        ArrayNode refs = Json.array().add("job.state");
        if (computeError != null) {
            refs.add("job.compute_error");
        }
        switch (state) {
            case "DONE" -> verdict.put("verdict", "continue").put("reason_code", "job_completed")
                    .put("summary", "Job completed successfully.");
            case "CANCELLED" -> verdict.put("verdict", "warn").put("reason_code", "job_cancelled")
                    .put("summary", computeError == null ? "Job was cancelled." : summary(computeError));
            default -> verdict.put("verdict", "needs_human").put("reason_code", timeout ? "timeout_observed"
                    : preempted ? "preemption_observed" : "job_failed").put("summary", computeError == null
                    ? "Job failed before completion." : summary(computeError));
        }
        verdict.set("evidence_refs", "DONE".equals(state) ? Json.array().add("job.state") : refs);
        return body;
    }

    private ObjectNode writer() {
        return Json.object().put("job_backend", "gpu_job").put("job_id", jobId);
    }

    private ObjectNode statusPatch(JsonNode job, boolean last) {
        ObjectNode patch = Json.object();
        patch.put("job_state", job.path("state").asText(null));
        boolean hasLog = job.path("last_log_line").isTextual();
        patch.put("log_state", hasLog ? "available" : "unavailable");
        for (String field : new String[] {"cost_actual_cents", "cost_so_far_cents", "started_at"}) {
            if (job.hasNonNull(field)) {
                patch.set(field, job.get(field));
            }
        }
        if (hasLog) {
            patch.put("last_log_summary", summary(job.get("last_log_line").asText()));
        }
        if (last && job.hasNonNull("finished_at")) {
            patch.set("finished_at", job.get("finished_at"));
        }
        return patch;
    }

    private ObjectNode heartbeatVerdict(JsonNode job, String state) {
        ObjectNode verdict = Json.object();
        if (job.path("compute_error").isTextual()) {
            verdict.put("verdict", "warn").put("reason_code", "compute_error_observed")
                    .put("summary", "Job reported an execution warning while state is " + state + ".");
            verdict.putArray("evidence_refs").add("job.compute_error");
        } else {
            verdict.put("verdict", "continue").put("reason_code", "poll_heartbeat")
                    .put("summary", "Job is still active with state " + state + ".")
                    .put("next_heartbeat_seconds", 10);
            verdict.putArray("evidence_refs").add("job.state");
        }
        return verdict;
    }

    private String summary(String text) {
        String oneLine = redactor.redact(text).replace('\n', ' ').replace('\r', ' ').strip();
        return oneLine.length() > SUMMARY_LIMIT ? oneLine.substring(0, SUMMARY_LIMIT) + "..." : oneLine;
    }
}
