package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The AutoAWQ export of Qwen2-VL-7B-Instruct with its real config.json ({@code quant_method: awq}, 4 bits, group
 * 128, {@code modules_to_not_convert: ["visual"]}). Its model.safetensors.index.json is not in the stores, so the
 * tensors are the ones Transformers' Qwen2VLForConditionalGeneration names, with the config's sizes: decoder
 * linear layers as AWQ GEMM ({@code qweight [in, out/8]}, {@code qzeros}, {@code scales} per 128 inputs), the
 * vision tower, merger, embeddings and lm_head in F16. Their data add up to 6,922,265,600 bytes, the
 * 3.98 GB + 2.94 GB of the two published shards.
 */
public class Qwen2VlAwqCheckpointTest {
    static final Path REAL = Path.of("src/test/resources/reference/real/qwen2-vl-7b-instruct-awq");
    static final long HIDDEN = 3584;
    static final long INTERMEDIATE = 18944;
    static final long KV = 512;
    static final long VOCAB = 152064;
    static final long VISION = 1280;
    static final long VISION_MLP = 5120;
    static final long MERGED = VISION * 4;
    static final long GROUP = 128;
    static final int LAYERS = 28;
    static final int VISION_BLOCKS = 32;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path source;
    private Path output;
    private Path summaryFile;

    @Before
    public void setUp() {
        source = temp.getRoot().toPath().resolve("Qwen2-VL-7B-Instruct");
        output = temp.getRoot().toPath().resolve("Qwen2-VL-7B-Instruct-AWQ");
        summaryFile = temp.getRoot().toPath().resolve("validation-summary.json");
    }

    /** A linear layer stored as AWQ GEMM packs it, or as a 16-bit weight when {@code awq} is false. */
    private static void linear(SyntheticCheckpoint checkpoint, String module, long in, long out, boolean bias,
                               boolean awq, String dtype) {
        if (awq) {
            checkpoint.tensor(module + ".qweight", "I32", in, out / 8);
            checkpoint.tensor(module + ".qzeros", "I32", in / GROUP, out / 8);
            checkpoint.tensor(module + ".scales", "F16", in / GROUP, out);
        } else {
            checkpoint.tensor(module + ".weight", dtype, out, in);
        }
        if (bias) {
            checkpoint.tensor(module + ".bias", dtype, out);
        }
    }

    /**
     * Qwen2-VL-7B: the decoder in AWQ (or all 16-bit for the source), except {@code unquantized}, which stays in
     * {@code dtype} as a layer the export missed.
     */
    private static SyntheticCheckpoint model(boolean awq, String dtype, String unquantized) {
        SyntheticCheckpoint checkpoint = new SyntheticCheckpoint();
        checkpoint.tensor("model.embed_tokens.weight", dtype, VOCAB, HIDDEN);
        for (int layer = 0; layer < LAYERS; layer++) {
            String prefix = "model.layers." + layer + ".";
            for (String[] projection : new String[][] {{"self_attn.q_proj", "q"}, {"self_attn.k_proj", "kv"},
                    {"self_attn.v_proj", "kv"}, {"self_attn.o_proj", "o"}, {"mlp.gate_proj", "up"},
                    {"mlp.up_proj", "up"}, {"mlp.down_proj", "down"}}) {
                String module = prefix + projection[0];
                long in = projection[1].equals("down") ? INTERMEDIATE : HIDDEN;
                long out = switch (projection[1]) {
                    case "kv" -> KV;
                    case "up" -> INTERMEDIATE;
                    default -> HIDDEN;
                };
                boolean bias = projection[1].equals("q") || projection[1].equals("kv");
                linear(checkpoint, module, in, out, bias, awq && !module.equals(unquantized), dtype);
            }
            checkpoint.tensor(prefix + "input_layernorm.weight", dtype, HIDDEN);
            checkpoint.tensor(prefix + "post_attention_layernorm.weight", dtype, HIDDEN);
        }
        checkpoint.tensor("model.norm.weight", dtype, HIDDEN);
        checkpoint.tensor("lm_head.weight", dtype, VOCAB, HIDDEN);
        checkpoint.tensor("visual.patch_embed.proj.weight", dtype, VISION, 3, 2, 14, 14);
        for (int block = 0; block < VISION_BLOCKS; block++) {
            String prefix = "visual.blocks." + block + ".";
            for (String norm : new String[] {"norm1", "norm2"}) {
                checkpoint.tensor(prefix + norm + ".weight", dtype, VISION);
                checkpoint.tensor(prefix + norm + ".bias", dtype, VISION);
            }
            linear(checkpoint, prefix + "attn.qkv", VISION, 3 * VISION, true, false, dtype);
            linear(checkpoint, prefix + "attn.proj", VISION, VISION, true, false, dtype);
            linear(checkpoint, prefix + "mlp.fc1", VISION, VISION_MLP, true, false, dtype);
            linear(checkpoint, prefix + "mlp.fc2", VISION_MLP, VISION, true, false, dtype);
        }
        checkpoint.tensor("visual.merger.ln_q.weight", dtype, VISION);
        checkpoint.tensor("visual.merger.ln_q.bias", dtype, VISION);
        linear(checkpoint, "visual.merger.mlp.0", MERGED, MERGED, true, false, dtype);
        linear(checkpoint, "visual.merger.mlp.2", MERGED, HIDDEN, true, false, dtype);
        return checkpoint;
    }

    private void writeBoth(String unquantized) throws IOException {
        ObjectNode sourceConfig = (ObjectNode) Json.read(REAL.resolve("config.json"));
        sourceConfig.remove("quantization_config");
        sourceConfig.put("torch_dtype", "bfloat16");
        model(false, "BF16", null).file("config.json", Json.write(sourceConfig)).shards(5).write(source);
        model(true, "F16", unquantized).file("config.json", Files.readString(REAL.resolve("config.json")))
                .shards(2).write(output);
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
    public void shouldAddUpToTheSizeOfThePublishedShards() {
        assertThat(model(true, "F16", null).dataBytes()).isEqualTo(6_922_265_600L);
    }

    @Test
    public void shouldPassTheAwqExportWithLmHeadAndVisionTowerCountedAsExclusions() throws IOException {
        writeBoth(null);

        JsonNode summary = inspect("int4_awq");

        assertThat(summary.get("source_precision").asText()).isEqualTo("BF16");
        JsonNode counts = summary.get("layer_precision_counts");
        assertThat(counts.get("INT4").asLong()).isEqualTo(LAYERS * 7);
        // 32 ViT blocks x 4, the merger's two layers and lm_head.
        assertThat(counts.get("excluded").asLong()).isEqualTo(VISION_BLOCKS * 4 + 2 + 1);
        assertThat(counts.get("unexpected_unquantized").asLong()).isZero();
        assertThat(counts.get("declaration_mismatch").asLong()).as(summary.toString()).isZero();
        assertThat(summary.get("metadata_diffs")).as(summary.toString()).isEmpty();
        assertThat(gate().get("pass").asBoolean()).isTrue();
    }

    @Test
    public void shouldFailACopyWithAnUnquantizedDecoderLayerAndPointAtModulesToNotConvert() throws IOException {
        writeBoth("model.layers.13.self_attn.o_proj");

        JsonNode summary = inspect("int4_awq");

        assertThat(summary.at("/layer_precision_counts/unexpected_unquantized").asLong()).isEqualTo(1);
        assertThat(summary.at("/problem_layers/unexpected_unquantized/0").asText())
                .startsWith("model.layers.13.self_attn.o_proj: stored as FP16 but declared quantized (AWQ quantizes "
                        + "every linear layer of decoder block model.layers.13)")
                .contains("re-run it, or list the layer in quantization_config.modules_to_not_convert");
        JsonNode result = gate();
        assertThat(result.get("failure_class").asText()).isEqualTo("QUANT_COVERAGE_FAILURE");
    }
}
