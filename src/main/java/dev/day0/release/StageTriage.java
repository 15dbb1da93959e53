package dev.day0.release;

import dev.day0.core.Stage;
import dev.day0.triage.FailureClass;
import dev.day0.triage.TriageTable;
import dev.day0.triage.TriageVerdict;

/**
 * Whether triage lets a failed stage's work run again, from the engine's table and the plan's retry settings: a
 * verdict is never retried, a gate sends the run back to its working stage, evidence given by the plan judged
 * again is the same evidence.
 */
final class StageTriage {
    /** A retry triage allows: which stage runs again, after how long, and why. */
    record Retry(Stage stage, long waitSeconds, int maxTries, String action) {
    }

    private StageTriage() {
    }

    /** The retry triage allows for this failure, or null when the failure decides the run. */
    static Retry after(StageContext ctx, ReleaseState state, Stage stage, StepResult result) {
        FailureClass failureClass = result.failureClass();
        if (failureClass == null || stage.kind() == Stage.Kind.VERDICT) {
            return null;
        }
        Stage work = stage == Stage.SETUP || stage.isWork() ? stage : stage.work();
        if (work == null) {
            return null;
        }
        if (!stage.isWork() && work.isWork() && ctx.spec(work).runner() == ReleasePlan.Runner.REUSE) {
            // Given evidence judged again is the same evidence: only a lookup (MLflow) is worth retrying.
            return null;
        }
        ReleasePlan.Retry settings = ctx.plan().retry();
        int tries = state.tries(work);
        if (failureClass == FailureClass.INFRA_TRANSIENT) {
            TriageVerdict verdict = TriageTable.after(failureClass, tries);
            return verdict.retry() ? new Retry(work, settings.transientWaitSeconds(),
                    verdict.rule().maxAttempts(), verdict.rule().action()) : null;
        }
        if (failureClass == FailureClass.EVAL_JUDGE_FAILED) {
            return tries < settings.judgeAttempts() ? new Retry(work, settings.judgeWaitSeconds(),
                    settings.judgeAttempts(), TriageTable.rule(failureClass).action()) : null;
        }
        return null;
    }
}
