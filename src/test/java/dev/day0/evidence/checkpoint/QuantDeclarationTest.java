package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.core.Precision;
import dev.day0.io.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Reading the real declarations in reference/quant_configs. */
public class QuantDeclarationTest {
    static final Path MODELOPT = CheckpointInspectorTest.QUANT_CONFIGS.resolve("modelopt");
    static final Path COMPRESSED = CheckpointInspectorTest.QUANT_CONFIGS.resolve("compressed_tensors");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldApplyTheDeepSeekNvfp4ExclusionListWithItsWildcard() throws IOException {
        QuantDeclaration declaration = hfQuantConfig(MODELOPT.resolve("peaceh-nv_TensorRT-LLM__hf_quant_config.json"));

        assertThat(declaration.kind()).isEqualTo(QuantDeclaration.Kind.MODELOPT);
        assertThat(declaration.precision()).isEqualTo(Precision.NVFP4);
        assertThat(declaration.groupSize()).isEqualTo(16);
        assertThat(declaration.expect("model.layers.0.self_attn.q_proj").quantized()).isFalse();
        assertThat(declaration.expect("model.layers.10.mlp.gate").quantized()).isFalse();
        assertThat(declaration.expect("model.layers.61.mlp.experts.0.up_proj").reason())
                .isEqualTo("exclude_modules entry \"model.layers.61*\"");
        QuantDeclaration.Expectation expert = declaration.expect("model.layers.3.mlp.experts.17.down_proj");
        assertThat(expert.quantized()).isTrue();
        assertThat(expert.precision()).isEqualTo(Precision.NVFP4);
        assertThat(declaration.expect("model.layers.3.self_attn.o_proj").quantized()).isTrue();
    }

    @Test
    public void shouldExcludeTheGemmaVisionAndAudioTowersOfTheAwqExample() throws IOException {
        QuantDeclaration declaration = hfQuantConfig(MODELOPT.resolve(
                "doc-excerpt__gemma-multimodal__W4A16_AWQ__hf_quant_config.json"));

        assertThat(declaration.precision()).isEqualTo(Precision.INT4);
        assertThat(declaration.groupSize()).isEqualTo(128);
        assertThat(declaration.expect("model.vision_tower.vision_model.encoder.layers.0.mlp.fc1").quantized())
                .isFalse();
        assertThat(declaration.expect("model.audio_tower.conformer.0.attention.attn.q_proj").quantized()).isFalse();
        assertThat(declaration.expect("model.language_model.layers.0.mlp.down_proj").precision())
                .isEqualTo(Precision.INT4);
    }

    @Test
    public void shouldReadTheFp8DocstringExampleWithItsKvCache() throws IOException {
        QuantDeclaration declaration = hfQuantConfig(MODELOPT.resolve("modelopt-docstring__FP8__hf_quant_config.json"));

        assertThat(declaration.precision()).isEqualTo(Precision.FP8);
        assertThat(declaration.kvCache()).isEqualTo("FP8");
        assertThat(declaration.expect("lm_head").quantized()).isFalse();
    }

    @Test
    public void shouldReadTheModelOptSectionThatTheExporterWritesIntoConfigJson() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("config.json"), "{\"quantization_config\": " + Files.readString(MODELOPT.resolve(
                "DERIVED-from-convert_hf_quant_config_format__FP8__config.json.quantization_config.json")) + "}");

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.kind()).isEqualTo(QuantDeclaration.Kind.MODELOPT);
        assertThat(declaration.algo()).isEqualTo("FP8");
        assertThat(declaration.expect("lm_head").reason()).isEqualTo("exclude_modules entry \"lm_head\"");
        assertThat(declaration.expect("model.layers.0.mlp.up_proj").precision()).isEqualTo(Precision.FP8);
    }

    @Test
    public void shouldReadCompressedTensorsGroupsWithTheirTargetsAndIgnoreList() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.copy(COMPRESSED.resolve("llm-compressor__TinyLlama-1.1B-Chat-v1.0-fp8_fp8-default-kv_config.json"),
                dir.resolve("config.json"));

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.kind()).isEqualTo(QuantDeclaration.Kind.COMPRESSED_TENSORS);
        assertThat(declaration.precision()).isEqualTo(Precision.FP8);
        assertThat(declaration.kvCache()).isEqualTo("FP8");
        assertThat(declaration.expect("lm_head").quantized()).isFalse();
        assertThat(declaration.expect("model.layers.21.self_attn.k_proj").reason())
                .isEqualTo("config group group_0 target \"Linear\"");
    }

    @Test
    public void shouldReadTheRealQwen2VlAwqConfigWithItsVisionTowerNotConverted() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.copy(Path.of("src/test/resources/reference/real/qwen2-vl-7b-instruct-awq/config.json"),
                dir.resolve("config.json"));

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.kind()).isEqualTo(QuantDeclaration.Kind.TRANSFORMERS);
        assertThat(declaration.int4Method()).isEqualTo("awq");
        assertThat(declaration.precision()).isEqualTo(Precision.INT4);
        assertThat(declaration.groupSize()).isEqualTo(128);
        assertThat(declaration.expect("visual.blocks.31.mlp.fc2").reason())
                .isEqualTo("modules_to_not_convert entry \"visual\"");
        assertThat(declaration.expect("visual.merger.mlp.0").quantized()).isFalse();
        assertThat(declaration.expect("lm_head").reason()).startsWith("AWQ quantizes only the linear layers of the "
                + "decoder blocks");
        assertThat(declaration.expect("model.layers.27.mlp.down_proj").reason())
                .isEqualTo("AWQ quantizes every linear layer of decoder block model.layers.27");
        assertThat(declaration.problems()).isEmpty();
    }

    @Test
    public void shouldReadTheRealQwenVlChatGptqConfigAndNameItsMethod() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.copy(Path.of("src/test/resources/reference/real/qwen-vl-chat-int4/config.json"),
                dir.resolve("config.json"));

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.int4Method()).isEqualTo("gptq");
        assertThat(declaration.expect("transformer.h.31.mlp.c_proj").precision()).isEqualTo(Precision.INT4);
        assertThat(declaration.expect("transformer.visual.transformer.resblocks.0.mlp.c_fc").quantized()).isFalse();
    }

    @Test
    public void shouldNameAwqAsTheMethodOfModelOptAwqAndNoMethodForCompressedTensors() throws IOException {
        assertThat(hfQuantConfig(MODELOPT.resolve("doc-excerpt__gemma-multimodal__W4A16_AWQ__hf_quant_config.json"))
                .int4Method()).isEqualTo("awq");
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("config.json"), "{\"quantization_config\": " + Files.readString(
                COMPRESSED.resolve("llm-compressor__examples_bit_packing_int4_config.json")) + "}");
        QuantDeclaration packed = QuantDeclaration.read(dir);
        assertThat(packed.precision()).isEqualTo(Precision.INT4);
        assertThat(packed.int4Method()).isNull();
    }

    @Test
    public void shouldReadTheNaiveInt8ExampleAsInt8() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("config.json"), "{\"quantization_config\": " + Files.readString(
                COMPRESSED.resolve("llm-compressor__examples_llama_1.1b_example_quant_config.json")) + "}");

        assertThat(QuantDeclaration.read(dir).precision()).isEqualTo(Precision.INT8);
    }

    @Test
    public void shouldTreatASparsityOnlyConfigAsNoQuantization() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.copy(COMPRESSED.resolve("llm-compressor__nm-testing_llama2.c-stories42M-pruned2.4-compressed_config.json"),
                dir.resolve("config.json"));

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.kind()).isEqualTo(QuantDeclaration.Kind.NONE);
        assertThat(declaration.expect("model.layers.0.mlp.up_proj")).isNull();
        assertThat(declaration.notes()).containsExactly("config.json (quantization_config) declares sparsity only, "
                + "no quantization");
    }

    @Test
    public void shouldMatchCompressedTensorsRegexesFromTheStartOfTheName() {
        ModulePattern pattern = ModulePattern.parse("re:.*mlp\\.gate$");

        assertThat(pattern.matches("model.layers.3.mlp.gate")).isTrue();
        assertThat(pattern.matches("model.layers.3.mlp.gate_proj")).isFalse();
        assertThat(ModulePattern.parse("re:vision_tower").matches("model.vision_tower.blocks.0")).isFalse();
        assertThat(ModulePattern.parse("re:model.vision").matches("model.vision_tower.blocks.0")).isTrue();
    }

    @Test
    public void shouldMatchAParentModuleNameAndShellWildcards() {
        assertThat(ModulePattern.parse("model.visual").matches("model.visual.blocks.0.attn.qkv")).isTrue();
        assertThat(ModulePattern.parse("model.visual").matches("model.visual_extra.proj")).isFalse();
        assertThat(ModulePattern.parse("*.mlp.gate*").matches("model.layers.0.mlp.gate")).isTrue();
        assertThat(ModulePattern.parse("model.layers.[0-1].*").matches("model.layers.1.mlp.up_proj")).isTrue();
        assertThat(ModulePattern.parse("model.layers.[0-1].*").matches("model.layers.2.mlp.up_proj")).isFalse();
    }

    @Test
    public void shouldNoteAClassNameItCannotResolve() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("config.json"), "{\"quantization_config\": {\"quant_method\": "
                + "\"compressed-tensors\", \"ignore\": [\"MllamaVisionModel\"], \"config_groups\": {\"g\": "
                + "{\"targets\": [\"Linear\"], \"weights\": {\"num_bits\": 8, \"type\": \"float\"}}}}}");

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.notes()).singleElement().asString().contains("\"MllamaVisionModel\" names a module class");
    }

    @Test
    public void shouldReportAnUnknownAlgorithmAsABlockingProblem() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("hf_quant_config.json"), "{\"quantization\": {\"quant_algo\": \"W2A16_LUT\"}}");

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.problems()).containsExactly("hf_quant_config.json: quantization.quant_algo: "
                + "unsupported algorithm \"W2A16_LUT\"");
    }

    @Test
    public void shouldReadTheMicroscalingAlgorithmsOfModelOpt() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("hf_quant_config.json"), "{\"quantization\": {\"quant_algo\": \"MXFP8\"}}");

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.problems()).isEmpty();
        assertThat(declaration.precision()).isEqualTo(Precision.MXFP8);
    }

    @Test
    public void shouldReadTheRealGptOssMxfp4ConfigAsQuantizingOnlyTheExperts() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.copy(GptOssCheckpointTest.REAL.resolve("config.json"), dir.resolve("config.json"));

        QuantDeclaration declaration = QuantDeclaration.read(dir);

        assertThat(declaration.problems()).isEmpty();
        assertThat(declaration.precision()).isEqualTo(Precision.MXFP4);
        assertThat(declaration.expect("model.layers.3.mlp.experts.down_proj").quantized()).isTrue();
        assertThat(declaration.expect("model.layers.3.self_attn.q_proj").reason())
                .isEqualTo("modules_to_not_convert entry \"model.layers.*.self_attn\"");
        assertThat(declaration.expect("model.layers.3.mlp.router").quantized()).isFalse();
        assertThat(declaration.expect("lm_head").quantized()).isFalse();
    }

    @Test
    public void shouldNameTheFieldOfABadRegex() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("config.json"), "{\"quantization_config\": {\"quant_method\": "
                + "\"compressed-tensors\", \"ignore\": [\"re:(unclosed\"], \"config_groups\": {}}}");

        assertThatThrownBy(() -> QuantDeclaration.read(dir))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith(dir.resolve("config.json") + ": quantization_config.ignore[0]: "
                        + "\"re:(unclosed\" is not a valid regular expression");
    }

    private QuantDeclaration hfQuantConfig(Path file) throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.copy(file, dir.resolve("hf_quant_config.json"));
        return QuantDeclaration.read(dir);
    }
}
