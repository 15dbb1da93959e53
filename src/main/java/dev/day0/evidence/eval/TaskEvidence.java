package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * What the evaluation output proves about one task: its status, its canonical score and how many of the expected
 * items were scored, with where each number came from. Rendered twice: as the run summary entry the run gate
 * reads, and as the fuller entry of the inspection report.
 */
final class TaskEvidence {
    static final String SUCCESS = "SUCCESS";
    static final String MISSING = "MISSING";

    final String name;
    String source;
    String resultsFile;
    String status = SUCCESS;
    String metric;
    Boolean higherIsBetter;
    double scale = 1.0;
    String scaleFrom = "default (fractions)";
    Double reported;
    Long expected;
    String expectedFrom;
    Long scored;
    String scoredFrom;
    final List<String> samplesFiles = new ArrayList<>();
    Long sampleLines;
    final List<String> errors = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** The subtasks whose scores this task's score aggregates. */
    final List<String> covers = new ArrayList<>();
    /** Set when an error already says why the item count is unknown. */
    boolean expectedReported;
    private BigDecimal points;
    private boolean finished;

    TaskEvidence(String name, String source) {
        this.name = name;
        this.source = source;
    }

    /** Turns the reported value into points on 0-100 and records why the task cannot pass, when it cannot. */
    void finish(String expectedUnknownReason) {
        if (finished) {
            return;
        }
        finished = true;
        if (expected == null && !MISSING.equals(status) && !expectedReported) {
            errors.add(LmEvalResults.ACCOUNTING + "expected sample count unknown"
                    + (expectedUnknownReason != null ? " (" + expectedUnknownReason + ")" : "")
                    + ": set expected_samples for " + name + " in the task map");
        }
        if (reported == null) {
            return;
        }
        if (!Double.isFinite(reported)) {
            errors.add("score " + reported + " is not a finite number");
            return;
        }
        if (reported < 0 || reported > scale) {
            // The map's scale (or its default of 1) is what is wrong, not the count of items: the run gate must
            // not send the user to sample accounting for it.
            errors.add(LmEvalResults.TASK_MAP + "score " + reported + " is outside the metric's scale [0, "
                    + plain(scale) + "]; set scale for " + name + " in the task map (100 for a percentage)");
            return;
        }
        points = new BigDecimal(Double.toString(reported)).multiply(BigDecimal.valueOf(100))
                .divide(new BigDecimal(Double.toString(scale)), MathContext.DECIMAL64).stripTrailingZeros();
        if (points.scale() < 0) {
            points = points.setScale(0);
        }
    }

    /** The score on 0-100 that the score file holds, or null when there is no valid score. */
    BigDecimal points() {
        return points;
    }

    /** The entry of run-summary.json, exactly the fields the run gate reads. */
    ObjectNode runEntry() {
        ObjectNode json = Json.object();
        json.put("status", status);
        json.put("expected_samples", expected);
        json.put("scored_samples", scored);
        json.put("score", points);
        json.set("errors", Json.strings(errors));
        return json;
    }

    /** The entry of the inspection report: the run entry plus where every number came from. */
    ObjectNode reportEntry() {
        ObjectNode json = Json.object();
        json.put("source_task", source);
        json.put("results_file", resultsFile);
        json.put("status", status);
        json.put("metric", metric);
        json.put("higher_is_better", higherIsBetter);
        json.put("reported_score", reported);
        json.put("scale", scale);
        json.put("scale_from", scaleFrom);
        json.put("score", points);
        json.put("expected_samples", expected);
        json.put("expected_from", expectedFrom);
        json.put("scored_samples", scored);
        json.put("scored_from", scoredFrom);
        json.set("samples_files", Json.strings(samplesFiles));
        json.put("sample_lines", sampleLines);
        json.set("errors", Json.strings(errors));
        json.set("notes", Json.strings(notes));
        return json;
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
