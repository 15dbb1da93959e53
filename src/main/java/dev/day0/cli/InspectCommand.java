package dev.day0.cli;

import dev.day0.evidence.checkpoint.CheckpointInspector;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code day0 inspect checkpoint|eval}: build the gates' evidence files from the artifacts themselves. */
@Command(name = "inspect",
        description = "Build gate inputs from real artifacts: a quantized checkpoint, an evaluation's output.",
        mixinStandardHelpOptions = true,
        subcommands = {InspectCommand.CheckpointCommand.class},
        footer = {"", "Exit codes: 0 evidence written, 2 an input could not be used."})
public final class InspectCommand {

    @Command(name = "checkpoint", mixinStandardHelpOptions = true,
            description = "Read the safetensors headers and metadata of a source checkpoint and its quantized "
                    + "output and write the validation summary that 'day0 gate ptq' judges. Tensor data is never "
                    + "read.",
            footer = {"", "Exit codes: 0 summary written (the ptq gate judges it), 2 a checkpoint or option could "
                    + "not be used."})
    static final class CheckpointCommand extends EngineCommand {
        @Option(names = "--source", required = true, paramLabel = "DIR",
                description = "The checkpoint that was quantized (safetensors, Hugging Face layout).")
        Path source;

        @Option(names = "--output", required = true, paramLabel = "DIR",
                description = "The quantized checkpoint.")
        Path output;

        @Option(names = "--recipe", required = true, paramLabel = "RECIPE",
                description = "The recipe used: nvfp4, nvfp4_mlp_only, nvfp4_experts_only, nvfp4_omlp_only, fp8, "
                        + "int4_awq.")
        String recipe;

        @Option(names = "--out", paramLabel = "FILE",
                description = "Write validation-summary.json here instead of printing it.")
        Path out;

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
            console().document(inspection.summary(), out);
            if (out != null) {
                console().info("day0: validation summary written: " + out + " (" + inspection.bytesRead()
                        + " bytes read)");
            }
            return ExitCodes.OK;
        }
    }
}
