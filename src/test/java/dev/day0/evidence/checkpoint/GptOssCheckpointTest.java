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
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The real gpt-oss-20b MXFP4 checkpoint (its config.json and model.safetensors.index.json, with the shapes of the
 * published model, written as sparse safetensors shards under the index's own shard names) re-quantized to NVFP4,
 * end to end through {@code day0 gate ptq}.
 */
public class GptOssCheckpointTest {
    static final Path REAL = Path.of("src/test/resources/reference/real/gpt-oss-20b");
    static final long HIDDEN = 2880;
    static final long EXPERTS = 32;
    static final long INTERMEDIATE_X2 = 5760;
    static final long VOCAB = 201088;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path source;
    private Path output;
    private Path summaryFile;
    private Path layersFile;
    private Map<String, String> weightMap;

    @Before
    public void setUp() {
        source = temp.getRoot().toPath().resolve("gpt-oss-20b");
        output = temp.getRoot().toPath().resolve("gpt-oss-20b-nvfp4");
        summaryFile = temp.getRoot().toPath().resolve("validation-summary.json");
        layersFile = temp.getRoot().toPath().resolve("layers.json");
        weightMap = new LinkedHashMap<>();
        JsonNode index = Json.read(REAL.resolve("model.safetensors.index.json"));
        Iterator<Map.Entry<String, JsonNode>> it = index.get("weight_map").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            weightMap.put(entry.getKey(), entry.getValue().asText());
        }
    }

    /** The MXFP4 source: every tensor of the real index with gpt-oss-20b's shapes. */
    private SyntheticCheckpoint mxfp4Source() throws IOException {
        SyntheticCheckpoint checkpoint = new SyntheticCheckpoint();
        for (String name : weightMap.keySet()) {
            addMxfp4Tensor(checkpoint, name);
        }
        checkpoint.file("config.json", Files.readString(REAL.resolve("config.json")));
        checkpoint.file("generation_config.json", Files.readString(REAL.resolve("generation_config.json")));
        return checkpoint;
    }

    private static void addMxfp4Tensor(SyntheticCheckpoint checkpoint, String name) {
        if (name.endsWith("embed_tokens.weight") || name.equals("lm_head.weight")) {
            checkpoint.tensor(name, "BF16", VOCAB, HIDDEN);
        } else if (name.contains("layernorm") || name.equals("model.norm.weight")) {
            checkpoint.tensor(name, "BF16", HIDDEN);
        } else if (name.endsWith("q_proj.weight")) {
            checkpoint.tensor(name, "BF16", 4096, HIDDEN);
        } else if (name.endsWith("q_proj.bias")) {
            checkpoint.tensor(name, "BF16", 4096);
        } else if (name.endsWith("k_proj.weight") || name.endsWith("v_proj.weight")) {
            checkpoint.tensor(name, "BF16", 512, HIDDEN);
        } else if (name.endsWith("k_proj.bias") || name.endsWith("v_proj.bias")) {
            checkpoint.tensor(name, "BF16", 512);
        } else if (name.endsWith("o_proj.weight")) {
            checkpoint.tensor(name, "BF16", HIDDEN, 4096);
        } else if (name.endsWith("o_proj.bias")) {
            checkpoint.tensor(name, "BF16", HIDDEN);
        } else if (name.endsWith("sinks")) {
            checkpoint.tensor(name, "BF16", 64);
        } else if (name.endsWith("router.weight")) {
            checkpoint.tensor(name, "BF16", EXPERTS, HIDDEN);
        } else if (name.endsWith("router.bias")) {
            checkpoint.tensor(name, "BF16", EXPERTS);
        } else if (name.endsWith("gate_up_proj_blocks")) {
            checkpoint.tensor(name, "U8", EXPERTS, INTERMEDIATE_X2, HIDDEN / 32, 16);
        } else if (name.endsWith("gate_up_proj_scales")) {
            checkpoint.tensor(name, "U8", EXPERTS, INTERMEDIATE_X2, HIDDEN / 32);
        } else if (name.endsWith("gate_up_proj_bias")) {
            checkpoint.tensor(name, "BF16", EXPERTS, INTERMEDIATE_X2);
        } else if (name.endsWith("down_proj_blocks")) {
            checkpoint.tensor(name, "U8", EXPERTS, HIDDEN, HIDDEN / 32, 16);
        } else if (name.endsWith("down_proj_scales")) {
            checkpoint.tensor(name, "U8", EXPERTS, HIDDEN, HIDDEN / 32);
        } else if (name.endsWith("down_proj_bias")) {
            checkpoint.tensor(name, "BF16", EXPERTS, HIDDEN);
        } else {
            throw new IllegalArgumentException("no gpt-oss-20b shape for " + name);
        }
    }

    /**
     * The NVFP4 export as vLLM loads it: each fused expert projection as packed FP4 ({@code gate_up_proj}, two
     * values per byte) with an FP8 scale per 16 inputs and a per-expert FP32 second scale; attention, routers,
     * embeddings and lm_head kept in BF16 as the declaration excludes them.
     */
    private SyntheticCheckpoint nvfp4Output(boolean expertsQuantized) throws IOException {
        SyntheticCheckpoint checkpoint = new SyntheticCheckpoint();
        Map<String, String> outputMap = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : weightMap.entrySet()) {
            String name = entry.getKey();
            if (name.endsWith("_scales")) {
                continue;
            }
            if (name.endsWith("_blocks")) {
                String module = name.substring(0, name.length() - "_blocks".length());
                long out = module.endsWith("gate_up_proj") ? INTERMEDIATE_X2 : HIDDEN;
                if (expertsQuantized) {
                    checkpoint.tensor(module, "U8", EXPERTS, out, HIDDEN / 2);
                    checkpoint.tensor(module + "_weight_scale", "F8_E4M3", EXPERTS, out, HIDDEN / 16);
                    checkpoint.tensor(module + "_weight_scale_2", "F32", EXPERTS);
                    checkpoint.tensor(module + "_input_scale", "F32", EXPERTS);
                    for (String suffix : new String[] {"", "_weight_scale", "_weight_scale_2", "_input_scale"}) {
                        outputMap.put(module + suffix, entry.getValue());
                    }
                } else {
                    checkpoint.tensor(module, "BF16", EXPERTS, out, HIDDEN);
                    outputMap.put(module, entry.getValue());
                }
                continue;
            }
            addMxfp4Tensor(checkpoint, name);
            outputMap.put(name, entry.getValue());
        }
        weightMap = outputMap;
        ObjectNode config = (ObjectNode) Json.read(REAL.resolve("config.json"));
        ObjectNode quantization = Json.object();
        quantization.put("quant_method", "modelopt");
        quantization.put("quant_algo", "NVFP4");
        quantization.put("group_size", 16);
        quantization.putArray("ignore").add("lm_head").add("model.embed_tokens").add("model.layers.*.self_attn*")
                .add("model.layers.*.mlp.router*");
        config.set("quantization_config", quantization);
        checkpoint.file("config.json", Json.write(config));
        checkpoint.file("generation_config.json", Files.readString(REAL.resolve("generation_config.json")));
        checkpoint.file("hf_quant_config.json", SyntheticCheckpoint.hfQuantConfig("NVFP4", 16, "lm_head",
                "model.embed_tokens", "model.layers.*.self_attn*", "model.layers.*.mlp.router*"));
        return checkpoint;
    }

    private JsonNode inspect() {
        CliRun run = CliRun.run("inspect", "checkpoint", "--source", source.toString(), "--output",
                output.toString(), "--recipe", "nvfp4", "--out", summaryFile.toString(), "--layers",
                layersFile.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return Json.read(summaryFile);
    }

    @Test
    public void shouldRebuildTheRealIndexWithTheShapesOfTheReleasedModel() throws IOException {
        SyntheticCheckpoint checkpoint = mxfp4Source();

        assertThat(checkpoint.dataBytes()).isEqualTo(Json.read(REAL.resolve("model.safetensors.index.json"))
                .path("metadata").path("total_size").asLong());
    }

    @Test
    public void shouldPassTheGptOssMxfp4ToNvfp4Export() throws IOException {
        mxfp4Source().writeAs(source, weightMap);
        nvfp4Output(true).writeAs(output, weightMap);

        JsonNode summary = inspect();

        assertThat(summary.get("source_precision").asText()).isEqualTo("MXFP4");
        JsonNode counts = summary.get("layer_precision_counts");
        // 24 layers x 2 fused projections x 32 experts; q/k/v/o and the router of 24 layers plus lm_head excluded.
        assertThat(counts.get("NVFP4").asLong()).isEqualTo(24 * 2 * 32);
        assertThat(counts.get("excluded").asLong()).isEqualTo(24 * 5 + 1);
        assertThat(counts.get("unexpected_unquantized").asLong()).isZero();
        assertThat(counts.get("declaration_mismatch").asLong()).as(summary.toString()).isZero();
        assertThat(summary.get("metadata_diffs")).as(summary.toString()).isEmpty();
        assertThat(summary.get("notes").toString()).contains("48 fused expert tensors hold 1536 expert linear layers");
        assertThat(summary.path("checkpoints").path("source").path("fused_expert_tensors").asLong()).isEqualTo(48);
        JsonNode firstExperts = null;
        for (JsonNode row : Json.read(layersFile).get("layers")) {
            if (row.get("module").asText().equals("model.layers.0.mlp.experts.gate_up_proj")) {
                firstExperts = row;
            }
        }
        assertThat(firstExperts).isNotNull();
        assertThat(firstExperts.get("class").asText()).isEqualTo("NVFP4");
        assertThat(firstExperts.get("fused_experts").asInt()).isEqualTo(32);
        assertThat(firstExperts.get("reason").asText()).endsWith("fused: 32 experts");

        CliRun gate = CliRun.run("gate", "ptq", "--summary", summaryFile.toString());
        assertThat(gate.exitCode()).as(gate.toString()).isZero();
        JsonNode result = Json.parse(gate.out(), "gate");
        assertThat(result.get("pass").asBoolean()).isTrue();
        assertThat(result.toString()).contains("waived: the source is already MXFP4");
    }

    @Test
    public void shouldFailAnExportThatLeftTheFusedExpertsUnquantized() throws IOException {
        mxfp4Source().writeAs(source, weightMap);
        nvfp4Output(false).writeAs(output, weightMap);

        JsonNode summary = inspect();

        JsonNode counts = summary.get("layer_precision_counts");
        assertThat(counts.get("unexpected_unquantized").asLong()).isEqualTo(24 * 2 * 32);
        assertThat(summary.path("problem_layers").path("unexpected_unquantized").get(0).asText())
                .contains("model.layers.0.mlp.experts.gate_up_proj: stored as BF16 but declared quantized",
                        "fused: 32 experts");
        CliRun gate = CliRun.run("gate", "ptq", "--summary", summaryFile.toString());
        assertThat(gate.exitCode()).isNotZero();
        JsonNode result = Json.parse(gate.out(), "gate");
        assertThat(result.get("failure_class").asText()).isEqualTo("MODEL_UNSUPPORTED");
    }
}
