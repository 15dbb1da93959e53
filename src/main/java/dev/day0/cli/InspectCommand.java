package dev.day0.cli;

import dev.day0.core.CommonExit;
import dev.day0.evidence.checkpoint.CheckpointInspector;
import dev.day0.evidence.eval.EvalInspector;
import dev.day0.evidence.eval.TaskMap;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code day0 inspect checkpoint|eval}: build the gates' evidence files from the artifacts themselves. */
@Command(name = "inspect",
        description = "Build gate inputs from real artifacts: a quantized checkpoint, an evaluation's output.",
        mixinStandardHelpOptions = true,
        footer = {"", "Inspection writes evidence; the gates judge it."})
@ExitCodeFamily(value = CommonExit.class, codes = {0, 2, 70})
@Subcommands({InspectCommand.CheckpointCommand.class, InspectCommand.EvalCommand.class})
public final class InspectCommand {

    @Command(name = "checkpoint", mixinStandardHelpOptions = true,
            description = "Read the safetensors headers and metadata of a source checkpoint and its quantized "
                    + "output and write the validation summary that 'day0 gate ptq' judges. Tensor data is never "
                    + "read.",
            footer = {"", "The summary is written whatever it holds: the ptq gate judges it."})
    static final class CheckpointCommand extends EngineCommand {
        @Option(names = "--source", required = true, paramLabel = "DIR",
                description = "The checkpoint that was quantized (safetensors, Hugging Face layout).")
        Path source;

        @Option(names = "--output", required = true, paramLabel = "DIR",
                description = "The quantized checkpoint.")
        Path output;

        @Option(names = "--recipe", required = true, paramLabel = "RECIPE",
                description = "The recipe used: nvfp4, nvfp4_mlp_only, nvfp4_experts_only, nvfp4_omlp_only, fp8, "
                        + "int4_awq, int4_gptq.")
        String recipe;

        @Mixin
        OutFile out = new OutFile();

        @Option(names = "--layers", paramLabel = "FILE",
                description = "Also write the per-layer table (module, dtype, shape, class, reason) here.")
        Path layers;

        @Override
        public Integer call() {
            CheckpointInspector.Inspection inspection = CheckpointInspector.inspect(source, output, recipe);
            if (layers != null) {
                console().document(inspection.layers(), layers);
                console().info("day0: layer table written: " + layers);
            }
            int code = out.answer(console(), inspection.summary(), CommonExit.OK);
            if (out.file() != null) {
                console().info("day0: validation summary written: " + out.file() + " (" + inspection.bytesRead()
                        + " bytes read)");
            }
            return code;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Read an evaluation's output (NeMo Evaluator Launcher results.yml, or "
                    + "lm-evaluation-harness results_*.json with its samples_*.jsonl) and write the run summary "
                    + "for 'day0 gate run' and the {task: score} file for 'day0 gate compare'. Prints where every "
                    + "number came from.",
            footer = {"", "Scores are written on a 0-100 scale: the reported value times 100 over the metric's "
                    + "scale (1 unless the task map says otherwise).",
                "A run that scored fewer items than expected (a --limit or limit_samples run) is reported as such; "
                        + "the run gate fails it as SAMPLE_ACCOUNTING_FAILED."})
    static final class EvalCommand extends EngineCommand {
        @Option(names = "--results", required = true, paramLabel = "PATH",
                description = "A results.yml, a results_*.json, or a directory holding them.")
        Path results;

        @Option(names = "--format", defaultValue = "auto", paramLabel = "FORMAT",
                description = "nel, lm-eval or auto (default: ${DEFAULT-VALUE}; a directory with a results.yml is "
                        + "NeMo Evaluator output).")
        String format;

        @Option(names = "--tasks", paramLabel = "FILE",
                description = "Task map (YAML): the tasks to report, each with metric, scale, expected_samples.")
        Path taskMap;

        @Option(names = "--run-summary", required = true, paramLabel = "FILE",
                description = "Where to write run-summary.json for 'day0 gate run'.")
        Path runSummary;

        @Option(names = "--scores", required = true, paramLabel = "FILE",
                description = "Where to write the {task: score} file for 'day0 gate compare'.")
        Path scores;

        @Override
        public Integer call() {
            EvalInspector.Format parsed = EvalInspector.Format.parse(format);
            TaskMap map = taskMap == null ? TaskMap.builtIn() : TaskMap.read(taskMap);
            EvalInspector.Inspection inspection = EvalInspector.inspect(results, parsed, map);
            console().document(inspection.runSummary(), runSummary);
            console().document(inspection.scores(), scores);
            int code = console().answer(inspection.report(), CommonExit.OK, null);
            console().info("day0: " + inspection.taskCount() + " task(s): run summary written to " + runSummary
                    + ", scores to " + scores);
            return code;
        }
    }
}
