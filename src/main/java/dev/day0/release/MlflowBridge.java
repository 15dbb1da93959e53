package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import dev.day0.mlflow.BaselineFinder;
import dev.day0.mlflow.BaselineKey;
import dev.day0.mlflow.MlflowClient;
import dev.day0.mlflow.MlflowClient.KeyValue;
import dev.day0.mlflow.MlflowClient.Metric;
import dev.day0.mlflow.RunLogger;
import dev.day0.mlflow.RunTags;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The conductor's use of MLflow, through the mlflow package's own API: the plan's baseline key (model, task set,
 * sampling parameters), finding a baseline to reuse, and recording the baseline eval and the decision so a later
 * release can reuse the one and audit the other.
 */
final class MlflowBridge {
    private final ReleasePlan plan;
    private final Map<String, String> env;
    private final Redactor redactor;
    private final String toolVersion;
    private final Conductor.Sleeper sleeper;

    MlflowBridge(StageContext ctx) {
        this.plan = ctx.plan();
        this.env = ctx.env();
        this.redactor = ctx.redactor();
        this.toolVersion = ctx.toolVersion();
        this.sleeper = ctx.options().sleeper();
    }

    /** The key a reusable baseline must match: exactly this model, task set and sampling parameters. */
    BaselineKey key() {
        ArrayNode tasks = Json.array();
        plan.tasks().forEach(tasks::add);
        return BaselineKey.of(plan.model(), tasks, plan.file() + ": tasks", plan.sampling(),
                plan.file() + ": sampling", null);
    }

    private MlflowClient client() {
        return MlflowClient.fromEnvironment(env, null, MlflowClient.Retry.standard()).pausingWith(sleeper::sleep);
    }

    /** The newest matching baseline, or a result that says why there is none. */
    BaselineFinder.Result find() {
        return new BaselineFinder(client()).find(plan.mlflow().experiment(), key());
    }

    /** Records a judged baseline eval as a reusable MLflow run; returns its run id. */
    String logEval(JsonNode scores, String runName) {
        BaselineKey key = key();
        List<KeyValue> tags = new ArrayList<>();
        tags.add(new KeyValue(RunTags.KIND, RunTags.KIND_EVAL));
        key.tags().forEach((name, value) -> tags.add(new KeyValue(name, value)));
        String taskList = String.join(",", key.tasks());
        if (taskList.length() <= RunLogger.MAX_TAG_VALUE_LENGTH) {
            tags.add(new KeyValue(RunTags.TASKS, taskList));
        }
        tags.add(new KeyValue(RunTags.TOOL_VERSION, toolVersion));
        List<KeyValue> params = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = plan.sampling().fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            params.add(new KeyValue("sampling." + entry.getKey(), value.isTextual() ? value.textValue()
                    : BaselineKey.canonicalJson(value)));
        }
        long now = System.currentTimeMillis();
        List<Metric> metrics = new ArrayList<>();
        for (String task : key.tasks()) {
            Double score = Fields.finiteNumber(scores.get(task));
            if (score == null) {
                throw new IllegalStateException("a judged baseline lacks a finite score for " + task);
            }
            metrics.add(new Metric(RunTags.SCORE_PREFIX + task, score, now, 0));
        }
        RunLogger.Request request = new RunLogger.Request(plan.mlflow().experiment(), runName, "FINISHED", tags,
                params, metrics, List.of(), null);
        return new RunLogger(client(), redactor, System::currentTimeMillis).log(request).runId();
    }

    /** Records the decision with its reports as artifacts; returns the run id. */
    String logDecision(JsonNode record, Path decisionJson, List<Path> reports, String runName) {
        List<KeyValue> tags = new ArrayList<>();
        tags.add(new KeyValue(RunTags.KIND, RunTags.KIND_DECISION));
        key().tags().forEach((name, value) -> tags.add(new KeyValue(name, value)));
        tags.add(new KeyValue(RunTags.DECISION, record.path("decision").asText()));
        tags.add(new KeyValue(RunTags.PUBLISH_RECOMMENDATION, record.path("publish_recommendation").asText()));
        if (record.path("failure_class").isTextual()) {
            tags.add(new KeyValue(RunTags.FAILURE_CLASS, record.path("failure_class").asText()));
        }
        tags.add(new KeyValue(RunTags.DETAIL, clip(record.path("detail").asText(), RunLogger.MAX_TAG_VALUE_LENGTH)));
        tags.add(new KeyValue(RunTags.DECISION_SHA256, FileDigest.sha256(decisionJson)));
        tags.add(new KeyValue(RunTags.TOOL_VERSION, toolVersion));
        tags.add(new KeyValue("day0.recipe", plan.recipe()));
        long now = System.currentTimeMillis();
        List<Metric> metrics = new ArrayList<>();
        for (JsonNode row : record.path("tasks")) {
            String task = row.path("task").asText();
            for (String column : List.of("baseline", "candidate", "delta")) {
                Double value = Fields.finiteNumber(row.get(column));
                String name = column + "/" + task;
                if (value != null && validName(name)) {
                    metrics.add(new Metric(name, value, now, 0));
                }
            }
        }
        List<RunLogger.Artifact> artifacts = new ArrayList<>();
        for (Path file : reports) {
            try {
                artifacts.add(new RunLogger.Artifact(file.getFileName().toString(), Files.readString(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        RunLogger.Request request = new RunLogger.Request(plan.mlflow().experiment(), runName, "FINISHED", tags,
                List.of(), metrics, artifacts, decisionJson.toAbsolutePath().normalize().toString());
        return new RunLogger(client(), redactor, System::currentTimeMillis).log(request).runId();
    }

    private static boolean validName(String name) {
        try {
            RunLogger.checkName("task", "", name);
            return true;
        } catch (dev.day0.io.InputException e) {
            return false;
        }
    }

    private static String clip(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit - 3) + "...";
    }

    /** Scores from a reused run, written where the baseline gate reads them. */
    static void writeScores(ObjectNode scores, Path file, Redactor redactor) {
        dev.day0.io.AtomicFiles.write(file, Json.write(redactor.redactJson(scores)) + "\n");
    }
}
