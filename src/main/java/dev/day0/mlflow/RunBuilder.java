package dev.day0.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.mlflow.MlflowClient.Metric;
import dev.day0.report.DecisionRecord;
import dev.day0.core.Decision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tags, params and metrics of a day0 run in MLflow, built one way for {@code day0 mlflow log} and for the
 * release conductor, so a baseline or a decision recorded by either is found and read the same way: the kind tag,
 * the baseline key's tags and task list, the sampling parameters flattened into {@code sampling.*} params,
 * {@code score/<task>} metrics for an eval, the decision tags and {@code baseline|candidate|delta/<task>}
 * metrics for a decision.
 */
public final class RunBuilder {
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final Map<String, String> params = new LinkedHashMap<>();
    private final List<Metric> metrics = new ArrayList<>();
    private final long now;

    private RunBuilder(String kind, long now) {
        this.now = now;
        tags.put(RunTags.KIND, kind);
    }

    /** A baseline eval run, at {@code now} (epoch milliseconds, the metrics' timestamp). */
    public static RunBuilder eval(long now) {
        return new RunBuilder(RunTags.KIND_EVAL, now);
    }

    /** A decision run. */
    public static RunBuilder decision(long now) {
        return new RunBuilder(RunTags.KIND_DECISION, now);
    }

    /** The baseline key's tags, its task list (when it fits a tag) and the sampling parameters as params. */
    public RunBuilder key(BaselineKey key, JsonNode sampling, String samplingSource) {
        tags.putAll(key.tags());
        String taskList = String.join(",", key.tasks());
        if (taskList.length() <= RunLogger.MAX_TAG_VALUE_LENGTH) {
            tags.put(RunTags.TASKS, taskList);
        }
        ObjectNode object = new Fields(samplingSource).requireObject(sampling, "");
        flatten(object, "sampling", params);
        return this;
    }

    public RunBuilder toolVersion(String version) {
        tags.put(RunTags.TOOL_VERSION, version);
        return this;
    }

    public RunBuilder tag(String name, String value) {
        tags.put(name, value);
        return this;
    }

    /**
     * One {@code score/<task>} metric per task of the key: {@code scores} must name exactly those tasks, each a
     * finite number; anything else is an input error naming {@code source} and the task.
     */
    public RunBuilder scores(JsonNode scores, String source, BaselineKey key) {
        Fields fields = new Fields(source);
        ObjectNode object = fields.requireObject(scores, "");
        Set<String> expected = new HashSet<>(key.tasks());
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!expected.contains(entry.getKey())) {
                throw fields.error(entry.getKey(), "is not a task of the set given with --tasks ("
                        + String.join(", ", key.tasks()) + ")");
            }
        }
        for (String task : key.tasks()) {
            JsonNode value = object.get(task);
            if (value == null || value.isNull()) {
                throw fields.error(task, "is missing: every task of the set needs a score");
            }
            Double score = Fields.finiteNumber(value);
            if (score == null) {
                throw fields.error(task, "must be a finite number, found " + Fields.describe(value));
            }
            String name = RunTags.SCORE_PREFIX + task;
            RunLogger.checkName(source, task, name);
            metrics.add(new Metric(name, score, now, 0));
        }
        return this;
    }

    /**
     * A decision record ({@code day0.decision/1}): its decision, publish recommendation, failure class, detail
     * (clipped to a tag) and sha256 as tags, and each task's finite baseline, candidate and delta as metrics.
     */
    public RunBuilder decisionRecord(JsonNode doc, String source, String sha256) {
        Fields fields = new Fields(source);
        ObjectNode record = fields.requireObject(doc, "");
        String schema = fields.optionalString(record, "schema", "schema");
        if (!DecisionRecord.SCHEMA.equals(schema)) {
            throw fields.error("schema", "must be \"" + DecisionRecord.SCHEMA + "\", found "
                    + Fields.describe(record.get("schema")));
        }
        String decisionName = fields.requireString(record, "decision", "decision");
        try {
            Decision.valueOf(decisionName);
        } catch (IllegalArgumentException e) {
            throw fields.error("decision", "is not a day0 decision: \"" + decisionName + "\"");
        }
        tags.put(RunTags.DECISION, decisionName);
        String recommendation = fields.optionalString(record, "publish_recommendation", "publish_recommendation");
        if (recommendation != null) {
            tags.put(RunTags.PUBLISH_RECOMMENDATION, recommendation);
        }
        String failureClass = fields.optionalString(record, "failure_class", "failure_class");
        if (failureClass != null) {
            tags.put(RunTags.FAILURE_CLASS, failureClass);
        }
        String detail = fields.optionalString(record, "detail", "detail");
        if (detail != null) {
            tags.put(RunTags.DETAIL, RunLogger.clip(detail, RunLogger.MAX_TAG_VALUE_LENGTH));
        }
        tags.put(RunTags.DECISION_SHA256, sha256);
        JsonNode tasks = record.get("tasks");
        if (tasks != null && tasks.isArray()) {
            for (int i = 0; i < tasks.size(); i++) {
                JsonNode row = tasks.get(i);
                String task = row.path("task").isTextual() ? row.get("task").textValue() : null;
                if (task == null) {
                    continue;
                }
                for (String column : List.of("baseline", "candidate", "delta")) {
                    Double value = Fields.finiteNumber(row.get(column));
                    if (value != null) {
                        String name = column + "/" + task;
                        RunLogger.checkName(source, "tasks[" + i + "].task", name);
                        metrics.add(new Metric(name, value, now, 0));
                    }
                }
            }
        }
        return this;
    }

    /** The tags so far, in the order set; a caller adding its own checks them against these. */
    public Map<String, String> tags() {
        return tags;
    }

    public Map<String, String> params() {
        return params;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    /** The run as RunLogger records it. */
    public RunLogger.Request request(String experiment, String runName, String status,
                                     List<RunLogger.Artifact> artifacts, String reportPath) {
        return new RunLogger.Request(experiment, runName, status, RunLogger.keyValues(tags),
                RunLogger.keyValues(params), Collections.unmodifiableList(new ArrayList<>(metrics)), artifacts,
                reportPath);
    }

    private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
        if (node.isObject() && !node.isEmpty()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                flatten(entry.getValue(), prefix + "." + entry.getKey(), out);
            }
        } else {
            out.put(prefix, node.isTextual() ? node.textValue() : BaselineKey.canonicalJson(node));
        }
    }
}
