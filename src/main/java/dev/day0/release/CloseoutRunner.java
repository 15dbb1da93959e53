package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decision;
import dev.day0.core.Stage;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.RedactingWriter;
import dev.day0.mlflow.MlflowException;
import dev.day0.report.DecisionRecord;
import dev.day0.report.ReportWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Closeout: the decision from the stages' results (every one of them judged in this process, never read back
 * from an earlier run), the reports (decision.json, report.md, junit.xml, report.html), the per-task table for
 * people and, when the plan logs, the decision in MLflow. Its result is the decision document state.json keeps.
 */
final class CloseoutRunner implements StageRunner {
    static final String REPORT_HTML = "report.html";
    /** State notes: the MLflow run the decision was recorded as, and which decision it was. */
    private static final String LOGGED_RUN = "mlflow_decision_run";
    private static final String LOGGED_DECISION = "mlflow_decision";

    @Override
    public StepResult run(StageContext ctx) {
        ctx.progress().stage(Stage.CLOSEOUT, "writing the decision and the reports");
        DecisionRecord record = record(ctx);
        Path reportDir = ctx.workdir().resolve("report");
        List<Path> files = new ArrayList<>(new ReportWriter(ctx.redactor()).write(record, reportDir));
        ObjectNode recordJson = record.toJson();
        Path html = reportDir.resolve(REPORT_HTML);
        new RedactingWriter(ctx.redactor()).text(html, HtmlReport.render(recordJson, ctx.plan()));
        files.add(html);
        ObjectNode mlflowNote = logDecision(ctx, recordJson, files);

        DecisionRecord.Outcome outcome = record.outcome();
        boolean stopped = Stage.chain().stream()
                .anyMatch(stage -> ctx.state().stageStatus(stage) == ReleaseState.StageStatus.FAILED);
        ObjectNode decision = Json.object();
        decision.put("decision", outcome.decision().name());
        decision.put("publish_recommendation", outcome.decision().publishRecommendation());
        decision.put("failure_class", outcome.failureClass() == null ? null : outcome.failureClass().name());
        decision.put("detail", outcome.detail());
        decision.put("exit_code", ReleaseExit.of(outcome.decision()).code());
        decision.put("resumable", stopped);
        var fileList = decision.putArray("files");
        files.forEach(path -> fileList.add(path.toString()));
        if (mlflowNote != null) {
            decision.set("mlflow", mlflowNote);
        }
        printTable(ctx.progress(), recordJson);
        return new StepResult(true, null, outcome.detail(), decision);
    }

    /** The run's outcome for people (stderr) and machines (the summary printed on stdout). */
    static Conductor.Outcome outcome(StageContext ctx, ObjectNode decision) {
        Progress progress = ctx.progress();
        ReleaseState state = ctx.state();
        ReleasePlan plan = ctx.plan();
        Path workdir = ctx.workdir();
        Decision value = Decision.valueOf(decision.path("decision").asText());
        boolean stopped = decision.path("resumable").asBoolean(false);
        progress.line("decision: " + value + " (" + value.publishRecommendation() + ")"
                + (decision.path("failure_class").isTextual() ? ", failure class "
                + decision.path("failure_class").asText() : "") + ": " + decision.path("detail").asText());
        if (stopped) {
            progress.line("the run stopped before a verdict; fix the cause, then continue with: day0 release run "
                    + "--plan " + plan.file() + " --workdir " + workdir + " --resume");
        }
        progress.line("reports:");
        decision.path("files").forEach(file -> progress.line("  " + file.asText()));
        progress.line("state: " + state.file());
        ObjectNode summary = Json.object();
        summary.put("plan", plan.name());
        summary.put("decision", value.name());
        summary.put("publish_recommendation", value.publishRecommendation());
        summary.set("failure_class", decision.get("failure_class"));
        summary.set("detail", decision.get("detail"));
        summary.put("status", state.status().name().toLowerCase(Locale.ROOT));
        summary.put("exit_code", ReleaseExit.of(value).code());
        summary.set("exit", ReleaseExit.of(value).toJson());
        summary.put("workdir", workdir.toString());
        summary.put("state", state.file().toString());
        summary.set("files", decision.get("files"));
        return new Conductor.Outcome(value, ReleaseExit.of(value).code(), summary);
    }

    /**
     * Records the decision in MLflow when the plan asks for it and setup passed, once per decision: a resume that
     * reaches the same decision again does not record it twice. A failure is a warning.
     */
    private static ObjectNode logDecision(StageContext ctx, ObjectNode recordJson, List<Path> files) {
        ReleasePlan plan = ctx.plan();
        ReleaseState state = ctx.state();
        if (plan.mlflow() == null || !plan.mlflow().log()
                || state.stageStatus(Stage.SETUP) != ReleaseState.StageStatus.COMPLETED) {
            return null;
        }
        ObjectNode note = Json.object();
        String decision = recordJson.path("decision").asText();
        String loggedRun = state.note(Stage.CLOSEOUT, LOGGED_RUN);
        if (loggedRun != null && decision.equals(state.note(Stage.CLOSEOUT, LOGGED_DECISION))) {
            note.put("logged", true);
            note.put("run_id", loggedRun);
            return note;
        }
        try {
            String runId = new MlflowBridge(ctx).logDecision(recordJson, files.get(0),
                    files, "day0 " + plan.name() + " decision");
            note.put("logged", true);
            note.put("run_id", runId);
            state.note(Stage.CLOSEOUT, LOGGED_RUN, runId);
            state.note(Stage.CLOSEOUT, LOGGED_DECISION, decision);
            ctx.progress().line("  recorded the decision in MLflow: run " + runId);
        } catch (MlflowException | InputException | UncheckedIOException e) {
            note.put("logged", false);
            note.put("problem", e.getMessage());
            ctx.progress().line("  warning: the decision could not be recorded in MLflow: " + e.getMessage());
        }
        return note;
    }

    /** The decision record: every stage that ran, in chain order, with the files it judged. */
    private static DecisionRecord record(StageContext ctx) {
        ReleaseState state = ctx.state();
        DecisionRecord record = new DecisionRecord(ctx.toolVersion());
        record.input("plan", ctx.plan().file());
        record.checkpointFingerprint(evaluatedFingerprint(ctx));
        for (Stage stage : Stage.chain()) {
            JsonNode result = state.result(stage);
            if (result == null || stage == Stage.CLOSEOUT) {
                continue;
            }
            String gate = switch (stage) {
                case PTQ_GATE -> "ptq";
                case BASELINE_GATE, QUANTIZED_GATE -> result.has("reused") ? "reuse" : "run";
                case COMPARE -> "compare";
                case CANARY_GATE -> "canary";
                case VERBOSITY -> "verbosity";
                case SETUP -> "setup";
                default -> "stage";
            };
            record.stage(stage.key(), gate, result);
        }
        for (Stage stage : List.of(Stage.PTQ_GATE, Stage.CANARY_GATE, Stage.BASELINE_GATE, Stage.QUANTIZED_GATE,
                Stage.COMPARE, Stage.VERBOSITY)) {
            JsonNode outputs = state.stage(stage).path("outputs");
            Iterator<Map.Entry<String, JsonNode>> it = outputs.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().endsWith("_source")) {
                    continue;
                }
                Path file = Path.of(entry.getValue().asText());
                if (Files.isRegularFile(file)) {
                    record.input(stage.key() + "." + entry.getKey(), file);
                }
            }
        }
        return record;
    }

    /**
     * The evaluated checkpoint's fingerprint: the one the canary took right before serving it (the directory the
     * quantized eval reads too), else taken now from the directory the ptq gate inspected; null when the plan
     * names no checkpoint directory or the chain never produced one.
     */
    private static JsonNode evaluatedFingerprint(StageContext ctx) {
        ReleaseState state = ctx.state();
        for (Stage stage : List.of(Stage.CANARY_GATE, Stage.CANARY)) {
            Path file = state.output(stage, CanaryGateRunner.FINGERPRINT);
            if (file != null && Files.isRegularFile(file)) {
                return Json.read(file);
            }
        }
        ReleasePlan.Evidence ptq = ctx.plan().ptq().evidence();
        if (ptq.output() == null || state.stageStatus(Stage.PTQ_GATE) != ReleaseState.StageStatus.COMPLETED) {
            return null;
        }
        Path dir = ctx.resolve(ptq.output(), Stage.PTQ);
        return Files.isDirectory(dir) ? dev.day0.publish.CheckpointFingerprint.of(dir).toJson() : null;
    }

    private static void printTable(Progress progress, ObjectNode record) {
        JsonNode tasks = record.path("tasks");
        if (tasks.size() == 0) {
            return;
        }
        int width = "task".length();
        for (JsonNode row : tasks) {
            width = Math.max(width, row.path("task").asText().length());
        }
        width = Math.min(width, 40);
        String format = "  %-" + width + "s %10s %10s %9s %9s %8s  %s";
        progress.line("");
        progress.line(String.format(Locale.ROOT, format, "task", "baseline", "candidate", "delta", "drop", "limit",
                "within"));
        for (JsonNode row : tasks) {
            String name = row.path("task").asText();
            String within = row.has("anomaly") ? "ANOMALY: " + row.path("anomaly").asText()
                    : row.path("within").asBoolean() ? "yes" : "NO";
            if (row.has("verdict")) {
                within += " (" + row.path("verdict").asText() + ")";
            }
            progress.line(String.format(Locale.ROOT, format, name.length() > width ? name.substring(0, width)
                    : name, text(row.get("baseline")), text(row.get("candidate")), text(row.get("delta")),
                    text(row.get("drop_fraction")), text(row.get("limit")), within));
        }
        progress.line("");
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "-";
        }
        return value.isNumber() ? value.decimalValue().stripTrailingZeros().toPlainString() : value.asText();
    }
}
