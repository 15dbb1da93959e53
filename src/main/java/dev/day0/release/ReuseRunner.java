package dev.day0.release;

import dev.day0.core.Stage;
import dev.day0.mlflow.BaselineFinder;
import dev.day0.mlflow.MlflowException;
import dev.day0.core.FailureClass;
import java.nio.file.Path;

/**
 * A stage whose evidence already exists: files the plan names (nothing runs), or with {@code reuse: mlflow} a
 * baseline recorded in MLflow for exactly this model, task set and sampling parameters. When MLflow has none,
 * the stage's own runner runs instead; a reuse-only stage stops for a person.
 */
final class ReuseRunner implements StageRunner {
    /** State note: the MLflow run whose scores this stage reused. */
    static final String REUSED_RUN = "reused_mlflow_run";
    static final String MLFLOW_SCORES = "mlflow-baseline-scores.json";

    private final ReleasePlan.StageSpec spec;
    private final StageRunner otherwise;

    /** @param otherwise what runs when MLflow has no matching baseline; null when nothing can */
    ReuseRunner(ReleasePlan.StageSpec spec, StageRunner otherwise) {
        this.spec = spec;
        this.otherwise = otherwise;
    }

    @Override
    public StepResult run(StageContext ctx) {
        Stage stage = spec.stage();
        ctx.state().clearNote(stage, REUSED_RUN);
        if (spec.reuseMlflow()) {
            StepResult reused = fromMlflow(ctx);
            if (reused != null) {
                return reused;
            }
        }
        if (otherwise != null) {
            return otherwise.run(ctx);
        }
        ctx.progress().stage(stage, "reuse: nothing to run, the evidence is given");
        return StepResult.ok("reused: the evidence is given in the plan");
    }

    /**
     * Looks for a baseline in MLflow that matches the plan's model, task set and sampling parameters. Returns the
     * stage's result when one is found (or MLflow fails), null when the baseline has to be run.
     */
    private StepResult fromMlflow(StageContext ctx) {
        Stage stage = spec.stage();
        ctx.progress().stage(stage, "looking for a matching baseline in MLflow experiment \""
                + ctx.plan().mlflow().experiment() + "\"");
        Path stageDir = ctx.stageDir(stage);
        StageContext.deleteTree(stageDir);
        StageContext.createDirectories(stageDir);
        BaselineFinder.Result found;
        try {
            found = new MlflowBridge(ctx).find();
        } catch (MlflowException e) {
            boolean users = e.kind() == MlflowException.Kind.REJECTED || e.kind() == MlflowException.Kind.AUTH;
            return StepResult.failed(users ? FailureClass.USER_CONFIG_ERROR : FailureClass.INFRA_TRANSIENT,
                    "MLflow: " + e.getMessage());
        }
        if (found.found()) {
            Path scores = stageDir.resolve(MLFLOW_SCORES);
            MlflowBridge.writeScores(found.scores(), scores, ctx.redactor());
            ctx.output(scores);
            ctx.state().note(stage, REUSED_RUN, found.run().runId());
            return StepResult.ok("reused: " + found.detail());
        }
        if (otherwise == null) {
            return StepResult.failed(FailureClass.USER_CONFIG_ERROR, found.detail()
                    + " (the stage only reuses, so there is nothing to run instead)");
        }
        ctx.progress().line("  " + found.detail() + ": running the baseline eval");
        return null;
    }
}
