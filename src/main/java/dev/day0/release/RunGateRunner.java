package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.gates.RunGate;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.io.VerbatimFiles;
import dev.day0.mlflow.MlflowException;
import dev.day0.core.FailureClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A run gate (baseline_gate, quantized_gate): judges an eval's run summary, its scores against the plan's task
 * set and, when the plan names it, the serving probe; a baseline reused from MLflow is checked for its task set
 * instead. A judged baseline is recorded in MLflow when the plan logs, once per run: a resume judges the recorded
 * evidence again but does not record it twice.
 */
final class RunGateRunner implements StageRunner {
    /** State note: the MLflow run the judged baseline was recorded as. */
    static final String LOGGED_BASELINE = "mlflow_baseline_run";

    @Override
    public StepResult run(StageContext ctx) {
        Stage gate = ctx.stage();
        ReleasePlan.StageSpec spec = ctx.spec(gate.work());
        String reusedRun = ctx.state().note(spec.stage(), ReuseRunner.REUSED_RUN);
        if (reusedRun != null) {
            return reusedGate(ctx, spec, reusedRun);
        }
        ctx.progress().stage(gate, "judging the " + spec.key() + " run"
                + (ctx.rejudging() ? " again, from the evidence recorded for it" : ""));
        ReleaseState state = ctx.state();
        Path runSummary = ctx.rejudging() ? state.output(gate, "run_summary") : null;
        Path scores = ctx.rejudging() ? state.output(gate, "scores") : null;
        Path serving = ctx.rejudging() ? state.output(gate, "serving") : null;
        ReleasePlan.Evidence evidence = spec.evidence();
        String runName;
        String scoresName;
        if (runSummary != null && scores != null && Files.isRegularFile(runSummary) && Files.isRegularFile(scores)
                && (evidence.serving() == null || serving != null)) {
            runName = nameOf(state, gate, "run_summary_source", runSummary);
            scoresName = nameOf(state, gate, "scores_source", scores);
        } else {
            StageContext.deleteTree(ctx.evidenceDir(gate));
            serving = null;
            try {
                if (evidence.inspectResults()) {
                    EvidenceCollector.EvalEvidence built = EvidenceCollector.inspectResults(ctx, evidence,
                            spec.stage());
                    runSummary = built.runSummary();
                    scores = built.scores();
                    runName = runSummary.toString();
                    scoresName = scores.toString();
                } else {
                    runSummary = ctx.takeEvidence(evidence.runSummary(), spec.stage(), "run-summary.json");
                    scores = ctx.takeEvidence(evidence.scores(), spec.stage(), "scores.json");
                    runName = ctx.resolve(evidence.runSummary(), spec.stage()).toString();
                    scoresName = ctx.resolve(evidence.scores(), spec.stage()).toString();
                }
                if (evidence.serving() != null) {
                    serving = ctx.takeEvidence(evidence.serving(), spec.stage(), "serving.json");
                }
            } catch (StageContext.EvidenceMissing | StageContext.EvidenceUnusable e) {
                return ctx.gateResult(StepResult.failed(FailureClass.UNKNOWN, e.getMessage()).result());
            }
        }
        ctx.output("run_summary", runSummary);
        ctx.output("scores", scores);
        if (serving != null) {
            ctx.output("serving", serving);
        }
        JsonNode servingDoc = serving == null ? null : Json.read(serving);
        ObjectNode result = new RunGate().evaluate(Json.read(runSummary), runName, servingDoc,
                serving == null ? null : nameOf(state, gate, "serving_source", serving)).toJson();
        if (result.path("pass").asBoolean()) {
            String problem = taskSetProblem(ctx, Json.read(runSummary).path("tasks"), runName, Json.read(scores),
                    scoresName);
            if (problem != null) {
                result.put("pass", false);
                result.put("failure_class", FailureClass.SAMPLE_ACCOUNTING_FAILED.name());
                result.put("detail", problem);
            }
        }
        if (result.path("pass").asBoolean() && gate == Stage.BASELINE_GATE && ctx.plan().mlflow() != null
                && ctx.plan().mlflow().log()) {
            result.set("mlflow", logBaseline(ctx, Json.read(scores)));
        }
        return ctx.gateResult(result);
    }

    private static String nameOf(ReleaseState state, Stage gate, String sourceRole, Path copy) {
        Path source = state.output(gate, sourceRole);
        return (source == null ? copy : source).toString();
    }

    /**
     * A baseline reused from MLflow has no run summary to judge here: it was judged when it was recorded. What is
     * checked is that its scores are the plan's task set, each a finite number; the result says where they came from.
     */
    private static StepResult reusedGate(StageContext ctx, ReleasePlan.StageSpec spec, String runId) {
        Stage gate = ctx.stage();
        ctx.progress().stage(gate, "checking the baseline reused from MLflow run " + runId);
        StageContext.deleteTree(ctx.evidenceDir(gate));
        Path source = ctx.stageDir(spec.stage()).resolve(ReuseRunner.MLFLOW_SCORES);
        if (!Files.isRegularFile(source)) {
            return ctx.gateResult(StepResult.failed(FailureClass.UNKNOWN, source + " does not exist (the "
                    + spec.key() + " stage did not write it)").result());
        }
        Path scores = ctx.evidenceDir(gate).resolve("scores.json");
        VerbatimFiles.copyEvidence(source, scores);
        ctx.input(source);
        ctx.output("scores", scores);
        JsonNode doc = Json.read(scores);
        ObjectNode runTasks = Json.object();
        ctx.plan().tasks().forEach(runTasks::putObject);
        String problem = taskSetProblem(ctx, runTasks, "MLflow run " + runId, doc, scores.toString());
        List<String> invalid = new ArrayList<>();
        for (String task : ctx.plan().tasks()) {
            if (doc.has(task) && Fields.finiteNumber(doc.get(task)) == null) {
                invalid.add(task);
            }
        }
        if (problem == null && !invalid.isEmpty()) {
            problem = scores + ": not finite numbers: " + String.join(", ", invalid);
        }
        ObjectNode result = problem == null
                ? StepResult.resultJson(true, null, "baseline reused from MLflow run " + runId + " (experiment \""
                        + ctx.plan().mlflow().experiment() + "\"); its run was judged when it was recorded")
                : StepResult.resultJson(false, FailureClass.SAMPLE_ACCOUNTING_FAILED, problem);
        ObjectNode reused = result.putObject("reused");
        reused.put("source", "mlflow");
        reused.put("experiment", ctx.plan().mlflow().experiment());
        reused.put("run_id", runId);
        return ctx.gateResult(result);
    }

    /**
     * The scores must cover exactly the plan's task set: a task silently missing from both evals would otherwise
     * be accepted by a comparison that never saw it.
     */
    private static String taskSetProblem(StageContext ctx, JsonNode runTasks, String runName, JsonNode scores,
                                         String scoresName) {
        new Fields(scoresName).requireObject(scores, "");
        TreeSet<String> planned = new TreeSet<>(ctx.plan().tasks());
        TreeSet<String> scored = new TreeSet<>();
        scores.fieldNames().forEachRemaining(scored::add);
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(planned);
        missing.removeAll(scored);
        TreeSet<String> extra = new TreeSet<>(scored);
        extra.removeAll(planned);
        if (!missing.isEmpty()) {
            problems.add(scoresName + ": no score for the plan's tasks " + String.join(", ", missing));
        }
        if (!extra.isEmpty()) {
            problems.add(scoresName + ": tasks not in the plan: " + String.join(", ", extra));
        }
        TreeSet<String> notRun = new TreeSet<>(planned);
        runTasks.fieldNames().forEachRemaining(notRun::remove);
        if (!notRun.isEmpty()) {
            problems.add(runName + ": the run summary has no entry for " + String.join(", ", notRun));
        }
        return problems.isEmpty() ? null : "the evidence does not match the plan's task set: "
                + String.join("; ", problems);
    }

    /**
     * Records a judged baseline in MLflow for later releases, once per run; a failure is reported, not fatal.
     */
    private static ObjectNode logBaseline(StageContext ctx, JsonNode scores) {
        ObjectNode note = Json.object();
        String logged = ctx.rejudging() ? ctx.state().note(Stage.BASELINE_GATE, LOGGED_BASELINE) : null;
        if (logged != null) {
            note.put("logged", true);
            note.put("run_id", logged);
            return note;
        }
        try {
            String runId = new MlflowBridge(ctx).logEval(scores, "day0 "
                    + ctx.plan().name() + " baseline");
            note.put("logged", true);
            note.put("run_id", runId);
            ctx.state().note(Stage.BASELINE_GATE, LOGGED_BASELINE, runId);
            ctx.progress().line("  recorded the baseline in MLflow: run " + runId);
        } catch (MlflowException | InputException e) {
            note.put("logged", false);
            note.put("problem", e.getMessage());
            ctx.progress().line("  warning: the baseline could not be recorded in MLflow: " + e.getMessage());
        }
        return note;
    }
}
