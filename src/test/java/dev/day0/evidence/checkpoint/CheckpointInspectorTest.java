package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.evidence.checkpoint.SyntheticCheckpoint.Format;
import dev.day0.evidence.checkpoint.SyntheticCheckpoint.Model;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code day0 inspect checkpoint} on synthetic safetensors checkpoints, end to end through {@code day0 gate ptq}. */
public class CheckpointInspectorTest {
    static final Path QUANT_CONFIGS = Path.of("src/test/resources/reference/quant_configs");
    static final String TOKENIZER_CONFIG = "{\"bos_token\": \"<s>\", \"chat_template\": \"{{ messages }}\"}";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path source;
    private Path output;
    private Path summaryFile;

    @Before
    public void setUp() {
        source = temp.getRoot().toPath().resolve("source");
        output = temp.getRoot().toPath().resolve("output");
        summaryFile = temp.getRoot().toPath().resolve("validation-summary.json");
    }

    @Test
    public void shouldPassThePtqGateForAGoodNvfp4Checkpoint() {
        Model model = Model.llama(2);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 14, 1, 0, 0).toString());
        assertThat(summary.get("recipe").asText()).isEqualTo("nvfp4");
        assertThat(summary.get("source_precision").asText()).isEqualTo("BF16");
        assertThat(summary.get("output_bytes").asLong()).isLessThan(summary.get("source_bytes").asLong());
        assertThat(summary.get("metadata_diffs")).isEmpty();
        assertThat(summary.get("expected_metadata_diffs").toString())
                .contains("hf_quant_config.json: added", "config.json: quantization_config: added");
        CliRun gate = gate();
        assertThat(gate.exitCode()).as(gate.toString()).isZero();
        assertThat(Json.parse(gate.out(), "gate").get("pass").asBoolean()).isTrue();
    }

    @Test
    public void shouldBlockAnOutputThatLostLinearLayersAndNameTheFirstInNameOrder() {
        assertLayerSetsBlocked(3, 2, "7 linear layers of the source are missing from the output",
                "not in the source");
    }

    @Test
    public void shouldBlockAnOutputWithLinearLayersTheSourceNeverHad() {
        assertLayerSetsBlocked(2, 3, "7 linear layers of the output are not in the source",
                "missing from the output");
    }

    /** Layer 2 of a llama has seven linear layers; the first five in name order are the examples. */
    private void assertLayerSetsBlocked(int sourceLayers, int outputLayers, String finding, String otherFinding) {
        writeSource(Model.llama(sourceLayers));
        writeOutput(Model.llama(outputLayers), nvfp4ExceptLmHead(),
                SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("metadata_diffs").toString()).contains(finding + " (e.g. model.layers.2.mlp.down_proj, "
                + "model.layers.2.mlp.gate_proj, model.layers.2.mlp.up_proj, model.layers.2.self_attn.k_proj, "
                + "model.layers.2.self_attn.o_proj, ...)");
        assertThat(summary.get("metadata_diffs").toString()).doesNotContain(otherFinding);
        assertThat(gate().exitCode()).isNotZero();
    }

    @Test
    public void shouldCountOnlyKAndVScalesAsKvCacheScales() {
        Model model = Model.llama(2);
        writeSource(model);
        SyntheticCheckpoint checkpoint = withMetadata(model.build(nvfp4ExceptLmHead()), modelOptSection("NVFP4"))
                .file("hf_quant_config.json", SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
        for (String name : new String[] {"model.layers.0.self_attn.k_scale", "model.layers.1.self_attn.v_scale",
                "model.layers.0.self_attn.kv_scale", "model.layers.0.self_attn.q_scale", "k_scale",
                "model.layers.0.self_attn.k_scales"}) {
            checkpoint.tensor(name, "F32");
        }
        checkpoint.write(output);

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("notes").toString()).contains("the output has 2 k_scale/v_scale tensors but "
                + "declares no KV-cache");
    }

    @Test
    public void shouldBeModelUnsupportedWhenNothingIsQuantized() {
        Model model = Model.llama(2);
        writeSource(model);
        writeOutput(model, module -> Format.BF16, null);

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 0, 1, 14, 0).toString());
        assertThat(summary.get("output_bytes").asLong()).isEqualTo(summary.get("source_bytes").asLong());
        assertThat(gateFailureClass()).isEqualTo("MODEL_UNSUPPORTED");
    }

    @Test
    public void shouldBeQuantCoverageFailureForAnUnexpectedUnquantizedLayer() {
        Model model = Model.llama(2);
        writeSource(model);
        writeOutput(model, module -> module.equals("lm_head") || module.equals("model.layers.1.mlp.down_proj")
                ? Format.BF16 : Format.NVFP4, SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 13, 1, 1, 0).toString());
        assertThat(summary.at("/problem_layers/unexpected_unquantized/0").asText())
                .startsWith("model.layers.1.mlp.down_proj: stored as BF16 but declared quantized");
        assertThat(gateFailureClass()).isEqualTo("QUANT_COVERAGE_FAILURE");
    }

    @Test
    public void shouldBeQuantCoverageFailureForAQuantizedVisionTower() {
        Model model = Model.llama(2).withVisionTower();
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.at("/layer_precision_counts/declaration_mismatch").asLong()).isEqualTo(8);
        assertThat(summary.at("/problem_layers/declaration_mismatch/0").asText())
                .isEqualTo("model.visual.blocks.0.attn.qkv: vision tower quantized to NVFP4; recipe nvfp4 does not "
                        + "target it");
        assertThat(gateFailureClass()).isEqualTo("QUANT_COVERAGE_FAILURE");
    }

    @Test
    public void shouldCountAnUnquantizedVisionTowerAsExcludedWhenTheDeclarationExcludesIt() {
        Model model = Model.llama(2).withVisionTower();
        writeSource(model);
        writeOutput(model, module -> module.startsWith("model.visual") || module.equals("lm_head") ? Format.BF16
                : Format.NVFP4, SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head", "model.visual*"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 14, 9, 0, 0).toString());
        assertThat(gate().exitCode()).isZero();
    }

    @Test
    public void shouldFlagAnUnquantizedVisionTowerThatTheDeclarationSaysIsQuantized() {
        Model model = Model.llama(1).withVisionTower();
        writeSource(model);
        writeOutput(model, module -> module.startsWith("model.visual") || module.equals("lm_head") ? Format.BF16
                : Format.NVFP4, SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.at("/layer_precision_counts/declaration_mismatch").asLong()).isEqualTo(8);
        assertThat(summary.at("/problem_layers/declaration_mismatch/0").asText())
                .contains("stored as BF16 but declared quantized", "add the vision tower to exclude_modules");
    }

    @Test
    public void shouldPassAnExpertsOnlyMoeCheckpointWithTheReferenceQwenExclusions() throws IOException {
        Model model = Model.llama(2).withExperts(4);
        writeSource(model);
        writeOutput(model, module -> module.contains(".experts.") ? Format.NVFP4 : Format.BF16,
                Files.readString(QUANT_CONFIGS.resolve(
                        "modelopt/vllm-test-fixture__Qwen3.8-Flash-Next-NVFP4__hf_quant_config.json")));

        JsonNode summary = inspect("nvfp4_experts_only");

        // 2 layers x 4 experts x 3 projections quantized; attention, routers and lm_head excluded by the patterns.
        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 24, 11, 0, 0).toString());
        assertThat(summary.at("/quantization/kind").asText()).isEqualTo("modelopt");
        assertThat(summary.at("/quantization/group_size").asLong()).isEqualTo(16);
        assertThat(gate().exitCode()).isZero();
    }

    @Test
    public void shouldReportLayersQuantizedOutsideTheRecipeScopeAsBlocking() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        JsonNode summary = inspect("nvfp4_mlp_only");

        assertThat(summary.get("metadata_diffs").toString())
                .contains("4 layers quantized outside recipe nvfp4_mlp_only's scope");
        assertThat(gateFailureClass()).isEqualTo("QUANT_COVERAGE_FAILURE");
    }

    @Test
    public void shouldReadAShardedCheckpointThroughItsIndex() {
        Model model = Model.llama(3);
        model.source().shards(3).file("config.json", SyntheticCheckpoint.config("bfloat16", null)).write(source);
        SyntheticCheckpoint quantized = model.build(nvfp4ExceptLmHead()).shards(2)
                .file("config.json", SyntheticCheckpoint.config("bfloat16", modelOptSection("NVFP4")))
                .file("hf_quant_config.json", SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
        quantized.write(output);

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.at("/checkpoints/source/shards").asInt()).isEqualTo(3);
        assertThat(summary.at("/checkpoints/output/shards").asInt()).isEqualTo(2);
        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 21, 1, 0, 0).toString());
    }

    @Test
    public void shouldFlagALayerDeclaredExcludedButQuantized() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head",
                "*.self_attn.q_proj"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.at("/layer_precision_counts/declaration_mismatch").asLong()).isEqualTo(1);
        assertThat(summary.at("/problem_layers/declaration_mismatch/0").asText())
                .isEqualTo("model.layers.0.self_attn.q_proj: quantized to NVFP4 but declared unquantized "
                        + "(exclude_modules entry \"*.self_attn.q_proj\")");
    }

    @Test
    public void shouldFlagTensorsOfAnotherFormatThanDeclared() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("FP8", null, "lm_head"),
                modelOptSection("FP8"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 0, 1, 0, 7).toString());
        assertThat(summary.get("metadata_diffs").toString())
                .contains("the checkpoint declares FP8 (FP8) but recipe nvfp4 produces NVFP4");
        assertThat(gateFailureClass()).isEqualTo("MODEL_UNSUPPORTED");
    }

    @Test
    public void shouldFlagQuantizedLayersWhenTheCheckpointDeclaresNothing() {
        Model model = Model.llama(1);
        writeSource(model);
        model.build(nvfp4ExceptLmHead()).file("config.json", SyntheticCheckpoint.config("bfloat16", null))
                .write(output);

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.at("/layer_precision_counts/declaration_mismatch").asLong()).isEqualTo(7);
        assertThat(summary.at("/problem_layers/declaration_mismatch/0").asText())
                .endsWith("quantized to NVFP4 but the checkpoint declares no quantization");
        assertThat(summary.at("/quantization/kind").asText()).isEqualTo("none");
    }

    @Test
    public void shouldCountFp8LayersForTheFp8Recipe() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, module -> module.equals("lm_head") ? Format.BF16 : Format.FP8,
                SyntheticCheckpoint.hfQuantConfig("FP8", null, "lm_head"), modelOptSection("FP8"));

        JsonNode summary = inspect("fp8");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("FP8", 7, 1, 0, 0).toString());
        assertThat(gate().exitCode()).isZero();
    }

    @Test
    public void shouldFlagAnFp8WeightWithoutAScale() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, module -> module.equals("lm_head") ? Format.BF16
                : module.endsWith("v_proj") ? Format.FP8_NO_SCALE : Format.FP8,
                SyntheticCheckpoint.hfQuantConfig("FP8", null, "lm_head"), modelOptSection("FP8"));

        JsonNode summary = inspect("fp8");

        assertThat(summary.at("/problem_layers/declaration_mismatch/0").asText())
                .isEqualTo("model.layers.0.self_attn.v_proj: FP8 weight without a weight_scale or weight_scale_inv "
                        + "tensor");
    }

    @Test
    public void shouldReadTheOlderCompressionConfigKeyOfCompressedTensors() throws IOException {
        Model model = Model.llama(1);
        ObjectNode realConfig = (ObjectNode) Json.read(QUANT_CONFIGS.resolve(
                "compressed_tensors/llm-compressor__TinyLlama-1.1B-Chat-v1.0-fp8_fp8-config.json"));
        ObjectNode sourceConfig = realConfig.deepCopy();
        sourceConfig.remove("compression_config");
        withMetadata(model.source(), null).file("config.json", Json.write(sourceConfig)).write(source);
        withMetadata(model.build(module -> module.equals("lm_head") ? Format.BF16 : Format.FP8), null)
                .file("config.json", Json.write(realConfig)).write(output);

        JsonNode summary = inspect("fp8");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("FP8", 7, 1, 0, 0).toString());
        assertThat(summary.at("/quantization/source").asText()).isEqualTo("config.json (compression_config)");
        assertThat(summary.at("/quantization/quant_algo").asText()).isEqualTo("compressed-tensors float-quantized");
        assertThat(summary.get("expected_metadata_diffs").toString()).contains("config.json: compression_config: "
                + "added");
        assertThat(gate().exitCode()).isZero();
    }

    @Test
    public void shouldCountPackedInt4LayersOfTheReferenceBitPackingConfig() throws IOException {
        Model model = Model.llama(1);
        writeSource(model);
        ObjectNode quantization = (ObjectNode) Json.read(QUANT_CONFIGS.resolve(
                "compressed_tensors/llm-compressor__examples_bit_packing_int4_config.json"));
        withMetadata(model.build(module -> Format.CT_PACKED_INT4), quantization).write(output);

        JsonNode summary = inspect("int4_awq");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("INT4", 8, 0, 0, 0).toString());
        assertThat(summary.get("metadata_diffs")).as(summary.toString()).isEmpty();
        assertThat(gate().exitCode()).isZero();
    }

    @Test
    public void shouldCountBothPrecisionsOfAMixedPrecisionCheckpoint() {
        Model model = Model.llama(1);
        writeSource(model);
        ObjectNode root = (ObjectNode) Json.parse(SyntheticCheckpoint.hfQuantConfig("MIXED_PRECISION", 16,
                "lm_head"), "test");
        ObjectNode layers = ((ObjectNode) root.get("quantization")).putObject("quantized_layers");
        for (String projection : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
            layers.putObject("model.layers.0.self_attn." + projection).put("quant_algo", "FP8");
        }
        for (String projection : new String[] {"gate_proj", "up_proj", "down_proj"}) {
            layers.putObject("model.layers.0.mlp." + projection).put("quant_algo", "NVFP4");
        }
        writeOutput(model, module -> module.equals("lm_head") ? Format.BF16
                : module.contains("self_attn") ? Format.FP8 : Format.NVFP4, Json.write(root));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("layer_precision_counts").toString()).isEqualTo(counts("NVFP4", 3, 1, 0, 0).put("FP8", 4).toString());
        assertThat(gate().exitCode()).isZero();
    }

    @Test
    public void shouldBlockWhenTheTwoModelOptDeclarationsDisagree() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"),
                modelOptSection("FP8"));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("metadata_diffs").toString()).contains("hf_quant_config.json declares \\\"NVFP4\\\" "
                + "but config.json (quantization_config) declares \\\"FP8\\\"");
    }

    @Test
    public void shouldBlockAChangedContextLengthAndListTheExpectedDifferences() throws IOException {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
        ObjectNode config = (ObjectNode) Json.read(output.resolve("config.json"));
        config.put("max_position_embeddings", 8192);
        config.put("torch_dtype", "float16");
        Files.writeString(output.resolve("config.json"), Json.write(config));

        JsonNode summary = inspect("nvfp4");

        assertThat(summary.get("metadata_diffs").toString())
                .contains("config.json: max_position_embeddings: 131072 -> 8192");
        assertThat(summary.get("expected_metadata_diffs").toString())
                .contains("config.json: torch_dtype: \\\"bfloat16\\\" -> \\\"float16\\\"");
        CliRun gate = gate();
        assertThat(Json.parse(gate.out(), "gate").get("detail").asText())
                .contains("metadata differs from the source: config.json: max_position_embeddings: 131072 -> 8192");
    }

    @Test
    public void shouldBlockAChangedChatTemplateButNotAMovedOne() throws IOException {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
        Files.writeString(output.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        Files.writeString(output.resolve("chat_template.jinja"), "{{ messages }}");

        assertThat(inspect("nvfp4").get("metadata_diffs")).isEmpty();
        assertThat(inspect("nvfp4").get("expected_metadata_diffs").toString())
                .contains("chat template: moved from tokenizer_config.json to chat_template.jinja, same text");

        Files.writeString(output.resolve("chat_template.jinja"), "{{ messages | tojson }}");

        assertThat(inspect("nvfp4").get("metadata_diffs").toString()).contains("chat template: differs");
    }

    @Test
    public void shouldBlockATokenizerFileMissingFromTheOutput() throws IOException {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
        Files.delete(output.resolve("generation_config.json"));
        Files.writeString(output.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"b\": 0}}}");

        JsonNode diffs = inspect("nvfp4").get("metadata_diffs");

        assertThat(diffs.toString()).contains("generation_config.json: missing from the output",
                "tokenizer.json: model.vocab.a: removed", "tokenizer.json: model.vocab.b: added");
    }

    @Test
    public void shouldReadTheSourcePrecisionFromTheNewerDtypeKey() throws IOException {
        Model model = Model.llama(1);
        writeSource(model);
        ObjectNode config = (ObjectNode) Json.read(source.resolve("config.json"));
        config.remove("torch_dtype");
        config.put("dtype", "float16");
        Files.writeString(source.resolve("config.json"), Json.write(config));
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        assertThat(inspect("nvfp4").get("source_precision").asText()).isEqualTo("FP16");
    }

    @Test
    public void shouldWriteTheLayerTable() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
        Path layersFile = temp.getRoot().toPath().resolve("layers.json");

        CliRun run = CliRun.run("inspect", "checkpoint", "--source", source.toString(), "--output",
                output.toString(), "--recipe", "nvfp4", "--layers", layersFile.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode table = Json.read(layersFile);
        assertThat(table.get("layers")).hasSize(8);
        JsonNode first = table.get("layers").get(0);
        assertThat(first.get("module").asText()).isEqualTo("model.layers.0.self_attn.q_proj");
        assertThat(first.get("dtype").asText()).isEqualTo("U8");
        assertThat(first.get("shape").asText()).isEqualTo("[64, 32]");
        assertThat(first.get("class").asText()).isEqualTo("NVFP4");
        assertThat(first.get("reason").asText()).isEqualTo("quant_algo NVFP4");
        assertThat(Json.parse(run.out(), "stdout").get("layer_precision_counts")).isNotNull();
    }

    @Test
    public void shouldRefuseAnUnknownRecipe() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));

        CliRun run = CliRun.run("inspect", "checkpoint", "--source", source.toString(), "--output",
                output.toString(), "--recipe", "nvfp8");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--recipe: unknown recipe \"nvfp8\" (known: fp8, int4_awq, int4_gptq, nvfp4");
        assertThat(Json.parse(run.out(), "stdout").get("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
    }

    @Test
    public void shouldNameTheShardWhoseHeaderIsTruncated() throws IOException {
        writeGoodPair();
        Path shard = output.resolve("model.safetensors");
        Files.write(shard, new byte[] {1, 2, 3});

        assertInputError(shard + ": is 3 bytes, too short for a safetensors header (truncated file?)");
    }

    @Test
    public void shouldNameTheShardWhoseHeaderLengthIsBeyondTheFile() throws IOException {
        writeGoodPair();
        Path shard = output.resolve("model.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(shard.toFile(), "rw")) {
            raf.setLength(100);
        }

        CliRun run = runInspect();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(shard + ": header length ").contains("is beyond the file size of 100 bytes");
    }

    @Test
    public void shouldNameTheShardWhoseHeaderIsNotJson() throws IOException {
        writeGoodPair();
        Path shard = output.resolve("model.safetensors");
        byte[] bytes = new byte[8 + 16];
        bytes[0] = 16;
        System.arraycopy("not json at all!".getBytes(), 0, bytes, 8, 16);
        Files.write(shard, bytes);

        CliRun run = runInspect();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(shard + ": header: is not valid JSON: ");
    }

    @Test
    public void shouldNameTheTensorWhoseDataRunsPastTheEndOfAShard() throws IOException {
        writeGoodPair();
        Path shard = output.resolve("model.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(shard.toFile(), "rw")) {
            raf.setLength(raf.length() - 10);
        }

        CliRun run = runInspect();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(shard + ": header.model.norm.weight.data_offsets: data ends at byte ")
                .contains("(truncated shard?)");
    }

    @Test
    public void shouldNameTheTensorWhoseShapeCannotFitInAFile() throws IOException {
        writeGoodPair();
        Path shard = output.resolve("model.safetensors");
        SyntheticCheckpoint.writeShard(shard, java.util.List.of(new SyntheticCheckpoint.Tensor("lm_head.weight", "F4",
                new long[] {1L << 40, 1L << 40})));

        assertInputError(shard + ": header.lm_head.weight.shape: has more elements than a file can hold");
    }

    @Test
    public void shouldNameTheTensorWhoseOffsetsDoNotMatchItsShape() throws IOException {
        writeGoodPair();
        Path shard = output.resolve("model.safetensors");
        byte[] header = "{\"w.weight\": {\"dtype\": \"BF16\", \"shape\": [4, 4], \"data_offsets\": [0, 16]}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8 + header.length + 16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header);
        Files.write(shard, bytes.array());

        assertInputError(shard + ": header.w.weight.data_offsets: span 16 bytes but BF16[4, 4] needs 32");
    }

    @Test
    public void shouldNameTheIndexWhenAShardItListsIsMissing() throws IOException {
        Model model = Model.llama(2);
        writeSource(model);
        model.build(nvfp4ExceptLmHead()).shards(3)
                .file("hf_quant_config.json", SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"))
                .write(output);
        Files.delete(output.resolve("model-00002-of-00003.safetensors"));

        CliRun run = runInspect();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(output.resolve(Checkpoint.INDEX_FILE) + ": weight_map.")
                .contains("shard model-00002-of-00003.safetensors does not exist in " + output);
        assertThat(run.err().lines().count()).isEqualTo(1);
    }

    @Test
    public void shouldSayWhenADirectoryHoldsNoSafetensors() throws IOException {
        writeGoodPair();
        Files.delete(output.resolve("model.safetensors"));

        assertInputError(output + ": holds no *.safetensors files (only safetensors checkpoints can be inspected)");
    }

    @Test
    public void shouldSayWhenTheSourceDirectoryDoesNotExist() {
        CliRun run = CliRun.run("inspect", "checkpoint", "--source", source.toString(), "--output",
                output.toString(), "--recipe", "nvfp4");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--source: " + source + " does not exist");
    }

    @Test
    public void shouldNameTheFileAndFieldOfAMalformedDeclaration() throws IOException {
        writeGoodPair();
        Files.writeString(output.resolve("hf_quant_config.json"), "{\"quantization\": {\"quant_algo\": \"NVFP4\", "
                + "\"exclude_modules\": \"lm_head\"}}");

        assertInputError(output.resolve("hf_quant_config.json") + ": quantization.exclude_modules: must be a list of "
                + "strings, found string \"lm_head\"");
    }

    private void assertInputError(String line) {
        CliRun run = runInspect();
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(line + System.lineSeparator());
    }

    private CliRun runInspect() {
        return CliRun.run("inspect", "checkpoint", "--source", source.toString(), "--output", output.toString(),
                "--recipe", "nvfp4", "--out", summaryFile.toString());
    }

    private void writeGoodPair() {
        Model model = Model.llama(1);
        writeSource(model);
        writeOutput(model, nvfp4ExceptLmHead(), SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head"));
    }

    private JsonNode inspect(String recipe) {
        CliRun run = CliRun.run("inspect", "checkpoint", "--source", source.toString(), "--output",
                output.toString(), "--recipe", recipe, "--out", summaryFile.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return Json.read(summaryFile);
    }

    private CliRun gate() {
        return CliRun.run("gate", "ptq", "--summary", summaryFile.toString());
    }

    private String gateFailureClass() {
        CliRun gate = gate();
        assertThat(gate.exitCode()).as(gate.toString()).isEqualTo(1);
        return Json.parse(gate.out(), "gate").get("failure_class").asText();
    }

    private static Function<String, Format> nvfp4ExceptLmHead() {
        return module -> module.equals("lm_head") ? Format.BF16 : Format.NVFP4;
    }

    private static ObjectNode counts(String target, long covered, long excluded, long unexpected, long mismatch) {
        ObjectNode counts = Json.object();
        counts.put(target, covered);
        counts.put("excluded", excluded);
        counts.put("unexpected_unquantized", unexpected);
        counts.put("declaration_mismatch", mismatch);
        return counts;
    }

    private static ObjectNode modelOptSection(String algo) {
        ObjectNode section = Json.object();
        section.put("quant_method", "modelopt");
        section.put("quant_algo", algo);
        section.putArray("ignore").add("lm_head");
        return section;
    }

    private void writeSource(Model model) {
        model.source()
                .file("config.json", SyntheticCheckpoint.config("bfloat16", null))
                .file("generation_config.json", "{\"temperature\": 0.6, \"transformers_version\": \"4.51.0\"}")
                .file("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}")
                .file("tokenizer_config.json", TOKENIZER_CONFIG)
                .write(source);
    }

    private static SyntheticCheckpoint withMetadata(SyntheticCheckpoint checkpoint, ObjectNode quantizationSection) {
        return checkpoint
                .file("config.json", SyntheticCheckpoint.config("bfloat16", quantizationSection))
                .file("generation_config.json", "{\"temperature\": 0.6, \"transformers_version\": \"4.52.0\"}")
                .file("tokenizer.json", "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}")
                .file("tokenizer_config.json", TOKENIZER_CONFIG);
    }

    private void writeOutput(Model model, Function<String, Format> formatOf, String hfQuantConfig) {
        String algo = hfQuantConfig == null ? null
                : Json.parse(hfQuantConfig, "test").at("/quantization/quant_algo").asText();
        writeOutput(model, formatOf, hfQuantConfig, algo == null ? null : modelOptSection(algo));
    }

    private void writeOutput(Model model, Function<String, Format> formatOf, String hfQuantConfig,
                             ObjectNode quantizationSection) {
        SyntheticCheckpoint checkpoint = withMetadata(model.build(formatOf), quantizationSection);
        if (hfQuantConfig != null) {
            checkpoint.file("hf_quant_config.json", hfQuantConfig);
        }
        checkpoint.write(output);
    }
}
