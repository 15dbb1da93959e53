package dev.day0.sota;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.io.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges a reproduction: each claimed metric against the reproduced one, with the metric's direction and
 * tolerance, then one verdict.
 *
 * <p>Order of the rules, each final: (1) a job state that shows the job did not finish with JOB_DONE gives
 * could_not_judge without reading any metric (an infrastructure failure is reported as such, never as a claim
 * mismatch); (2) a metrics file that is missing, empty, unparseable or not an object of metrics gives
 * could_not_judge; (3) any claimed metric that is absent, not a number, not finite or on another scale gives
 * could_not_judge; (4) otherwise reproduced when every metric is within tolerance, failed_to_reproduce when none is,
 * partially_reproduced in between. A job that finished is never a reason to call a mismatch a success.
 */
public final class Assessment {
    /** Slack for floating-point rounding when comparing a gap with its allowance: 1e-9 of the value's size. */
    static final double ROUNDING = 1e-9;

    /** The verdict; the label is its JSON value. */
    public enum Verdict {
        REPRODUCED("reproduced"),
        PARTIALLY_REPRODUCED("partially_reproduced"),
        FAILED_TO_REPRODUCE("failed_to_reproduce"),
        COULD_NOT_JUDGE("could_not_judge");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private Assessment() {
    }

    /**
     * @param claims the claims
     * @param metrics the reproduced metrics
     * @param state the job's state file, or null when none was given
     */
    public static Judgment<Verdict> assess(Claims claims, MetricsDocument metrics, JobState state) {
        ArrayNode rows = Json.array();
        int reproduced = 0;
        int notReproduced = 0;
        List<MetricsDocument.Problem> problems = new ArrayList<>();
        String blocker = state == null ? null : state.blocker();
        for (ClaimedMetric claim : claims.metrics()) {
            ObjectNode row = rows.addObject();
            row.put("name", claim.name());
            row.put("direction", claim.direction().metricLabel());
            row.put("claimed", Decimals.round(claim.value()));
            if (blocker != null) {
                row.putNull("reproduced");
                row.put("status", Verdict.COULD_NOT_JUDGE.label());
                row.put("problem", "not read: " + blocker);
                continue;
            }
            MetricsDocument.Reading reading = metrics.read(claim.name(), claim.pointer());
            Double readValue = reading.value();
            if (readValue != null) {
                MetricsDocument.Problem scale = scaleMismatch(claim, readValue);
                if (scale != null) {
                    reading = new MetricsDocument.Reading(null, scale);
                }
            }
            if (!reading.usable()) {
                if (readValue == null) {
                    row.putNull("reproduced");
                } else {
                    row.put("reproduced", Decimals.round(readValue));
                }
                row.put("status", Verdict.COULD_NOT_JUDGE.label());
                row.put("problem", reading.problem().detail());
                problems.add(reading.problem());
                continue;
            }
            double value = reading.value();
            double shortfall = -claim.direction().improvement(claim.value(), value);
            double allowance = claim.tolerance().allowance(claim.value());
            boolean within = shortfall <= allowance + ROUNDING * Math.max(1.0, Math.abs(claim.value()));
            row.put("reproduced", Decimals.round(value));
            row.put("status", within ? "reproduced" : "not_reproduced");
            row.put("difference", Decimals.round(value - claim.value()));
            row.put("absolute_gap", Decimals.round(shortfall));
            if (claim.value() == 0) {
                row.putNull("relative_gap");
            } else {
                row.put("relative_gap", Decimals.round(shortfall / Math.abs(claim.value())));
            }
            row.put("allowed_shortfall", Decimals.round(allowance));
            row.set("tolerance", claim.tolerance().toJson());
            row.put("exceeds_claim", -shortfall > allowance);
            if (within) {
                reproduced++;
            } else {
                notReproduced++;
            }
        }

        int total = claims.metrics().size();
        Verdict verdict;
        Attribution.Suggestion suggestion = null;
        String detail;
        if (blocker != null) {
            verdict = Verdict.COULD_NOT_JUDGE;
            suggestion = Attribution.forJob(state);
            detail = "could not judge: " + blocker;
        } else if (!problems.isEmpty()) {
            verdict = Verdict.COULD_NOT_JUDGE;
            suggestion = Attribution.forMetricsProblem(problems.get(0).kind(), state);
            detail = "could not judge: " + (metrics.usable() ? problems.size() + " of " + total
                    + " claimed metrics cannot be compared; first: " + problems.get(0).detail()
                    : problems.get(0).detail());
        } else if (reproduced == total) {
            verdict = Verdict.REPRODUCED;
            detail = "all " + total + " claimed metrics reproduced within tolerance";
        } else if (reproduced == 0) {
            verdict = Verdict.FAILED_TO_REPRODUCE;
            detail = "none of the " + total + " claimed metrics reproduced within tolerance";
        } else {
            verdict = Verdict.PARTIALLY_REPRODUCED;
            detail = reproduced + " of " + total + " claimed metrics reproduced within tolerance; "
                    + notReproduced + " fell short";
        }

        ObjectNode json = Judgment.document("verdict", verdict.label(), verdict == Verdict.REPRODUCED, suggestion,
                detail);
        ObjectNode counts = json.putObject("counts");
        counts.put("claimed", total);
        counts.put("reproduced", reproduced);
        counts.put("not_reproduced", notReproduced);
        counts.put("could_not_judge", total - reproduced - notReproduced);
        json.put("metrics_file", metrics.source());
        json.set("job", state == null ? null : state.toJson());
        json.set("per_metric", rows);
        return new Judgment<>(verdict, suggestion == null ? null : suggestion.failureClass(), json);
    }

    /**
     * A reproduced value that misses the claim but matches it once multiplied or divided by 100 was reported on
     * another scale (a fraction against a percentage): comparing the two would call a unit error a failure.
     */
    static MetricsDocument.Problem scaleMismatch(ClaimedMetric claim, double value) {
        double claimed = claim.value();
        double allowance = claim.tolerance().allowance(claimed);
        double shortfall = -claim.direction().improvement(claimed, value);
        if (shortfall <= allowance) {
            return null;
        }
        boolean fractionForPercent = Math.abs(claimed) > 1 && Math.abs(value) <= 1
                && Math.abs(value * 100 - claimed) <= allowance;
        boolean percentForFraction = Math.abs(claimed) <= 1 && Math.abs(value) > 1 && Math.abs(value) <= 100
                && Math.abs(value / 100 - claimed) <= allowance;
        if (!fractionForPercent && !percentForFraction) {
            return null;
        }
        return new MetricsDocument.Problem(MetricsDocument.ProblemKind.SCALE_MISMATCH, claim.name() + ": "
                + "reproduced " + Decimals.text(value) + " matches the claimed " + Decimals.text(claimed)
                + (fractionForPercent ? " only as a percentage (x100)" : " only as a fraction (/100)")
                + ": the two are on different scales");
    }
}
