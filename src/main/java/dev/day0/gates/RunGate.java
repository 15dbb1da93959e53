package dev.day0.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import dev.day0.core.FailureClass;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Judges whether an evaluation run finished and can be trusted: every task terminal and successful, no judge or
 * auth errors, every expected sample scored, and a numeric score. The run's failure class is the most urgent one
 * found, so triage acts on the cause (a dead server) before its symptoms (missing scores).
 */
public final class RunGate {
    static final Set<String> NOT_TERMINAL = Set.of("TIMEOUT", "RESUMING", "RUNNING", "PENDING");
    static final String SUCCESS = "SUCCESS";
    static final String DEPLOYMENT_FAILED = "DEPLOYMENT_FAILED";

    /**
     * Judge, rate-limit and auth trouble, matched as whole words: "author" or "authority" are not auth errors.
     * HTTP codes count only where they read as HTTP statuses, not as any number that happens to be 429.
     */
    static final Pattern JUDGE_OR_AUTH = Pattern.compile("(?i)\\b(?:judge|rate[ _-]?limit(?:ed|s)?|ratelimit(?:ed)?|"
            + "unauthori[sz]ed|auth|authentication|too many requests)\\b"
            + "|\\bhttp(?:/[0-9.]+)?\\s*(?:error\\s*)?[:=]?\\s*(?:401|403|429)\\b"
            + "|\\b(?:401|403|429)\\s+(?:unauthori[sz]ed|forbidden|too many requests|client error)\\b"
            + "|\\bstatus(?:[ _]code)?\\s*[:=]?\\s*(?:401|403|429)\\b");

    private enum Kind {
        DEPLOYMENT(FailureClass.DEPLOYMENT_HEALTH_FAILED),
        JUDGE(FailureClass.EVAL_JUDGE_FAILED),
        NOT_TERMINAL(FailureClass.INFRA_TRANSIENT),
        ACCOUNTING(FailureClass.SAMPLE_ACCOUNTING_FAILED),
        CONFIG(FailureClass.USER_CONFIG_ERROR),
        OTHER(FailureClass.UNKNOWN);

        private final FailureClass failureClass;

        Kind(FailureClass failureClass) {
            this.failureClass = failureClass;
        }
    }

    /**
     * Evaluates a run summary.
     *
     * @param run the run summary document
     * @param source the file name, for error messages
     * @param serving serving-probe evidence ({@code healthy}, checks) or null
     * @param servingSource the serving evidence file name
     * @throws dev.day0.io.InputException when a field has the wrong type
     */
    public GateResult evaluate(JsonNode run, String source, JsonNode serving, String servingSource) {
        Fields fields = new Fields(source);
        ObjectNode root = fields.requireObject(run, "");
        EnumSet<Kind> kinds = EnumSet.noneOf(Kind.class);
        List<String> runReasons = new ArrayList<>();

        ObjectNode deployment = fields.optionalObject(root, "deployment", "deployment");
        String deploymentProblem = unhealthy(deployment, fields, "deployment");
        if (deploymentProblem != null) {
            runReasons.add("deployment unhealthy: " + deploymentProblem);
            kinds.add(Kind.DEPLOYMENT);
        }
        if (serving != null) {
            Fields servingFields = new Fields(servingSource);
            ObjectNode evidence = servingFields.requireObject(serving, "");
            JsonNode healthy = evidence.get("healthy");
            if (healthy == null || !healthy.isBoolean()) {
                // null is not "no news": a probe that could not say whether the server is healthy is not evidence.
                throw servingFields.error("healthy", healthy == null ? "is missing, expected true or false"
                        : "must be true or false, found " + Fields.describe(healthy));
            }
            String problem = unhealthy(evidence, servingFields, "");
            if (problem != null) {
                runReasons.add("serving probe unhealthy: " + problem);
                kinds.add(Kind.DEPLOYMENT);
            }
        }

        JsonNode tasksNode = root.get("tasks");
        if (tasksNode == null || tasksNode.isNull()) {
            throw fields.error("tasks", "is missing, expected an object of tasks");
        }
        ObjectNode tasks = fields.requireObject(tasksNode, "tasks");
        if (tasks.isEmpty()) {
            return new GateResult("run", false, null, FailureClass.USER_CONFIG_ERROR,
                    "the run summary has no tasks", perTaskBody(Json.object()));
        }

        Map<String, ObjectNode> sorted = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = tasks.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            sorted.put(entry.getKey(), fields.requireObject(entry.getValue(), "tasks." + entry.getKey()));
        }

        ObjectNode perTask = Json.object();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> entry : sorted.entrySet()) {
            String name = entry.getKey();
            List<String> reasons = new ArrayList<>();
            judgeTask(name, entry.getValue(), fields, reasons, kinds);
            ObjectNode row = perTask.putObject(name);
            row.put("ok", reasons.isEmpty());
            row.set("reasons", Json.strings(reasons));
            if (!reasons.isEmpty()) {
                failures.add(name + ": " + String.join(", ", reasons));
            }
        }

        if (kinds.isEmpty()) {
            return new GateResult("run", true, null, null,
                    "all " + sorted.size() + " tasks succeeded with every expected sample scored",
                    perTaskBody(perTask));
        }
        Kind worst = kinds.iterator().next();
        List<String> detail = new ArrayList<>(runReasons);
        if (!failures.isEmpty()) {
            detail.add(failures.size() + " of " + sorted.size() + " tasks failed: " + String.join("; ", failures));
        }
        return new GateResult("run", false, null, worst.failureClass, String.join("; ", detail),
                perTaskBody(perTask));
    }

    private static void judgeTask(String name, ObjectNode task, Fields fields, List<String> reasons,
                                  EnumSet<Kind> kinds) {
        String prefix = "tasks." + name + ".";
        String status = fields.optionalString(task, "status", prefix + "status");
        if (status == null) {
            reasons.add("failed: no status");
            kinds.add(Kind.OTHER);
        } else if (NOT_TERMINAL.contains(status)) {
            reasons.add("not terminal: status " + status);
            kinds.add(Kind.NOT_TERMINAL);
        } else if (DEPLOYMENT_FAILED.equals(status)) {
            reasons.add("deployment failed: status " + status);
            kinds.add(Kind.DEPLOYMENT);
        } else if (!SUCCESS.equals(status)) {
            reasons.add("failed: status " + status);
            kinds.add(Kind.OTHER);
        }

        ObjectNode deployment = fields.optionalObject(task, "deployment", prefix + "deployment");
        String deploymentProblem = unhealthy(deployment, fields, prefix + "deployment");
        if (deploymentProblem != null) {
            reasons.add("deployment unhealthy: " + deploymentProblem);
            kinds.add(Kind.DEPLOYMENT);
        }

        List<String> errors = fields.optionalStringList(task, "errors", prefix + "errors");
        Kind errorKind = errors.isEmpty() ? null : errorKind(errors);
        if (!errors.isEmpty()) {
            String judgeError = null;
            for (String error : errors) {
                if (JUDGE_OR_AUTH.matcher(error).find()) {
                    judgeError = error;
                    break;
                }
            }
            if (judgeError != null) {
                reasons.add("judge/auth error: " + quote(judgeError));
                kinds.add(Kind.JUDGE);
            } else {
                reasons.add("error: " + quote(errors.get(0))
                        + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
                kinds.add(errorKind);
            }
        }

        OptionalLong expected = nonNegative(fields, task, "expected_samples", prefix);
        OptionalLong scored = nonNegative(fields, task, "scored_samples", prefix);
        if (expected.isPresent() && expected.getAsLong() == 0) {
            reasons.add("sample accounting: expected_samples is 0: a task with no samples proves nothing");
            kinds.add(Kind.ACCOUNTING);
        } else if (expected.isPresent() && scored.isPresent() && expected.getAsLong() != scored.getAsLong()) {
            reasons.add("sample accounting: scored " + scored.getAsLong() + " of " + expected.getAsLong()
                    + " expected samples");
            kinds.add(Kind.ACCOUNTING);
        }

        JsonNode score = task.get("score");
        if (score == null || score.isNull()) {
            reasons.add("no score");
            // A score missing because the task map must choose a metric is that choice's problem, not a count's.
            if (errorKind != Kind.CONFIG) {
                kinds.add(Kind.ACCOUNTING);
            }
        } else if (Fields.finiteNumber(score) == null) {
            reasons.add("score not numeric: " + Fields.describe(score));
            kinds.add(Kind.ACCOUNTING);
        }
    }

    /**
     * What the errors of a task are about, by the prefix {@code day0 inspect eval} gives them: items that cannot be
     * shown scored ({@code sample accounting: }), a task map that must name something ({@code task map: }); any
     * other error is unclassified.
     */
    private static Kind errorKind(List<String> errors) {
        boolean config = false;
        boolean accounting = false;
        for (String error : errors) {
            if (error.startsWith("task map: ")) {
                config = true;
            } else if (error.startsWith("sample accounting: ")) {
                accounting = true;
            } else {
                return Kind.OTHER;
            }
        }
        return config ? Kind.CONFIG : accounting ? Kind.ACCOUNTING : Kind.OTHER;
    }

    private static OptionalLong nonNegative(Fields fields, ObjectNode task, String name, String prefix) {
        OptionalLong value = fields.optionalInteger(task, name, prefix + name);
        if (value.isPresent() && value.getAsLong() < 0) {
            throw fields.error(prefix + name, "must not be negative, found " + value.getAsLong());
        }
        return value;
    }

    /** The problem an evidence object reports, or null when it is absent or healthy. */
    private static String unhealthy(ObjectNode evidence, Fields fields, String field) {
        if (evidence == null) {
            return null;
        }
        JsonNode healthy = evidence.get("healthy");
        if (healthy == null) {
            return null;
        }
        if (!healthy.isBoolean()) {
            throw fields.error(field.isEmpty() ? "healthy" : field + ".healthy",
                    "must be true or false, found " + Fields.describe(healthy));
        }
        if (healthy.booleanValue()) {
            return null;
        }
        JsonNode detail = evidence.get("detail");
        if (detail == null || !detail.isTextual()) {
            detail = evidence.get("error");
        }
        return detail != null && detail.isTextual() ? detail.textValue() : "healthy is false";
    }

    private static ObjectNode perTaskBody(ObjectNode perTask) {
        ObjectNode body = Json.object();
        body.set("per_task", perTask);
        return body;
    }

    private static String quote(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return "'" + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine) + "'";
    }
}
