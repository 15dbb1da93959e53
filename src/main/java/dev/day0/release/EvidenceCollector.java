package dev.day0.release;

import dev.day0.core.Stage;
import dev.day0.evidence.checkpoint.CheckpointInspector;
import dev.day0.evidence.eval.EvalInspector;
import dev.day0.evidence.eval.TaskMap;
import dev.day0.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds a gate's evidence in this process from what a working stage left: the validation summary from the
 * checkpoints themselves (as {@code day0 inspect checkpoint} does) and the run summary and scores from the
 * harness output (as {@code day0 inspect eval} does). What it writes goes to the gate's evidence directory and is
 * recorded as the gate's outputs.
 */
final class EvidenceCollector {
    /** What an eval's inspection produced: the run summary and the {task: score} file. */
    record EvalEvidence(Path runSummary, Path scores) {
    }

    private EvidenceCollector() {
    }

    /**
     * Reads safetensors headers and quantization declarations, never tensor data. The checkpoints are not
     * digested (they can be hundreds of gigabytes): the summary built from them is the evidence the gate judges,
     * and a resume judges that summary again.
     */
    static Path inspectCheckpoint(StageContext ctx, ReleasePlan.Evidence evidence) {
        Path source = ctx.resolve(evidence.source(), Stage.PTQ);
        Path output = ctx.resolve(evidence.output(), Stage.PTQ);
        for (Path dir : List.of(source, output)) {
            if (!Files.isDirectory(dir)) {
                throw new StageContext.EvidenceMissing(dir.equals(source) ? evidence.source().field()
                        : evidence.output().field(), dir, Stage.PTQ);
            }
        }
        CheckpointInspector.Inspection inspection;
        try {
            inspection = CheckpointInspector.inspect(source, output, ctx.plan().recipe());
        } catch (InputException e) {
            throw new StageContext.EvidenceUnusable("the checkpoint cannot be inspected: " + e.getMessage());
        }
        Path dir = ctx.evidenceDir(ctx.stage());
        Path summary = dir.resolve("validation-summary.json");
        Path layers = dir.resolve("layers.json");
        ctx.writeOutput(summary, inspection.summary());
        ctx.writeOutput(layers, inspection.layers());
        ctx.output("layers", layers);
        ctx.progress().line("  inspected " + source + " and " + output + " (" + inspection.bytesRead()
                + " bytes of headers and metadata read)");
        return summary;
    }

    /** Builds the run summary and the {task: score} file from the harness output. */
    static EvalEvidence inspectResults(StageContext ctx, ReleasePlan.Evidence evidence, Stage work) {
        Path results = ctx.resolve(evidence.results(), work);
        if (!Files.exists(results)) {
            throw new StageContext.EvidenceMissing(evidence.results().field(), results, work);
        }
        if (Files.isRegularFile(results)) {
            ctx.input(results);
        }
        TaskMap map;
        if (evidence.taskMap() == null) {
            map = TaskMap.builtIn();
        } else {
            Path mapFile = ctx.resolve(evidence.taskMap(), work);
            map = TaskMap.read(mapFile);
            ctx.input(mapFile);
        }
        EvalInspector.Inspection inspection;
        try {
            inspection = EvalInspector.inspect(results, EvalInspector.Format.parse(evidence.format()), map);
        } catch (InputException e) {
            throw new StageContext.EvidenceUnusable("the " + work + " results cannot be read: " + e.getMessage());
        }
        Path dir = ctx.evidenceDir(ctx.stage());
        Path runSummary = dir.resolve("run-summary.json");
        Path scores = dir.resolve("scores.json");
        Path report = dir.resolve("eval-inspection.json");
        ctx.writeOutput(runSummary, inspection.runSummary());
        ctx.writeOutput(scores, inspection.scores());
        ctx.writeOutput(report, inspection.report());
        ctx.output("eval_inspection", report);
        ctx.progress().line("  read " + inspection.taskCount() + " tasks from " + results);
        return new EvalEvidence(runSummary, scores);
    }
}
