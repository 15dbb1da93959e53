package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import java.nio.file.Path;

/**
 * How a submission ended, typed: the outcome (null when the job was left running with --no-wait and nothing is
 * known), the exit code {@code day0 rockie submit} reports for it, and what the state file recorded.
 */
public record SubmitResult(Outcome outcome, int exitCode, String jobId, String detail, Long costActualCents,
                           Path artifactsDir) {

    public boolean done() {
        return exitCode == RockieExit.DONE.code() && outcome == Outcome.DONE;
    }

    /** The result of a flow that ended with this exit code and this state (null when none was written). */
    static SubmitResult of(int exitCode, SubmissionState state) {
        JsonNode recorded = state == null ? Json.object() : state.json();
        String outcome = recorded.path("outcome").isTextual() ? recorded.get("outcome").textValue() : null;
        JsonNode cents = recorded.path("cost_actual_cents");
        return new SubmitResult(outcome == null ? null : Outcome.valueOf(outcome), exitCode,
                recorded.path("job_id").isTextual() ? recorded.get("job_id").textValue() : null,
                recorded.path("detail").isTextual() ? recorded.get("detail").textValue() : null,
                cents.isIntegralNumber() ? cents.longValue() : null,
                state == null ? null : state.artifactsDir());
    }
}
