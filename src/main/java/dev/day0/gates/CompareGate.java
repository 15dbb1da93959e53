package dev.day0.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.core.Decision;
import dev.day0.core.Direction;
import dev.day0.core.FailureClass;
import dev.day0.core.Threshold;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.noise.DropInterval;
import dev.day0.noise.NoiseJudge;
import dev.day0.noise.NoiseMode;
import dev.day0.noise.NoisePolicy;
import dev.day0.noise.TaskAssessment;
import dev.day0.noise.TaskPolicy;
import dev.day0.noise.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a candidate's per-task scores with the baseline's and decides ACCEPT, REGRESSION or ANOMALOUS.
 *
 * <p>The rules follow the upstream {@code gate_compare.py} so teams can swap one for the other; where this gate
 * differs (signed score ranges, a REGRESSION detail that says by how much, a published-baseline check) the
 * difference only adds information or fails closed. See docs/gates.md.
 *
 * <p>With a policy ({@code --policy}) each task has its own tier, threshold and direction; with a noise judge
 * ({@code --noise paired|unpaired}) each task gets a verdict from a 95 % interval of its drop instead of the point
 * rule: any blocking BREACH is a REGRESSION, else any blocking INSUFFICIENT_EVIDENCE is NEEDS_HUMAN (inconclusive,
 * with the evidence needed), else ACCEPT. Without either, the gate is exactly the point rule. See docs/noise.md.
 */
public final class CompareGate {
    /** A candidate better than its baseline by more than this fraction of the scale is not plausible. */
    public static final double IMPLAUSIBLE_GAIN = 0.05;
    /** Points on a 0-100 scale a measured baseline may differ from the published one. */
    public static final double PUBLISHED_TOLERANCE_POINTS = 5.0;

    private final double threshold;
    private final boolean relative;
    private final JsonNode scales;
    private final JsonNode published;
    private final String publishedSource;
    private final NoisePolicy policy;
    private final NoiseJudge judge;

    /**
     * @param threshold the largest allowed drop, as a fraction of the scale (or of the baseline with relative)
     * @param relative measure drops relative to the baseline score
     * @param scales the {@code --scales} document, or null
     * @param published a {@code {task: score}} document of published baseline scores, or null
     * @param publishedSource the name of the published file, for error messages
     */
    public CompareGate(double threshold, boolean relative, JsonNode scales, JsonNode published,
                       String publishedSource) {
        this(threshold, relative, scales, published, publishedSource, NoisePolicy.none(), null);
    }

    /**
     * @param policy per-task tiers, thresholds and directions ({@link NoisePolicy#none()} for none)
     * @param judge the noise-aware judge, or null for the point rule
     */
    public CompareGate(double threshold, boolean relative, JsonNode scales, JsonNode published,
                       String publishedSource, NoisePolicy policy, NoiseJudge judge) {
        this.threshold = Threshold.require(threshold, "--threshold", "");
        this.relative = relative;
        this.scales = scales;
        this.published = published;
        this.publishedSource = publishedSource;
        this.policy = policy == null ? NoisePolicy.none() : policy;
        this.judge = judge;
        if (relative && (this.policy.present() || judge != null)) {
            throw new InputException("--relative", "", "cannot be combined with --policy or --noise; use the "
                    + "policy's relative_guard to limit drops on low baselines");
        }
    }

    /** Whether tasks get a policy and a verdict (a policy or a noise judge is given), not just the point rule. */
    private boolean judged() {
        return policy.present() || judge != null;
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
        if (judged()) {
            policy.requireKnownTasks(baselineTasks);
        }
        ObjectNode perTask = Json.object();
        List<String> anomalies = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        List<String> breaches = new ArrayList<>();
        List<String> publishedMismatches = new ArrayList<>();
        List<String> accounting = new ArrayList<>();
        List<String> inconclusive = new ArrayList<>();
        List<String> notBlocking = new ArrayList<>();
        Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
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
            TaskPolicy rules = judged() ? policy.forTask(task, threshold) : null;
            Direction direction = rules == null ? Direction.HIGHER : rules.direction();
            // For "higher is better" this is bv - cv, exactly the upstream drop.
            double worse = direction.worsening(bv, cv);
            double dropFraction;
            if (relative) {
                dropFraction = bv == 0 ? 0.0 : worse / Math.abs(bv);
            } else {
                dropFraction = worse / divisor;
            }
            double gain = direction.worsening(cv, bv) / divisor;
            double limit = rules == null ? threshold : rules.limit(bv / divisor);
            String uncomputable = uncomputable(task, bv, scale, relative, worse, dropFraction, gain, limit,
                    baselineSource);
            if (uncomputable != null) {
                row.set("baseline", Fields.echo(b));
                row.set("candidate", Fields.echo(c));
                row.put("within_threshold", false);
                row.put("anomaly", uncomputable);
                unusable.add(uncomputable);
                continue;
            }
            boolean within = dropFraction <= limit;
            row.put("baseline", Decimals.round(bv, 4));
            row.put("candidate", Decimals.round(cv, 4));
            row.put("drop", Decimals.round(worse, 4));
            row.put("drop_fraction", Decimals.round(dropFraction, 4));
            if (scale.range()) {
                ObjectNode range = row.putObject("scale");
                range.put("min", Decimals.round(scale.min(), 4));
                range.put("max", Decimals.round(scale.max(), 4));
            } else {
                row.put("scale", Decimals.round(divisor, 4));
            }
            row.put("within_threshold", within);
            if (gain > IMPLAUSIBLE_GAIN) {
                String text = "candidate gains " + Numbers.fixed(gain * 100, 2) + " points over the baseline ("
                        + Numbers.plain(bv) + " -> " + Numbers.plain(cv) + "), more than "
                        + Numbers.plain(IMPLAUSIBLE_GAIN * 100) + " is implausible";
                row.put("anomaly", text);
                anomalies.add(task + ": " + text);
            }
            String pointBreach = task + " drop " + Numbers.against(dropFraction, limit, 4) + " > limit "
                    + Numbers.fixed(limit, 4) + (relative ? " (relative to the baseline)"
                    : " (" + Numbers.fixed(worse / divisor * 100, 2) + " points)");
            if (rules == null) {
                if (!within) {
                    breaches.add(pointBreach);
                }
            } else {
                judgeTask(task, rules, new NoiseJudge.Scores(bv, cv, divisor, scale.range()), dropFraction, limit,
                        pointBreach, row, new Tally(breaches, accounting, inconclusive, notBlocking, verdicts));
            }
            checkPublished(task, bv, divisor, row, publishedMismatches);
        }

        ObjectNode body = body(perTask);
        if (judged()) {
            body.put("policy", policy.source());
            ObjectNode noise = body.putObject("noise");
            noise.put("mode", (judge == null ? NoiseMode.OFF : judge.mode()).name().toLowerCase(Locale.ROOT));
            noise.put("confidence", judge == null ? null : Decimals.round(DropInterval.CONFIDENCE, 2));
            ObjectNode counts = noise.putObject("verdicts");
            for (Verdict verdict : Verdict.values()) {
                counts.put(verdict.name(), verdicts.getOrDefault(verdict, 0));
            }
        }
        if (!unusable.isEmpty()) {
            return new GateResult("compare", false, Decision.ANOMALOUS, FailureClass.USER_CONFIG_ERROR,
                    "cannot compute the drop: " + String.join("; ", unusable), body);
        }
        if (!anomalies.isEmpty() || !publishedMismatches.isEmpty() || !accounting.isEmpty()) {
            List<String> all = new ArrayList<>(anomalies);
            all.addAll(publishedMismatches);
            FailureClass failureClass = !anomalies.isEmpty() ? FailureClass.UNKNOWN
                    : !accounting.isEmpty() ? FailureClass.SAMPLE_ACCOUNTING_FAILED
                    : FailureClass.EXTERNAL_BASELINE_MISMATCH;
            String detail = all.isEmpty() ? "" : "anomalies: " + String.join("; ", all);
            if (!accounting.isEmpty()) {
                detail = (detail.isEmpty() ? "" : detail + "; ") + "sample accounting failed: "
                        + String.join("; ", accounting);
            }
            return new GateResult("compare", false, Decision.ANOMALOUS, failureClass, detail, body);
        }
        if (!breaches.isEmpty()) {
            return new GateResult("compare", false, Decision.REGRESSION, null,
                    "regression on " + breaches.size() + " of " + baselineTasks.size() + " tasks: "
                            + String.join("; ", breaches) + notBlockingSuffix(inconclusive, notBlocking), body);
        }
        if (!inconclusive.isEmpty()) {
            return new GateResult("compare", false, Decision.NEEDS_HUMAN, null,
                    "inconclusive on " + inconclusive.size() + " of " + baselineTasks.size()
                            + " tasks (the evidence cannot tell the drop from noise at the limit): "
                            + String.join("; ", inconclusive) + notBlockingSuffix(List.of(), notBlocking), body);
        }
        if (judged()) {
            return new GateResult("compare", true, Decision.ACCEPT, null,
                    "all " + baselineTasks.size() + " tasks within their limits"
                            + (judge == null ? "" : " at 95 % confidence")
                            + notBlockingSuffix(List.of(), notBlocking), body);
        }
        return new GateResult("compare", true, Decision.ACCEPT, null,
                "all " + baselineTasks.size() + " tasks within threshold " + Numbers.plain(threshold)
                        + (relative ? " (relative)" : ""), body);
    }

    private static String notBlockingSuffix(List<String> inconclusive, List<String> notBlocking) {
        StringBuilder text = new StringBuilder();
        if (!inconclusive.isEmpty()) {
            text.append("; also inconclusive: ").append(String.join("; ", inconclusive));
        }
        if (!notBlocking.isEmpty()) {
            text.append("; not blocking: ").append(String.join(", ", notBlocking));
        }
        return text.toString();
    }

    /** Where the verdicts of judged tasks are collected for the decision. */
    private record Tally(List<String> breaches, List<String> accounting, List<String> inconclusive,
                         List<String> notBlocking, Map<Verdict, Integer> verdicts) {
    }

    /**
     * Gives a task its verdict under the policy: the point rule's when there is no noise judge, else the judge's;
     * writes tier, direction, limit, verdict, blocking and the evidence into the row.
     */
    private void judgeTask(String task, TaskPolicy rules, NoiseJudge.Scores scores, double dropFraction, double limit,
                           String pointBreach, ObjectNode row, Tally tally) {
        row.put("tier", rules.tier().label());
        row.put("direction", rules.direction().label());
        row.put("limit", Decimals.round(limit, 6));
        Verdict verdict;
        String clause;
        TaskAssessment assessment = null;
        if (judge == null) {
            verdict = dropFraction <= limit ? Verdict.PASS : Verdict.BREACH;
            clause = pointBreach;
        } else {
            assessment = judge.assess(task, rules, scores, limit);
            if (assessment.accountingProblem() != null) {
                row.put("within_threshold", false);
                row.putNull("verdict");
                row.put("sample_accounting", assessment.accountingProblem());
                tally.accounting().add(assessment.describe(task, limit));
                return;
            }
            verdict = assessment.verdict();
            clause = assessment.describe(task, limit);
            row.put("within_threshold", verdict == Verdict.PASS);
        }
        boolean blocking = rules.tier().blocks(verdict, dropFraction, limit);
        row.put("verdict", verdict.name());
        row.put("blocking", blocking);
        if (assessment != null) {
            assessment.writeTo(row);
        }
        tally.verdicts().merge(verdict, 1, Integer::sum);
        if (blocking && verdict == Verdict.BREACH) {
            tally.breaches().add(clause);
        } else if (blocking) {
            tally.inconclusive().add(clause);
        } else if (verdict != Verdict.PASS) {
            tally.notBlocking().add(task + " (" + rules.tier().label() + ", " + verdict.name() + ")");
        }
    }

    private GateResult anomalous(FailureClass failureClass, String detail, ObjectNode perTask) {
        return new GateResult("compare", false, Decision.ANOMALOUS, failureClass, detail, body(perTask));
    }

    /** per_task, then the rule it was judged by, so a report can name the limit without the command line. */
    private ObjectNode body(ObjectNode perTask) {
        ObjectNode body = Json.object();
        body.set("per_task", perTask);
        body.put("threshold", Decimals.round(threshold, 6));
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
                if (min == null || max == null || value.size() != 2 || !(max > min)
                        || !Double.isFinite(max - min)) {
                    problems.add(task + ": a range must be {\"min\": a, \"max\": b} with finite a < b and a "
                            + "finite width b - a, found " + describeRange(value));
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

    /** A bad range as read, bounded: its min and max (or what stands in their place), never the whole value. */
    private static String describeRange(JsonNode value) {
        return "{min: " + Fields.describe(value.get("min")) + ", max: " + Fields.describe(value.get("max"))
                + (value.size() > 2 ? ", and " + (value.size() - 2) + " other field(s)" : "") + "}";
    }

    /**
     * Why a task's figures cannot be computed (a drop, gain or limit that is not a finite number: a baseline
     * next to 0 with --relative, a scale of 1e-320), or null when they all can. Names where the problem is.
     */
    private static String uncomputable(String task, double baseline, TaskScale scale, boolean relative, double worse,
                                       double dropFraction, double gain, double limit, String baselineSource) {
        if (Double.isFinite(worse) && Double.isFinite(dropFraction) && Double.isFinite(gain)
                && Double.isFinite(limit)) {
            return null;
        }
        if (relative && !Double.isFinite(dropFraction) && Double.isFinite(worse)) {
            return baselineSource + ": " + task + ": the baseline " + Numbers.plain(baseline) + " is too close to 0 "
                    + "for --relative: the drop relative to it is not a finite number";
        }
        if (scale.declared()) {
            return "--scales: " + task + ": the scale " + (scale.range() ? scale.describeRange()
                    : Numbers.plain(scale.divisor())) + " turns the scores' difference into a drop that is not a "
                    + "finite number";
        }
        return baselineSource + ": " + task + ": the drop is not a finite number";
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
        row.put("published_baseline", Decimals.round(publishedScore, 4));
        if (!Double.isFinite(apartPoints)) {
            mismatches.add(task + ": measured baseline " + Numbers.plain(measured) + " and the published "
                    + Numbers.plain(publishedScore) + " (" + publishedSource + ") are too far apart to compare");
        } else if (apartPoints > PUBLISHED_TOLERANCE_POINTS) {
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
