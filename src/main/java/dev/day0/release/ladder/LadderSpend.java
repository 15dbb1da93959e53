package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.release.ReleasePlan;
import dev.day0.rockie.RockieException;
import dev.day0.rockie.SubmissionState;
import dev.day0.rockie.TermSheet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What a candidate's Rockie jobs cost, job by job. The platform's job record ({@code GET /api/jobs/{id}}) carries
 * {@code cost_actual_cents} once a job has ended, and the submit flow keeps it in the stage's
 * {@code submission.json}: a job that ended with that field counts at it ({@code billed}). A job submitted but not
 * ended, or ended without the field, counts at the most its approved sheet allows ({@code quoted}), as does every
 * job of a candidate still to run. A job never posted (no state file, or one the platform rejected) spent nothing
 * ({@code not submitted}). The budget check adds these up.
 */
final class LadderSpend {
    static final String BILLED = "billed";
    static final String QUOTED = "quoted";
    static final String NOT_SUBMITTED = "not submitted";
    /** The platform states after which a job accrues nothing more (docs/rockie.md, "Following the job"). */
    private static final Set<String> ENDED = Set.of("DONE", "FAILED", "CANCELLED");

    private LadderSpend() {
    }

    /** The most a sheet allows: its user budget, else its recommended budget, else its estimate; null if none. */
    static Long quoteOf(Path sheet, Redactor redactor) {
        if (sheet == null || !Files.isRegularFile(sheet)) {
            return null;
        }
        try {
            TermSheet read = TermSheet.read(sheet, redactor);
            Long cents = read.userBudgetCents() != null ? read.userBudgetCents()
                    : read.recommendedBudgetCents() != null ? read.recommendedBudgetCents() : read.estimateCents();
            return cents == null || cents < 0 ? null : cents;
        } catch (InputException | RockieException e) {
            return null;
        }
    }

    /**
     * A finished candidate's spend: {@code {cents, billed_cents, quoted_cents, jobs: [{stage, basis, cents,
     * job_id}]}}, or null when a submitted job's cost can be neither read nor quoted (the budget then treats the
     * candidate at its start quote).
     */
    static ObjectNode of(ReleasePlan candidatePlan, Path dir, Map<String, Path> approvals, Redactor redactor) {
        ObjectNode spend = Json.object();
        ArrayNode jobs = Json.array();
        long total = 0;
        long billed = 0;
        long quoted = 0;
        for (ReleasePlan.StageSpec spec : candidatePlan.workingStages()) {
            if (spec.runner() != ReleasePlan.Runner.ROCKIE) {
                continue;
            }
            Path stateDir = dir.resolve("rockie").resolve(spec.key());
            ObjectNode job = jobs.addObject();
            job.put("stage", spec.key());
            SubmissionState state;
            try {
                state = SubmissionState.readIfExists(stateDir.resolve("submission.json"));
            } catch (RockieException e) {
                state = null;
            }
            if (state == null || SubmissionState.PREPARED.equals(state.phase())
                    || SubmissionState.REJECTED.equals(state.phase())) {
                job.put("basis", NOT_SUBMITTED);
                job.put("cents", 0);
                continue;
            }
            job.put("job_id", state.jobId());
            JsonNode actual = state.json().get("cost_actual_cents");
            long cents;
            if (ENDED.contains(state.platformState()) && actual != null && actual.canConvertToLong()
                    && actual.isIntegralNumber() && actual.asLong() >= 0) {
                cents = actual.asLong();
                job.put("basis", BILLED);
                billed = Math.addExact(billed, cents);
            } else {
                Path sheet = stateDir.resolve("approved-term-sheet.json");
                Long quote = quoteOf(Files.isRegularFile(sheet) ? sheet : approvals.get(spec.key()), redactor);
                if (quote == null) {
                    return null;
                }
                cents = quote;
                job.put("basis", QUOTED);
                quoted = Math.addExact(quoted, cents);
            }
            job.put("cents", cents);
            total = Math.addExact(total, cents);
        }
        spend.put("cents", total);
        spend.put("billed_cents", billed);
        spend.put("quoted_cents", quoted);
        spend.set("jobs", jobs);
        return spend;
    }

    /** What a candidate counts against the budget: its spend once it ended, else its start quote. */
    static long committed(JsonNode entry) {
        JsonNode spend = entry.path("spend");
        if (spend.path("cents").isIntegralNumber()) {
            return spend.path("cents").asLong();
        }
        return entry.path("quoted_cents").asLong(0);
    }

    /** The report's cell: the total and how much of it is billed, the rest quoted. */
    static String describe(JsonNode entry) {
        JsonNode spend = entry.path("spend");
        if (spend.path("cents").isIntegralNumber()) {
            long billed = spend.path("billed_cents").asLong();
            long quoted = spend.path("quoted_cents").asLong();
            String total = LadderReport.dollars(spend.path("cents").asLong());
            if (quoted == 0 && billed == 0) {
                return total;
            }
            if (quoted == 0) {
                return total + " billed";
            }
            if (billed == 0) {
                return total + " quoted";
            }
            return total + " (" + LadderReport.dollars(billed) + " billed + " + LadderReport.dollars(quoted)
                    + " quoted)";
        }
        return entry.hasNonNull("quoted_cents") ? LadderReport.dollars(entry.get("quoted_cents").asLong())
                + " quoted" : "-";
    }
}
