package dev.day0.publish;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small but well-formed exported checkpoints: safetensors shards plus the files a loader reads. */
public final class CheckpointFixture {
    private CheckpointFixture() {
    }

    public static Path write(Path dir, String tensorName) throws Exception {
        Files.createDirectories(dir);
        shard(dir.resolve("model-00001-of-00002.safetensors"), tensorName + ".0", 16);
        shard(dir.resolve("model-00002-of-00002.safetensors"), tensorName + ".1", 16);
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"]}");
        Files.writeString(dir.resolve("hf_quant_config.json"), "{\"quantization\": {\"quant_algo\": \"NVFP4\"}}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"temperature\": 0.6}");
        Files.writeString(dir.resolve("README.md"), "# model card\n");
        return dir;
    }

    public static void shard(Path file, String tensorName, int dataBytes) throws Exception {
        byte[] header = ("{\"" + tensorName + "\": {\"dtype\": \"U8\", \"shape\": [" + dataBytes
                + "], \"data_offsets\": [0, " + dataBytes + "]}}").getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(header.length).put(header);
        for (int i = 0; i < dataBytes; i++) {
            bytes.put((byte) i);
        }
        Files.write(file, bytes.array());
    }
}
