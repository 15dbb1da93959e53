package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.gates.PtqGate;
import dev.day0.io.Json;
import dev.day0.core.FailureClass;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ptq gate: judges the quantized checkpoint's validation summary (given by the plan, or built by inspecting
 * the checkpoints) against the plan's recipe. On resume it judges the summary it recorded again.
 */
final class PtqGateRunner implements StageRunner {
    private static final String SUMMARY = "validation-summary.json";
    private static final String SUMMARY_SOURCE = "validation_summary_source";

    @Override
    public StepResult run(StageContext ctx) {
        ctx.progress().stage(Stage.PTQ_GATE, "judging the quantized checkpoint"
                + (ctx.rejudging() ? " again, from the evidence recorded for it" : ""));
        ReleaseState state = ctx.state();
        Path summary = ctx.rejudging() ? state.output(Stage.PTQ_GATE, "summary") : null;
        String summaryName;
        if (summary != null && Files.isRegularFile(summary)) {
            Path source = state.output(Stage.PTQ_GATE, SUMMARY_SOURCE);
            summaryName = (source == null ? summary : source).toString();
        } else {
            StageContext.deleteTree(ctx.evidenceDir(Stage.PTQ_GATE));
            ReleasePlan.Evidence evidence = ctx.plan().ptq().evidence();
            try {
                if (evidence.inspectCheckpoint()) {
                    summary = EvidenceCollector.inspectCheckpoint(ctx, evidence);
                    summaryName = summary.toString();
                } else {
                    summary = ctx.takeEvidence(evidence.summary(), Stage.PTQ, SUMMARY);
                    summaryName = ctx.resolve(evidence.summary(), Stage.PTQ).toString();
                }
            } catch (StageContext.EvidenceMissing | StageContext.EvidenceUnusable e) {
                return ctx.gateResult(StepResult.failed(FailureClass.UNKNOWN, e.getMessage()).result());
            }
        }
        ctx.output("summary", summary);
        ObjectNode result = new PtqGate().evaluateForRecipe(Json.read(summary), summaryName, ctx.plan().recipe())
                .toJson();
        return ctx.gateResult(result);
    }
}
