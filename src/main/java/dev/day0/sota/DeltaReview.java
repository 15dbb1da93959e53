package dev.day0.sota;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.core.Direction;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reviews a delta run (the reproduced baseline plus one change) against the baseline, metric by metric, and
 * suggests a failure class when the change did not help.
 *
 * <p>A metric is improved or regressed when it moved, in its direction, by more than its no-change band
 * (the metric's tolerance from the claims, else {@link Tolerance#DEFAULT}, applied to the baseline value), and
 * no_change otherwise. The rules for the outcome and the class, in order (the first that applies wins):
 * <ol>
 * <li>the delta job did not finish with JOB_DONE: could_not_judge, class from the job state
 *     (infrastructure for INFRA_TRANSIENT, bug for FAILED, none otherwise);</li>
 * <li>the delta's metrics are missing, empty, unparseable, not numbers or not finite: could_not_judge,
 *     infrastructure when the job printed JOB_DONE and the file is missing (lost after the run), bug otherwise;</li>
 * <li>every metric equals the baseline exactly: no_change, bug (the change was probably not applied);</li>
 * <li>some improved, none regressed: improved, no class;</li>
 * <li>some improved, some regressed: mixed, bad-hyperparam (a trade-off: tune before judging the idea);</li>
 * <li>every metric regressed: regressed, bad-hypothesis;</li>
 * <li>some regressed, the rest unchanged: regressed, bad-hyperparam;</li>
 * <li>nothing moved beyond its band: no_change, bad-hypothesis (the change has no measurable effect).</li>
 * </ol>
 */
public final class DeltaReview {
    /**
     * A metric to review.
     *
     * @param name its name (the key in metrics.json unless a pointer is given)
     * @param direction which way is better
     * @param pointer a JSON Pointer into metrics.json, or null
     * @param band the tolerance that defines "no change"
     */
    public record MetricSpec(String name, Direction direction, String pointer, Tolerance band) {
    }

    public enum Outcome {
        IMPROVED, NO_CHANGE, REGRESSED, MIXED, COULD_NOT_JUDGE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private DeltaReview() {
    }

    /**
     * @param specs the metrics to review, at least one
     * @param baseline the baseline's metrics; every reviewed metric must be a finite number in it
     * @param delta the delta's metrics
     * @param deltaState the delta job's state file, or null
     * @param description what the delta changed, in words
     * @throws InputException when the baseline cannot be used: a baseline is a judged run, not a guess
     */
    public static Judgment<Outcome> review(List<MetricSpec> specs, MetricsDocument baseline, MetricsDocument delta,
                                JobState deltaState, String description) {
        if (!baseline.usable()) {
            throw new InputException("--baseline", "", baseline.problem().detail());
        }
        String blocker = deltaState == null ? null : deltaState.blocker();
        ArrayNode rows = Json.array();
        int improved = 0;
        int regressed = 0;
        int unchanged = 0;
        int identical = 0;
        List<MetricsDocument.Problem> problems = new ArrayList<>();
        for (MetricSpec spec : specs) {
            MetricsDocument.Reading base = baseline.read(spec.name(), spec.pointer());
            if (!base.usable()) {
                throw new InputException("--baseline", "", base.problem().detail()
                        + " (the baseline must hold every reviewed metric as a finite number)");
            }
            ObjectNode row = rows.addObject();
            row.put("name", spec.name());
            row.put("direction", spec.direction().metricLabel());
            row.put("baseline", Decimals.round(base.value()));
            if (blocker != null) {
                row.putNull("delta");
                row.put("status", "could_not_judge");
                row.put("problem", "not read: " + blocker);
                continue;
            }
            MetricsDocument.Reading moved = delta.read(spec.name(), spec.pointer());
            if (!moved.usable()) {
                row.putNull("delta");
                row.put("status", "could_not_judge");
                row.put("problem", moved.problem().detail());
                problems.add(moved.problem());
                continue;
            }
            double b = base.value();
            double d = moved.value();
            double improvement = spec.direction().improvement(b, d);
            double band = spec.band().allowance(b);
            String status;
            if (Math.abs(improvement) <= band + Assessment.ROUNDING * Math.max(1.0, Math.abs(b))) {
                status = "no_change";
                unchanged++;
            } else if (improvement > 0) {
                status = "improved";
                improved++;
            } else {
                status = "regressed";
                regressed++;
            }
            if (d == b) {
                identical++;
            }
            row.put("delta", Decimals.round(d));
            row.put("status", status);
            row.put("change", Decimals.round(d - b));
            if (b == 0) {
                row.putNull("relative_change");
            } else {
                row.put("relative_change", Decimals.round((d - b) / Math.abs(b)));
            }
            row.put("improvement", Decimals.round(improvement));
            row.put("no_change_band", Decimals.round(band));
            row.set("tolerance", spec.band().toJson());
        }

        int total = specs.size();
        Outcome outcome;
        Attribution.Suggestion suggestion;
        String detail;
        if (blocker != null) {
            outcome = Outcome.COULD_NOT_JUDGE;
            suggestion = Attribution.forJob(deltaState);
            detail = "could not judge the delta: " + blocker;
        } else if (!problems.isEmpty()) {
            outcome = Outcome.COULD_NOT_JUDGE;
            suggestion = Attribution.forMetricsProblem(problems.get(0).kind(), deltaState);
            detail = "could not judge the delta: " + problems.get(0).detail();
        } else if (identical == total) {
            outcome = Outcome.NO_CHANGE;
            suggestion = new Attribution.Suggestion(SotaFailureClass.BUG, "every metric equals the baseline "
                    + "exactly: the change was probably not applied, or the baseline's results were reused");
            detail = "all " + total + " metrics are identical to the baseline";
        } else if (improved > 0 && regressed == 0) {
            outcome = Outcome.IMPROVED;
            suggestion = null;
            detail = improved + " of " + total + " metrics improved beyond the no-change band, none regressed";
        } else if (improved > 0) {
            outcome = Outcome.MIXED;
            suggestion = new Attribution.Suggestion(SotaFailureClass.BAD_HYPERPARAM, "some metrics improved and "
                    + "others regressed: a trade-off the change's settings may shift; tune before judging the idea");
            detail = improved + " improved, " + regressed + " regressed, " + unchanged + " unchanged";
        } else if (regressed == total) {
            outcome = Outcome.REGRESSED;
            suggestion = new Attribution.Suggestion(SotaFailureClass.BAD_HYPOTHESIS, "every metric regressed "
                    + "beyond its no-change band: the change makes the model worse");
            detail = "all " + total + " metrics regressed";
        } else if (regressed > 0) {
            outcome = Outcome.REGRESSED;
            suggestion = new Attribution.Suggestion(SotaFailureClass.BAD_HYPERPARAM, "some metrics regressed and "
                    + "none improved: the change hurts as set; try other settings before dropping the idea");
            detail = regressed + " of " + total + " metrics regressed, " + unchanged + " unchanged, none improved";
        } else {
            outcome = Outcome.NO_CHANGE;
            suggestion = new Attribution.Suggestion(SotaFailureClass.BAD_HYPOTHESIS, "no metric moved beyond its "
                    + "no-change band: the change has no measurable effect");
            detail = "no metric moved beyond its no-change band";
        }

        ObjectNode json = Judgment.document("outcome", outcome.label(), outcome == Outcome.IMPROVED, suggestion,
                detail);
        json.put("delta_description", description);
        ObjectNode counts = json.putObject("counts");
        counts.put("reviewed", total);
        counts.put("improved", improved);
        counts.put("no_change", unchanged);
        counts.put("regressed", regressed);
        counts.put("could_not_judge", total - improved - unchanged - regressed);
        ObjectNode baselineJson = json.putObject("baseline");
        baselineJson.put("metrics_file", baseline.source());
        ObjectNode deltaJson = json.putObject("delta");
        deltaJson.put("metrics_file", delta.source());
        deltaJson.set("job", deltaState == null ? null : deltaState.toJson());
        json.set("per_metric", rows);
        return new Judgment<>(outcome, suggestion == null ? null : suggestion.failureClass(), json);
    }
}
