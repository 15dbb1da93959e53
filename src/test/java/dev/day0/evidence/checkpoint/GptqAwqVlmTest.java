package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.evidence.checkpoint.SyntheticCheckpoint.Format;
import dev.day0.evidence.checkpoint.SyntheticCheckpoint.Model;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * GPTQ and AWQ exports of a vision-language model (a Qwen2-VL-shaped decoder with a vision tower): both methods
 * quantize the decoder blocks' linear layers by construction, so lm_head and the vision tower stay 16-bit without
 * any exclude list, while a decoder layer left in 16 bits is a real coverage failure.
 */
public class GptqAwqVlmTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final Model model = Model.llama(2).withVisionTower();
    private Path source;
    private Path output;
    private Path summaryFile;

    @Before
    public void setUp() {
        source = temp.getRoot().toPath().resolve("source");
        output = temp.getRoot().toPath().resolve("output");
        summaryFile = temp.getRoot().toPath().resolve("validation-summary.json");
        model.source().file("config.json", SyntheticCheckpoint.config("bfloat16", null)).write(source);
    }

    /** The quantization_config the Transformers/Optimum GPTQ integration writes (Qwen2-VL-*-GPTQ-Int4 shape). */
    private static ObjectNode gptqConfig() {
        ObjectNode config = Json.object();
        config.put("bits", 4);
        config.put("group_size", 32);
        config.put("damp_percent", 0.01);
        config.put("desc_act", false);
        config.put("sym", true);
        config.put("true_sequential", true);
        config.put("quant_method", "gptq");
        config.putNull("modules_in_block_to_quantize");
        config.putNull("block_name_to_quantize");
        return config;
    }

    /** The quantization_config AutoAWQ writes for a VLM (Qwen2.5-VL-*-AWQ shape: the vision tower not converted). */
    private static ObjectNode awqConfig() {
        ObjectNode config = Json.object();
        config.put("bits", 4);
        config.put("group_size", 32);
        config.put("quant_method", "awq");
        config.put("version", "gemm");
        config.put("zero_point", true);
        config.putArray("modules_to_not_convert").add("visual");
        return config;
    }

    private void writeOutput(Function<String, Format> formatOf, ObjectNode quantizationConfig) {
        model.build(formatOf).file("config.json", SyntheticCheckpoint.config("float16", quantizationConfig))
                .write(output);
    }

    private static Function<String, Format> decoderOnly(Format format) {
        return module -> module.startsWith("model.layers.") ? format : Format.BF16;
    }

    /** Inspects with the recipe of the method that wrote the output: int4_gptq or int4_awq. */
    private JsonNode inspect() {
        String method = Json.read(output.resolve("config.json")).at("/quantization_config/quant_method").asText();
        return inspect("int4_" + method);
    }

    private JsonNode inspect(String recipe) {
        CliRun run = CliRun.run("inspect", "checkpoint", "--source", source.toString(), "--output",
                output.toString(), "--recipe", recipe, "--out", summaryFile.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return Json.read(summaryFile);
    }

    private JsonNode gate() {
        CliRun gate = CliRun.run("gate", "ptq", "--summary", summaryFile.toString());
        return Json.parse(gate.out(), "gate");
    }

    @Test
    public void shouldPassAGptqVlmExportWithLmHeadAndVisionTowerIn16Bits() {
        writeOutput(decoderOnly(Format.GPTQ_INT4), gptqConfig());

        JsonNode summary = inspect();

        JsonNode counts = summary.get("layer_precision_counts");
        assertThat(counts.get("INT4").asLong()).isEqualTo(14);
        assertThat(counts.get("excluded").asLong()).isEqualTo(9);
        assertThat(counts.get("declaration_mismatch").asLong()).as(summary.toString()).isZero();
        assertThat(counts.get("unexpected_unquantized").asLong()).isZero();
        assertThat(gate().get("pass").asBoolean()).isTrue();
    }

    @Test
    public void shouldFailAGptqExportThatLeftADecoderLayerUnquantizedWithoutAdvisingAnExcludeList() {
        writeOutput(module -> module.equals("model.layers.1.mlp.down_proj") ? Format.BF16
                : decoderOnly(Format.GPTQ_INT4).apply(module), gptqConfig());

        JsonNode summary = inspect();

        assertThat(summary.at("/layer_precision_counts/unexpected_unquantized").asLong()).isEqualTo(1);
        String reason = summary.at("/problem_layers/unexpected_unquantized/0").asText();
        assertThat(reason).startsWith("model.layers.1.mlp.down_proj: stored as BF16 but declared quantized (GPTQ "
                + "quantizes every linear layer of decoder block model.layers.1)")
                .contains("re-run it").doesNotContain("exclude");
        JsonNode result = gate();
        assertThat(result.get("failure_class").asText()).isEqualTo("QUANT_COVERAGE_FAILURE");
    }

    @Test
    public void shouldFlagAVisionTowerQuantizedByAGptqExport() {
        writeOutput(module -> module.equals("lm_head") ? Format.BF16 : Format.GPTQ_INT4, gptqConfig());

        JsonNode summary = inspect();

        assertThat(summary.at("/layer_precision_counts/declaration_mismatch").asLong()).isEqualTo(8);
        assertThat(summary.at("/problem_layers/declaration_mismatch/0").asText())
                .contains("vision tower quantized to INT4");
    }

    @Test
    public void shouldLeaveOutTheLayersModulesInBlockToQuantizeDoesNotName() {
        ObjectNode config = gptqConfig();
        var inBlock = config.putArray("modules_in_block_to_quantize");
        inBlock.addArray().add("self_attn.q_proj").add("self_attn.k_proj").add("self_attn.v_proj");
        inBlock.addArray().add("mlp.gate_proj").add("mlp.up_proj");
        inBlock.addArray().add("mlp.down_proj");
        config.put("block_name_to_quantize", "model.layers");
        writeOutput(module -> module.endsWith("o_proj") ? Format.BF16 : decoderOnly(Format.GPTQ_INT4).apply(module),
                config);

        JsonNode summary = inspect();

        assertThat(summary.at("/layer_precision_counts/INT4").asLong()).isEqualTo(12);
        assertThat(summary.at("/layer_precision_counts/excluded").asLong()).isEqualTo(11);
        assertThat(summary.at("/quantization/block_name_to_quantize/0").asText()).isEqualTo("model.layers");
        assertThat(gate().get("pass").asBoolean()).isTrue();
    }

    @Test
    public void shouldPassAnAwqVlmExportWhoseVisionTowerIsNotConverted() {
        writeOutput(decoderOnly(Format.AWQ_GEMM_INT4), awqConfig());

        JsonNode summary = inspect();

        assertThat(summary.at("/layer_precision_counts/INT4").asLong()).isEqualTo(14);
        assertThat(summary.at("/layer_precision_counts/excluded").asLong()).isEqualTo(9);
        assertThat(gate().get("pass").asBoolean()).as(summary.toString()).isTrue();
    }

    @Test
    public void shouldPointAnAwqUserAtModulesToNotConvertForAnUnquantizedDecoderLayer() {
        writeOutput(module -> module.equals("model.layers.0.self_attn.q_proj") ? Format.BF16
                : decoderOnly(Format.AWQ_GEMM_INT4).apply(module), awqConfig());

        JsonNode summary = inspect();

        assertThat(summary.at("/problem_layers/unexpected_unquantized/0").asText())
                .contains("AWQ quantizes every linear layer of decoder block model.layers.0",
                        "quantization_config.modules_to_not_convert");
        assertThat(gate().get("failure_class").asText()).isEqualTo("QUANT_COVERAGE_FAILURE");
    }

    @Test
    public void shouldRefuseAGptqExportJudgedAsTheAwqRecipe() {
        writeOutput(decoderOnly(Format.GPTQ_INT4), gptqConfig());

        JsonNode summary = inspect("int4_awq");

        assertThat(summary.get("metadata_diffs").toString()).contains("the checkpoint declares GPTQ (gptq) but recipe "
                + "int4_awq is AWQ: judge it with --recipe int4_gptq, or re-export it with AWQ");
        JsonNode result = gate();
        assertThat(result.get("pass").asBoolean()).isFalse();
        assertThat(result.get("detail").asText()).contains("recipe int4_awq is AWQ");
    }

    @Test
    public void shouldRefuseAnAwqExportJudgedAsTheGptqRecipe() {
        writeOutput(decoderOnly(Format.AWQ_GEMM_INT4), awqConfig());

        JsonNode summary = inspect("int4_gptq");

        assertThat(summary.get("metadata_diffs").toString()).contains("the checkpoint declares AWQ (awq) but recipe "
                + "int4_gptq is GPTQ: judge it with --recipe int4_awq");
        assertThat(gate().get("pass").asBoolean()).isFalse();
    }
}
