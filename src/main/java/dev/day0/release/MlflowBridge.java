package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.mlflow.BaselineFinder;
import dev.day0.mlflow.BaselineKey;
import dev.day0.mlflow.MlflowClient;
import dev.day0.mlflow.RunBuilder;
import dev.day0.mlflow.RunLogger;
import dev.day0.mlflow.RunTags;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        RunBuilder run = RunBuilder.eval(System.currentTimeMillis()).key(key, plan.sampling(), samplingSource())
                .toolVersion(toolVersion).scores(scores, "the judged baseline scores", key);
        return log(run.request(plan.mlflow().experiment(), runName, "FINISHED", List.of(), null));
    }

    /** Records the decision with its reports as artifacts; returns the run id. */
    String logDecision(JsonNode record, Path decisionJson, List<Path> reports, String runName) {
        RunBuilder run = RunBuilder.decision(System.currentTimeMillis()).key(key(), plan.sampling(),
                samplingSource()).toolVersion(toolVersion)
                .decisionRecord(record, decisionJson.toString(), FileDigest.sha256(decisionJson))
                .tag(RunTags.RECIPE, plan.recipe());
        List<RunLogger.Artifact> artifacts = new ArrayList<>();
        for (Path file : reports) {
            try {
                artifacts.add(new RunLogger.Artifact(file.getFileName().toString(), Files.readString(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return log(run.request(plan.mlflow().experiment(), runName, "FINISHED", artifacts,
                decisionJson.toAbsolutePath().normalize().toString()));
    }

    private String samplingSource() {
        return plan.file() + ": sampling";
    }

    private String log(RunLogger.Request request) {
        return new RunLogger(client(), redactor, System::currentTimeMillis).log(request).runId();
    }

    /** Scores from a reused run, written where the baseline gate reads them. */
    static void writeScores(ObjectNode scores, Path file, Redactor redactor) {
        new RedactingWriter(redactor).json(file, scores);
    }
}
