package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes real safetensors checkpoints for tests and benchmarks: a correct header for every tensor, and tensor data
 * as a sparse region of zeros (the file gets its full length without the bytes being written). Shards beyond one
 * come with a {@code model.safetensors.index.json}, as Hugging Face writes them.
 */
public final class SyntheticCheckpoint {
    /** One tensor to write. */
    public record Tensor(String name, String dtype, long[] shape) {
        long bytes() {
            long count = 1;
            for (long dim : shape) {
                count *= dim;
            }
            return switch (dtype) {
                case "F32", "I32", "U32" -> count * 4;
                case "BF16", "F16" -> count * 2;
                case "I64", "F64" -> count * 8;
                default -> count;
            };
        }
    }

    /** How one linear layer is stored in a quantized output. */
    public enum Format { BF16, NVFP4, FP8, INT4_AWQ, CT_PACKED_INT4, FP8_NO_SCALE, GPTQ_INT4, AWQ_GEMM_INT4 }

    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, String> files = new LinkedHashMap<>();
    private int shards = 1;

    public SyntheticCheckpoint tensor(String name, String dtype, long... shape) {
        tensors.add(new Tensor(name, dtype, shape));
        return this;
    }

    public SyntheticCheckpoint file(String name, String text) {
        files.put(name, text);
        return this;
    }

    public SyntheticCheckpoint shards(int count) {
        this.shards = count;
        return this;
    }

    public List<Tensor> tensors() {
        return tensors;
    }

    /** Adds a linear layer's tensors in {@code format} (out x in weights). */
    public SyntheticCheckpoint linear(String module, long out, long in, Format format) {
        switch (format) {
            case BF16 -> tensor(module + ".weight", "BF16", out, in);
            case NVFP4 -> {
                tensor(module + ".weight", "U8", out, in / 2);
                tensor(module + ".weight_scale", "F8_E4M3", out, in / 16);
                tensor(module + ".weight_scale_2", "F32");
                tensor(module + ".input_scale", "F32");
            }
            case FP8 -> {
                tensor(module + ".weight", "F8_E4M3", out, in);
                tensor(module + ".weight_scale", "F32");
                tensor(module + ".input_scale", "F32");
            }
            case FP8_NO_SCALE -> tensor(module + ".weight", "F8_E4M3", out, in);
            case INT4_AWQ -> {
                tensor(module + ".weight", "U8", out, in / 2);
                tensor(module + ".weight_scale", "F16", out, in / 32);
                tensor(module + ".pre_quant_scale", "F16", in);
            }
            case CT_PACKED_INT4 -> {
                tensor(module + ".weight_packed", "I32", out, in / 8);
                tensor(module + ".weight_scale", "BF16", out, in / 32);
                tensor(module + ".weight_shape", "I64", 2);
            }
            case GPTQ_INT4 -> {
                // AutoGPTQ/GPTQModel layout: eight 4-bit values per int32, input dimension first, group size 32.
                tensor(module + ".qweight", "I32", in / 8, out);
                tensor(module + ".qzeros", "I32", in / 32, out / 8);
                tensor(module + ".scales", "F16", in / 32, out);
                tensor(module + ".g_idx", "I32", in);
            }
            case AWQ_GEMM_INT4 -> {
                // AutoAWQ GEMM layout: output dimension packed eight to an int32, group size 32.
                tensor(module + ".qweight", "I32", in, out / 8);
                tensor(module + ".qzeros", "I32", in / 32, out / 8);
                tensor(module + ".scales", "F16", in / 32, out);
            }
            default -> throw new IllegalArgumentException(format.name());
        }
        return this;
    }

    /** A small Llama-style decoder: embeddings, norms, attention and MLP projections, lm_head. */
    public record Model(int layers, long hidden, long kv, long intermediate, long vocab, int experts,
                        boolean visionTower) {
        public static Model llama(int layers) {
            return new Model(layers, 64, 32, 128, 256, 0, false);
        }

        public Model withExperts(int count) {
            return new Model(layers, hidden, kv, intermediate, vocab, count, visionTower);
        }

        public Model withVisionTower() {
            return new Model(layers, hidden, kv, intermediate, vocab, experts, true);
        }

        /** Every linear layer: module name, out features, in features. */
        public List<Object[]> linears() {
            List<Object[]> linears = new ArrayList<>();
            if (visionTower) {
                for (int i = 0; i < 2; i++) {
                    String block = "model.visual.blocks." + i;
                    linears.add(new Object[] {block + ".attn.qkv", hidden * 3, hidden});
                    linears.add(new Object[] {block + ".attn.proj", hidden, hidden});
                    linears.add(new Object[] {block + ".mlp.fc1", intermediate, hidden});
                    linears.add(new Object[] {block + ".mlp.fc2", hidden, intermediate});
                }
            }
            for (int i = 0; i < layers; i++) {
                String layer = "model.layers." + i;
                linears.add(new Object[] {layer + ".self_attn.q_proj", hidden, hidden});
                linears.add(new Object[] {layer + ".self_attn.k_proj", kv, hidden});
                linears.add(new Object[] {layer + ".self_attn.v_proj", kv, hidden});
                linears.add(new Object[] {layer + ".self_attn.o_proj", hidden, hidden});
                if (experts > 0) {
                    linears.add(new Object[] {layer + ".mlp.gate", (long) experts, hidden});
                    for (int e = 0; e < experts; e++) {
                        String expert = layer + ".mlp.experts." + e;
                        linears.add(new Object[] {expert + ".gate_proj", intermediate, hidden});
                        linears.add(new Object[] {expert + ".up_proj", intermediate, hidden});
                        linears.add(new Object[] {expert + ".down_proj", hidden, intermediate});
                    }
                } else {
                    linears.add(new Object[] {layer + ".mlp.gate_proj", intermediate, hidden});
                    linears.add(new Object[] {layer + ".mlp.up_proj", intermediate, hidden});
                    linears.add(new Object[] {layer + ".mlp.down_proj", hidden, intermediate});
                }
            }
            linears.add(new Object[] {"lm_head", vocab, hidden});
            return linears;
        }

        /** The checkpoint with every linear layer stored as {@code formatOf.apply(module)}. */
        public SyntheticCheckpoint build(Function<String, Format> formatOf) {
            SyntheticCheckpoint checkpoint = new SyntheticCheckpoint();
            checkpoint.tensor("model.embed_tokens.weight", "BF16", vocab, hidden);
            for (Object[] linear : linears()) {
                String module = (String) linear[0];
                checkpoint.linear(module, (Long) linear[1], (Long) linear[2], formatOf.apply(module));
                if (module.endsWith("o_proj")) {
                    String layer = module.substring(0, module.indexOf(".self_attn"));
                    checkpoint.tensor(layer + ".input_layernorm.weight", "BF16", hidden);
                    checkpoint.tensor(layer + ".post_attention_layernorm.weight", "BF16", hidden);
                }
            }
            checkpoint.tensor("model.norm.weight", "BF16", hidden);
            return checkpoint;
        }

        public SyntheticCheckpoint source() {
            return build(module -> Format.BF16);
        }
    }

    /** A Llama-style config.json, optionally with a quantization section. */
    public static String config(String torchDtype, ObjectNode quantizationConfig) {
        ObjectNode config = Json.object();
        config.putArray("architectures").add("LlamaForCausalLM");
        config.put("model_type", "llama");
        config.put("hidden_size", 64);
        config.put("max_position_embeddings", 131072);
        config.put("rope_theta", 500000.0);
        config.put("torch_dtype", torchDtype);
        config.put("transformers_version", "4.51.0");
        if (quantizationConfig != null) {
            config.set("quantization_config", quantizationConfig);
        }
        return Json.write(config);
    }

    /** A ModelOpt hf_quant_config.json. */
    public static String hfQuantConfig(String algo, Integer groupSize, String... excludes) {
        ObjectNode root = Json.object();
        ObjectNode producer = root.putObject("producer");
        producer.put("name", "modelopt");
        producer.put("version", "0.31.0");
        ObjectNode quantization = root.putObject("quantization");
        quantization.put("quant_algo", algo);
        quantization.putNull("kv_cache_quant_algo");
        if (groupSize != null) {
            quantization.put("group_size", groupSize);
        }
        var list = quantization.putArray("exclude_modules");
        for (String exclude : excludes) {
            list.add(exclude);
        }
        return Json.write(root);
    }

    /** Writes the checkpoint into {@code dir}; returns the total size of its safetensors files. */
    public long write(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue());
            }
            int count = Math.max(1, Math.min(shards, tensors.size()));
            long total = 0;
            ObjectNode weightMap = Json.object();
            for (int shard = 0; shard < count; shard++) {
                int from = (int) ((long) tensors.size() * shard / count);
                int to = (int) ((long) tensors.size() * (shard + 1) / count);
                String name = count == 1 ? "model.safetensors"
                        : String.format("model-%05d-of-%05d.safetensors", shard + 1, count);
                List<Tensor> part = tensors.subList(from, to);
                total += writeShard(dir.resolve(name), part);
                part.forEach(tensor -> weightMap.put(tensor.name(), name));
            }
            if (count > 1) {
                ObjectNode index = Json.object();
                index.putObject("metadata").put("total_size", total);
                index.set("weight_map", weightMap);
                Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), Json.write(index));
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the tensors into the shards a real {@code model.safetensors.index.json} puts them in, under the same
     * file names, with the same index (its {@code total_size} recomputed from the shapes given). Returns the total
     * size of the safetensors files.
     */
    public long writeAs(Path dir, Map<String, String> shardOf) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(dir.resolve(file.getKey()), file.getValue());
            }
            Map<String, List<Tensor>> byShard = new java.util.TreeMap<>();
            for (Tensor tensor : tensors) {
                String shard = shardOf.get(tensor.name());
                if (shard == null) {
                    throw new IllegalArgumentException(tensor.name() + " is not in the index");
                }
                byShard.computeIfAbsent(shard, key -> new ArrayList<>()).add(tensor);
            }
            long total = 0;
            long dataBytes = 0;
            ObjectNode weightMap = Json.object();
            for (Map.Entry<String, List<Tensor>> shard : byShard.entrySet()) {
                total += writeShard(dir.resolve(shard.getKey()), shard.getValue());
                for (Tensor tensor : shard.getValue()) {
                    weightMap.put(tensor.name(), shard.getKey());
                    dataBytes += tensor.bytes();
                }
            }
            ObjectNode index = Json.object();
            index.putObject("metadata").put("total_size", dataBytes);
            index.set("weight_map", weightMap);
            Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), Json.write(index));
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sum of the tensors' data sizes, as an index's {@code metadata.total_size} counts them. */
    public long dataBytes() {
        return tensors.stream().mapToLong(Tensor::bytes).sum();
    }

    /** Writes one shard: header, then the data region as a sparse hole. Returns the file size. */
    public static long writeShard(Path file, List<Tensor> part) throws IOException {
        ObjectNode header = Json.object();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Tensor tensor : part) {
            ObjectNode entry = header.putObject(tensor.name());
            entry.put("dtype", tensor.dtype());
            var shape = entry.putArray("shape");
            for (long dim : tensor.shape()) {
                shape.add(dim);
            }
            long end = offset + tensor.bytes();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = Json.writeLine(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        long size = 8L + padded + offset;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            raf.write(length.array());
            raf.write(headerBytes);
            raf.setLength(size);
        }
        return size;
    }
}
