package dev.day0.evidence.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The real GPTQ export of a vision-language model, Qwen-VL-Chat-Int4 (AutoGPTQ, 4 bits, group 128): its
 * config.json, quantize_config.json and model.safetensors.index.json, every tensor written as a sparse shard under
 * the index's own shard names with the shapes of the released model (their data sizes sum to the index's
 * {@code total_size}). The 16-bit source is derived from it: each GPTQ layer ({@code qweight}, {@code qzeros},
 * {@code scales}, {@code g_idx}) as the F16 {@code weight} it was made from, everything else unchanged.
 */
public class QwenVlChatInt4CheckpointTest {
    static final Path REAL = Path.of("src/test/resources/reference/real/qwen-vl-chat-int4");
    static final long HIDDEN = 4096;
    static final long FFN = 11008;
    static final long VOCAB = 151936;
    static final long VISION = 1664;
    static final long VISION_MLP = 8192;
    static final long GROUP = 128;
    static final int DECODER_LAYERS = 32;
    private static final Pattern GPTQ_TENSOR =
            Pattern.compile("transformer\\.h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.w1|mlp\\.w2|mlp\\.c_proj)"
                    + "\\.(qweight|qzeros|scales|g_idx|bias)");
    private static final Pattern VISION_BLOCK = Pattern.compile("transformer\\.visual\\.transformer\\.resblocks\\.\\d+"
            + "\\.(.+)");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path source;
    private Path output;
    private Path summaryFile;
    private Map<String, String> weightMap;

    @Before
    public void setUp() {
        source = temp.getRoot().toPath().resolve("Qwen-VL-Chat");
        output = temp.getRoot().toPath().resolve("Qwen-VL-Chat-Int4");
        summaryFile = temp.getRoot().toPath().resolve("validation-summary.json");
        weightMap = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = Json.read(REAL.resolve("model.safetensors.index.json"))
                .get("weight_map").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            weightMap.put(entry.getKey(), entry.getValue().asText());
        }
    }

    /** In and out features of a decoder linear layer, as QWenBlock builds it. */
    private static long[] decoderLinear(String projection) {
        return switch (projection) {
            case "attn.c_attn" -> new long[] {HIDDEN, 3 * HIDDEN};
            case "attn.c_proj" -> new long[] {HIDDEN, HIDDEN};
            case "mlp.w1", "mlp.w2" -> new long[] {HIDDEN, FFN};
            default -> new long[] {FFN, HIDDEN};
        };
    }

    /** Adds one tensor of the real index with the released model's dtype and shape. */
    private static void addReleased(SyntheticCheckpoint checkpoint, String name) {
        Matcher gptq = GPTQ_TENSOR.matcher(name);
        if (gptq.matches()) {
            long[] inOut = decoderLinear(gptq.group(1));
            long in = inOut[0];
            long out = inOut[1];
            switch (gptq.group(2)) {
                case "qweight" -> checkpoint.tensor(name, "I32", in / 8, out);
                case "qzeros" -> checkpoint.tensor(name, "I32", in / GROUP, out / 8);
                case "scales" -> checkpoint.tensor(name, "F16", in / GROUP, out);
                case "g_idx" -> checkpoint.tensor(name, "I32", in);
                default -> checkpoint.tensor(name, "F16", out);
            }
            return;
        }
        if (name.matches("transformer\\.h\\.\\d+\\.ln_\\d\\.weight") || name.equals("transformer.ln_f.weight")) {
            checkpoint.tensor(name, "F16", HIDDEN);
        } else if (name.equals("lm_head.weight") || name.equals("transformer.wte.weight")) {
            checkpoint.tensor(name, "F16", VOCAB, HIDDEN);
        } else if (VISION_BLOCK.matcher(name).matches()) {
            addVisionBlockTensor(checkpoint, name);
        } else {
            addVisionTensor(checkpoint, name);
        }
    }

    private static void addVisionBlockTensor(SyntheticCheckpoint checkpoint, String name) {
        Matcher block = VISION_BLOCK.matcher(name);
        block.matches();
        switch (block.group(1)) {
            case "attn.in_proj.weight" -> checkpoint.tensor(name, "F16", 3 * VISION, VISION);
            case "attn.in_proj.bias" -> checkpoint.tensor(name, "F16", 3 * VISION);
            case "attn.out_proj.weight" -> checkpoint.tensor(name, "F16", VISION, VISION);
            case "mlp.c_fc.weight" -> checkpoint.tensor(name, "F16", VISION_MLP, VISION);
            case "mlp.c_fc.bias" -> checkpoint.tensor(name, "F16", VISION_MLP);
            case "mlp.c_proj.weight" -> checkpoint.tensor(name, "F16", VISION, VISION_MLP);
            case "attn.out_proj.bias", "mlp.c_proj.bias", "ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias" ->
                    checkpoint.tensor(name, "F16", VISION);
            default -> throw new IllegalArgumentException("no Qwen-VL shape for " + name);
        }
    }

    /** The vision tower's stem and its resampler (256 queries of the decoder's width attending to the ViT). */
    private static void addVisionTensor(SyntheticCheckpoint checkpoint, String name) {
        switch (name.substring("transformer.visual.".length())) {
            case "attn_pool.attn.in_proj_weight" -> checkpoint.tensor(name, "F16", 3 * HIDDEN, HIDDEN);
            case "attn_pool.attn.in_proj_bias" -> checkpoint.tensor(name, "F16", 3 * HIDDEN);
            case "attn_pool.attn.out_proj.weight", "proj" -> checkpoint.tensor(name, "F16", HIDDEN, HIDDEN);
            case "attn_pool.kv_proj.weight" -> checkpoint.tensor(name, "F16", HIDDEN, VISION);
            case "attn_pool.pos_embed", "attn_pool.query" -> checkpoint.tensor(name, "F16", 256, HIDDEN);
            case "attn_pool.attn.out_proj.bias", "attn_pool.ln_kv.bias", "attn_pool.ln_kv.weight", "attn_pool.ln_q.bias",
                    "attn_pool.ln_q.weight", "ln_post.bias", "ln_post.weight" -> checkpoint.tensor(name, "F16", HIDDEN);
            case "conv1.weight" -> checkpoint.tensor(name, "F16", VISION, 3, 14, 14);
            case "ln_pre.bias", "ln_pre.weight" -> checkpoint.tensor(name, "F16", VISION);
            case "positional_embedding" -> checkpoint.tensor(name, "F16", 256, VISION);
            default -> throw new IllegalArgumentException("no Qwen-VL shape for " + name);
        }
    }

    /** The released export, with {@code unquantized} (a decoder layer) stored as its F16 weight instead. */
    private SyntheticCheckpoint export(String unquantized) throws IOException {
        SyntheticCheckpoint checkpoint = new SyntheticCheckpoint();
        Map<String, String> outputMap = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : weightMap.entrySet()) {
            String name = entry.getKey();
            if (unquantized != null && name.startsWith(unquantized + ".") && !name.endsWith(".bias")) {
                if (name.endsWith(".qweight")) {
                    long[] inOut = decoderLinear(unquantized.replaceFirst("transformer\\.h\\.\\d+\\.", ""));
                    checkpoint.tensor(unquantized + ".weight", "F16", inOut[1], inOut[0]);
                    outputMap.put(unquantized + ".weight", entry.getValue());
                }
                continue;
            }
            addReleased(checkpoint, name);
            outputMap.put(name, entry.getValue());
        }
        weightMap = outputMap;
        checkpoint.file("config.json", Files.readString(REAL.resolve("config.json")));
        checkpoint.file("quantize_config.json", Files.readString(REAL.resolve("quantize_config.json")));
        checkpoint.file("generation_config.json", Files.readString(REAL.resolve("generation_config.json")));
        return checkpoint;
    }

    /** The FP16 model the export was made from: every GPTQ layer as its [out, in] weight. */
    private SyntheticCheckpoint fp16Source(Map<String, String> shardOf) throws IOException {
        SyntheticCheckpoint checkpoint = new SyntheticCheckpoint();
        for (Map.Entry<String, String> entry : weightMap.entrySet()) {
            String name = entry.getKey();
            Matcher gptq = GPTQ_TENSOR.matcher(name);
            if (!gptq.matches()) {
                addReleased(checkpoint, name);
                shardOf.put(name, entry.getValue());
            } else if (gptq.group(2).equals("qweight")) {
                String module = name.substring(0, name.length() - ".qweight".length());
                long[] inOut = decoderLinear(gptq.group(1));
                checkpoint.tensor(module + ".weight", "F16", inOut[1], inOut[0]);
                shardOf.put(module + ".weight", entry.getValue());
            } else if (gptq.group(1).equals("attn.c_attn") && gptq.group(2).equals("bias")) {
                // Only c_attn has a bias in QWen (no_bias); AutoGPTQ added zero biases to the other layers.
                addReleased(checkpoint, name);
                shardOf.put(name, entry.getValue());
            }
        }
        ObjectNode config = (ObjectNode) Json.read(REAL.resolve("config.json"));
        config.remove("quantization_config");
        checkpoint.file("config.json", Json.write(config));
        checkpoint.file("generation_config.json", Files.readString(REAL.resolve("generation_config.json")));
        return checkpoint;
    }

    private void writeBoth(String unquantized) throws IOException {
        Map<String, String> sourceMap = new LinkedHashMap<>();
        fp16Source(sourceMap).writeAs(source, sourceMap);
        SyntheticCheckpoint exported = export(unquantized);
        exported.writeAs(output, weightMap);
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
    public void shouldRebuildTheRealIndexWithTheShapesOfTheReleasedModel() throws IOException {
        SyntheticCheckpoint checkpoint = new SyntheticCheckpoint();
        weightMap.keySet().forEach(name -> addReleased(checkpoint, name));

        assertThat(checkpoint.dataBytes()).isEqualTo(Json.read(REAL.resolve("model.safetensors.index.json"))
                .path("metadata").path("total_size").asLong());
    }

    @Test
    public void shouldPassTheReleasedGptqExportWithLmHeadAndVisionTowerCountedAsExclusions() throws IOException {
        writeBoth(null);

        JsonNode summary = inspect("int4_gptq");

        assertThat(summary.at("/quantization/quant_algo").asText()).isEqualTo("gptq");
        assertThat(summary.at("/quantization/precision").asText()).isEqualTo("INT4");
        assertThat(summary.get("source_precision").asText()).isEqualTo("FP16");
        JsonNode counts = summary.get("layer_precision_counts");
        // 32 blocks x (c_attn, c_proj, w1, w2, mlp.c_proj); 48 ViT blocks x 4, the resampler's kv_proj and
        // out_proj, and lm_head stay 16-bit with no exclude list in the declaration.
        assertThat(counts.get("INT4").asLong()).isEqualTo(DECODER_LAYERS * 5);
        assertThat(counts.get("excluded").asLong()).isEqualTo(48 * 4 + 2 + 1);
        assertThat(counts.get("unexpected_unquantized").asLong()).isZero();
        assertThat(counts.get("declaration_mismatch").asLong()).as(summary.toString()).isZero();
        assertThat(summary.get("metadata_diffs")).as(summary.toString()).isEmpty();
        assertThat(summary.get("output_bytes").asLong()).isLessThan(summary.get("source_bytes").asLong());
        JsonNode result = gate();
        assertThat(result.get("pass").asBoolean()).as(result.toString()).isTrue();
    }

    @Test
    public void shouldFailACopyWithAnUnquantizedDecoderLayerAndSayTheExportMustBeRerun() throws IOException {
        writeBoth("transformer.h.7.mlp.w2");

        JsonNode summary = inspect("int4_gptq");

        assertThat(summary.at("/layer_precision_counts/INT4").asLong()).isEqualTo(DECODER_LAYERS * 5 - 1);
        assertThat(summary.at("/layer_precision_counts/unexpected_unquantized").asLong()).isEqualTo(1);
        assertThat(summary.at("/problem_layers/unexpected_unquantized/0").asText())
                .startsWith("transformer.h.7.mlp.w2: stored as FP16 but declared quantized (GPTQ quantizes every "
                        + "linear layer of decoder block transformer.h.7)")
                .contains("re-run it").doesNotContain("exclude_modules").doesNotContain("add the vision tower");
        JsonNode result = gate();
        assertThat(result.get("pass").asBoolean()).isFalse();
        assertThat(result.get("failure_class").asText()).isEqualTo("QUANT_COVERAGE_FAILURE");
        assertThat(result.toString()).contains("unexpected_unquantized");
    }

    @Test
    public void shouldCountAnAutoGptqExportWithoutAConfigSectionAsGptqAndBlockItUntilConfigJsonDeclaresIt()
            throws IOException {
        writeBoth(null);
        // An export from before Transformers' GPTQ integration: the declaration only in quantize_config.json.
        ObjectNode config = (ObjectNode) Json.read(output.resolve("config.json"));
        config.remove("quantization_config");
        Files.writeString(output.resolve("config.json"), Json.write(config));

        JsonNode summary = inspect("int4_gptq");

        assertThat(summary.at("/quantization/source").asText()).isEqualTo("quantize_config.json");
        assertThat(summary.at("/quantization/quant_algo").asText()).isEqualTo("gptq");
        assertThat(summary.at("/layer_precision_counts/INT4").asLong()).isEqualTo(DECODER_LAYERS * 5);
        assertThat(summary.at("/layer_precision_counts/declaration_mismatch").asLong()).isZero();
        assertThat(summary.get("metadata_diffs").toString())
                .contains("config.json has no quantization_config, so Transformers and vLLM load this checkpoint "
                        + "as unquantized")
                .contains("copy that file's fields into config.json as quantization_config");
        JsonNode result = gate();
        assertThat(result.get("pass").asBoolean()).isFalse();
        assertThat(result.get("failure_class").asText()).isEqualTo("QUANT_COVERAGE_FAILURE");
        assertThat(result.get("detail").asText()).contains("config.json has no quantization_config")
                .doesNotContain("the recipe does not cover this model");
    }

    @Test
    public void shouldBlockAnExportWhoseTwoGptqDeclarationsDisagreeOnTheGroupSize() throws IOException {
        writeBoth(null);
        ObjectNode autoGptq = (ObjectNode) Json.read(output.resolve("quantize_config.json"));
        autoGptq.put("group_size", 64);
        Files.writeString(output.resolve("quantize_config.json"), Json.write(autoGptq));

        JsonNode summary = inspect("int4_gptq");

        assertThat(summary.get("metadata_diffs").toString()).contains("quantize_config.json declares group_size 64 "
                + "but config.json (quantization_config) declares 128");
        assertThat(gate().get("pass").asBoolean()).isFalse();
    }
}
