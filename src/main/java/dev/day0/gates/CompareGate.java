package dev.day0.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.triage.Decision;
import dev.day0.triage.FailureClass;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a candidate's per-task scores with the baseline's and decides ACCEPT, REGRESSION or ANOMALOUS.
 *
 * <p>The rules follow the upstream {@code gate_compare.py} so teams can swap one for the other; where this gate
 * differs (signed score ranges, a REGRESSION detail that says by how much, a published-baseline check) the
 * difference only adds information or fails closed. See docs/gates.md.
 */
public final class CompareGate {
    public static final double DEFAULT_THRESHOLD = 0.01;
    /** A candidate better than its baseline by more than this fraction of the scale is not plausible. */
    public static final double IMPLAUSIBLE_GAIN = 0.05;
    /** Points on a 0-100 scale a measured baseline may differ from the published one. */
    public static final double PUBLISHED_TOLERANCE_POINTS = 5.0;

    private final double threshold;
    private final boolean relative;
    private final JsonNode scales;
    private final JsonNode published;
    private final String publishedSource;

    /**
     * @param threshold the largest allowed drop, as a fraction of the scale (or of the baseline with relative)
     * @param relative measure drops relative to the baseline score
     * @param scales the {@code --scales} document, or null
     * @param published a {@code {task: score}} document of published baseline scores, or null
     * @param publishedSource the name of the published file, for error messages
     */
    public CompareGate(double threshold, boolean relative, JsonNode scales, JsonNode published,
                       String publishedSource) {
        if (!Double.isFinite(threshold) || threshold < 0) {
            throw new InputException("--threshold", "", "must be a finite number of at least 0, got "
                    + threshold);
        }
        this.threshold = threshold;
        this.relative = relative;
        this.scales = scales;
        this.published = published;
        this.publishedSource = publishedSource;
    }

    public double threshold() {
        return threshold;
    }

    /**
     * Evaluates the gate.
     *
     * @throws InputException when a score file is not a JSON object (the gate cannot run at all)
     */
    public GateResult evaluate(JsonNode baselineDoc, String baselineSource, JsonNode candidateDoc,
                               String candidateSource) {
        ObjectNode baseline = new Fields(baselineSource).requireObject(baselineDoc, "");
        ObjectNode candidate = new Fields(candidateSource).requireObject(candidateDoc, "");

        Map<String, TaskScale> taskScales = new LinkedHashMap<>();
        String scaleProblem = parseScales(taskScales, baseline, candidate);
        if (scaleProblem != null) {
            return anomalous(FailureClass.USER_CONFIG_ERROR, scaleProblem, Json.object());
        }

        TreeSet<String> baselineTasks = names(baseline);
        TreeSet<String> candidateTasks = names(candidate);
        if (!baselineTasks.equals(candidateTasks)) {
            return anomalous(FailureClass.SAMPLE_ACCOUNTING_FAILED,
                    describeTaskSetMismatch(baselineTasks, candidateTasks), Json.object());
        }
        if (baselineTasks.isEmpty()) {
            return anomalous(FailureClass.USER_CONFIG_ERROR, "no tasks to compare: both score files are empty",
                    Json.object());
        }

        requirePublishedOverlap(baselineTasks);
        ObjectNode perTask = Json.object();
        List<String> anomalies = new ArrayList<>();
        List<String> breaches = new ArrayList<>();
        List<String> publishedMismatches = new ArrayList<>();
        for (String task : baselineTasks) {
            TaskScale scale = taskScales.getOrDefault(task, TaskScale.UNDECLARED);
            JsonNode b = baseline.get(task);
            JsonNode c = candidate.get(task);
            ObjectNode row = perTask.putObject(task);
            String problem = invalidScore("baseline", b, scale);
            if (problem == null) {
                problem = invalidScore("candidate", c, scale);
            }
            if (problem != null) {
                row.set("baseline", Fields.echo(b));
                row.set("candidate", Fields.echo(c));
                row.put("within_threshold", false);
                row.put("anomaly", problem);
                anomalies.add(task + ": " + problem);
                continue;
            }
            double bv = b.doubleValue();
            double cv = c.doubleValue();
            double divisor = scale.divisorFor(bv, cv);
            double dropFraction;
            if (relative) {
                dropFraction = bv == 0 ? 0.0 : (bv - cv) / Math.abs(bv);
            } else {
                dropFraction = (bv - cv) / divisor;
            }
            boolean within = dropFraction <= threshold;
            row.put("baseline", Numbers.round(bv, 4));
            row.put("candidate", Numbers.round(cv, 4));
            row.put("drop", Numbers.round(bv - cv, 4));
            row.put("drop_fraction", Numbers.round(dropFraction, 4));
            if (scale.range()) {
                ObjectNode range = row.putObject("scale");
                range.put("min", Numbers.round(scale.min(), 4));
                range.put("max", Numbers.round(scale.max(), 4));
            } else {
                row.put("scale", Numbers.round(divisor, 4));
            }
            row.put("within_threshold", within);
            double gain = (cv - bv) / divisor;
            if (gain > IMPLAUSIBLE_GAIN) {
                String text = "candidate gains " + Numbers.fixed(gain * 100, 2) + " points over the baseline ("
                        + Numbers.plain(bv) + " -> " + Numbers.plain(cv) + "), more than "
                        + Numbers.plain(IMPLAUSIBLE_GAIN * 100) + " is implausible";
                row.put("anomaly", text);
                anomalies.add(task + ": " + text);
            }
            if (!within) {
                breaches.add(task + " drop " + Numbers.against(dropFraction, threshold, 4) + " > limit "
                        + Numbers.fixed(threshold, 4) + (relative ? " (relative to the baseline)"
                        : " (" + Numbers.fixed((bv - cv) / divisor * 100, 2) + " points)"));
            }
            checkPublished(task, bv, divisor, row, publishedMismatches);
        }

        ObjectNode body = body(perTask);
        if (!anomalies.isEmpty() || !publishedMismatches.isEmpty()) {
            List<String> all = new ArrayList<>(anomalies);
            all.addAll(publishedMismatches);
            FailureClass failureClass = anomalies.isEmpty() ? FailureClass.EXTERNAL_BASELINE_MISMATCH
                    : FailureClass.UNKNOWN;
            return new GateResult("compare", false, Decision.ANOMALOUS, failureClass,
                    "anomalies: " + String.join("; ", all), body);
        }
        if (!breaches.isEmpty()) {
            return new GateResult("compare", false, Decision.REGRESSION, null,
                    "regression on " + breaches.size() + " of " + baselineTasks.size() + " tasks: "
                            + String.join("; ", breaches), body);
        }
        return new GateResult("compare", true, Decision.ACCEPT, null,
                "all " + baselineTasks.size() + " tasks within threshold " + Numbers.plain(threshold)
                        + (relative ? " (relative)" : ""), body);
    }

    private GateResult anomalous(FailureClass failureClass, String detail, ObjectNode perTask) {
        return new GateResult("compare", false, Decision.ANOMALOUS, failureClass, detail, body(perTask));
    }

    /** per_task, then the rule it was judged by, so a report can name the limit without the command line. */
    private ObjectNode body(ObjectNode perTask) {
        ObjectNode body = Json.object();
        body.set("per_task", perTask);
        body.put("threshold", Numbers.round(threshold, 6));
        body.put("relative", relative);
        return body;
    }

    private String parseScales(Map<String, TaskScale> into, ObjectNode baseline, ObjectNode candidate) {
        if (scales == null || scales.isNull()) {
            return null;
        }
        if (!scales.isObject()) {
            return "--scales must map task names to scales, found " + Fields.describe(scales);
        }
        List<String> problems = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = scales.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            String task = entry.getKey();
            JsonNode value = entry.getValue();
            if (!baseline.has(task) && !candidate.has(task)) {
                problems.add(task + ": not a task in the score files");
                continue;
            }
            if (value.isObject()) {
                Double min = Fields.finiteNumber(value.get("min"));
                Double max = Fields.finiteNumber(value.get("max"));
                if (min == null || max == null || value.size() != 2 || !(max > min)) {
                    problems.add(task + ": a range must be {\"min\": a, \"max\": b} with finite a < b, found "
                            + Json.writeLine(value));
                } else {
                    into.put(task, TaskScale.range(min, max));
                }
                continue;
            }
            Double divisor = Fields.finiteNumber(value);
            if (divisor == null || divisor <= 0) {
                problems.add(task + ": scale must be a positive finite number, found " + Fields.describe(value));
            } else {
                into.put(task, TaskScale.divisor(divisor));
            }
        }
        return problems.isEmpty() ? null : "invalid --scales: " + String.join("; ", problems);
    }

    private static String invalidScore(String side, JsonNode value, TaskScale scale) {
        if (value == null || value.isNull()) {
            return side + " score is null";
        }
        if (!value.isNumber()) {
            return side + " score is not a number: " + Fields.describe(value);
        }
        double v = value.doubleValue();
        if (!Double.isFinite(v)) {
            return side + " score is not finite: " + value.asText();
        }
        if (!scale.contains(v)) {
            return side + " score " + Numbers.plain(v) + " is outside " + scale.describeRange();
        }
        return null;
    }

    private void checkPublished(String task, double measured, double divisor, ObjectNode row,
                                List<String> mismatches) {
        if (published == null || !published.has(task)) {
            return;
        }
        JsonNode value = published.get(task);
        Double publishedScore = Fields.finiteNumber(value);
        if (publishedScore == null) {
            throw new InputException(publishedSource, task, "must be a finite number, found "
                    + Fields.describe(value));
        }
        double apartPoints = Math.abs(measured - publishedScore) / divisor * 100;
        row.put("published_baseline", Numbers.round(publishedScore, 4));
        if (apartPoints > PUBLISHED_TOLERANCE_POINTS) {
            mismatches.add(task + ": measured baseline " + Numbers.plain(measured) + " is "
                    + Numbers.fixed(apartPoints, 2) + " points from the published " + Numbers.plain(publishedScore)
                    + " (more than " + Numbers.plain(PUBLISHED_TOLERANCE_POINTS) + ")");
        }
    }

    private void requirePublishedOverlap(TreeSet<String> tasks) {
        if (published == null) {
            return;
        }
        new Fields(publishedSource).requireObject(published, "");
        for (String task : tasks) {
            if (published.has(task)) {
                return;
            }
        }
        throw new InputException(publishedSource, "", "names none of the compared tasks ("
                + String.join(", ", tasks) + ")");
    }

    private static TreeSet<String> names(ObjectNode doc) {
        TreeSet<String> names = new TreeSet<>();
        doc.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String describeTaskSetMismatch(TreeSet<String> baseline, TreeSet<String> candidate) {
        TreeSet<String> missingInCandidate = new TreeSet<>(baseline);
        missingInCandidate.removeAll(candidate);
        TreeSet<String> missingInBaseline = new TreeSet<>(candidate);
        missingInBaseline.removeAll(baseline);
        List<String> parts = new ArrayList<>();
        if (!missingInCandidate.isEmpty()) {
            parts.add("missing from candidate: " + String.join(", ", missingInCandidate));
        }
        if (!missingInBaseline.isEmpty()) {
            parts.add("missing from baseline: " + String.join(", ", missingInBaseline));
        }
        return "task sets differ: " + String.join("; ", parts);
    }
}
