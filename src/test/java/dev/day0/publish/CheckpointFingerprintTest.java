package dev.day0.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CheckpointFingerprintTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path checkpoint(String name) throws Exception {
        return CheckpointFixture.write(temp.getRoot().toPath().resolve(name), "model.layers.0.weight");
    }

    @Test
    public void shouldRecordEveryShardAndEveryFileButTheModelCard() throws Exception {
        CheckpointFingerprint fingerprint = CheckpointFingerprint.of(checkpoint("export"));

        assertThat(fingerprint.shards()).containsOnlyKeys("model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors");
        assertThat(fingerprint.shards().get("model-00001-of-00002.safetensors").size())
                .isEqualTo(Files.size(temp.getRoot().toPath().resolve("export/model-00001-of-00002.safetensors")));
        assertThat(fingerprint.files()).containsOnlyKeys("config.json", "hf_quant_config.json", "tokenizer.json",
                "tokenizer_config.json", "generation_config.json");
        assertThat(fingerprint.shards().get("model-00001-of-00002.safetensors").dataSampleSha256()).hasSize(64);
    }

    @Test
    public void shouldBeEqualForACopyAndRoundTripThroughJson() throws Exception {
        CheckpointFingerprint original = CheckpointFingerprint.of(checkpoint("a"));
        CheckpointFingerprint copy = CheckpointFingerprint.of(checkpoint("b"));

        assertThat(copy).isEqualTo(original);
        assertThat(copy.differencesFrom(original)).isEmpty();
        assertThat(CheckpointFingerprint.fromJson(original.toJson(), "fp.json", "")).isEqualTo(original);
        assertThat(original.toJson().path("digest").asText()).isEqualTo(copy.digest()).hasSize(64);
    }

    @Test
    public void shouldNameTheOneFileThatDiffers() throws Exception {
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(checkpoint("evaluated"));
        Path sibling = checkpoint("sibling");
        Files.writeString(sibling.resolve("hf_quant_config.json"), "{\"quantization\": {\"quant_algo\": \"FP8\"}}");

        assertThat(CheckpointFingerprint.of(sibling).differencesFrom(evaluated)).singleElement().asString()
                .startsWith("hf_quant_config.json: content differs");
    }

    @Test
    public void shouldSeeRenamedTensorsAndResizedShardsButNotAnEditedModelCard() throws Exception {
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(checkpoint("evaluated"));
        Path renamed = checkpoint("renamed");
        CheckpointFixture.shard(renamed.resolve("model-00001-of-00002.safetensors"), "model.layers.0.weigh7.0", 16);
        Path resized = checkpoint("resized");
        CheckpointFixture.shard(resized.resolve("model-00002-of-00002.safetensors"), "model.layers.0.weight.1", 32);
        Path documented = checkpoint("documented");
        Files.writeString(documented.resolve("README.md"), "# model card, edited before upload\n");

        assertThat(CheckpointFingerprint.of(renamed).differencesFrom(evaluated)).containsExactly(
                "model-00001-of-00002.safetensors: safetensors header differs (tensor names, dtypes, shapes or "
                        + "offsets)");
        assertThat(CheckpointFingerprint.of(resized).differencesFrom(evaluated)).singleElement().asString()
                .startsWith("model-00002-of-00002.safetensors: size ");
        assertThat(CheckpointFingerprint.of(documented).differencesFrom(evaluated)).isEmpty();
    }

    @Test
    public void shouldNameMissingAndExtraFiles() throws Exception {
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(checkpoint("evaluated"));
        Path changed = checkpoint("changed");
        Files.delete(changed.resolve("tokenizer.json"));
        Files.writeString(changed.resolve("chat_template.jinja"), "{{ messages }}");

        assertThat(CheckpointFingerprint.of(changed).differencesFrom(evaluated)).containsExactly(
                "chat_template.jinja: not in the evaluated checkpoint",
                "tokenizer.json: missing (the evaluated checkpoint has it)");
    }

    @Test
    public void shouldRefuseADirectoryThatIsNotAnExportedCheckpoint() throws Exception {
        Path empty = temp.newFolder("empty").toPath();
        Path truncated = checkpoint("truncated");
        Files.write(truncated.resolve("model-00001-of-00002.safetensors"), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> CheckpointFingerprint.of(empty)).isInstanceOf(InputException.class)
                .hasMessageContaining("has no *.safetensors shard");
        assertThatThrownBy(() -> CheckpointFingerprint.of(truncated)).isInstanceOf(InputException.class)
                .hasMessageContaining("too short for a safetensors header");
        assertThatThrownBy(() -> CheckpointFingerprint.fromJson(dev.day0.io.Json.parse("{\"schema\": \"x\"}", "s"),
                "decision.json", "checkpoint_fingerprint")).hasMessage(
                "decision.json: checkpoint_fingerprint.schema: must be \"day0.checkpoint-fingerprint/2\", got \"x\"");
    }

    @Test
    public void shouldNameAnyFileAddedAtAnyDepth() throws Exception {
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(checkpoint("evaluated"));
        Path added = checkpoint("added");
        Files.writeString(added.resolve("extra.json"), "{}");
        Files.writeString(added.resolve("modeling_x.py"), "import os\n");
        Files.write(added.resolve("pytorch_model.bin"), new byte[] {0, 1, 2});
        Files.createDirectories(added.resolve("vision"));
        Files.writeString(added.resolve("vision/preprocessor.json"), "{}");

        assertThat(CheckpointFingerprint.of(added).differencesFrom(evaluated)).containsExactly(
                "extra.json: not in the evaluated checkpoint", "modeling_x.py: not in the evaluated checkpoint",
                "pytorch_model.bin: not in the evaluated checkpoint",
                "vision/preprocessor.json: not in the evaluated checkpoint");
    }

    @Test
    public void shouldSeeOtherWeightsInTheSameLayout() throws Exception {
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(checkpoint("evaluated"));
        Path requantized = checkpoint("requantized");
        Path shard = requantized.resolve("model-00002-of-00002.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length - 1] ^= 0x5a;
        Files.write(shard, bytes);

        assertThat(CheckpointFingerprint.of(requantized).differencesFrom(evaluated)).containsExactly(
                "model-00002-of-00002.safetensors: tensor data differs (same names and layout, other weights)");
    }

    @Test
    public void shouldSeeTheFirstAndLastDataByteAndAChangeSpreadThroughALargeShard() throws Exception {
        int dataBytes = CheckpointFingerprint.DATA_SAMPLES * CheckpointFingerprint.SAMPLE_BYTES * 4;
        Path evaluatedDir = checkpoint("evaluated");
        CheckpointFixture.shard(evaluatedDir.resolve("model-00001-of-00002.safetensors"), "big", dataBytes);
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(evaluatedDir);
        // A re-calibration moves weights everywhere; one changed byte every half sample stands for it.
        int[] spread = java.util.stream.IntStream.range(0, dataBytes / (CheckpointFingerprint.SAMPLE_BYTES / 2))
                .map(i -> i * (CheckpointFingerprint.SAMPLE_BYTES / 2) + 7).toArray();
        for (int[] changedBytes : new int[][] {{0}, {dataBytes - 1}, spread}) {
            Path changed = checkpoint("changed-" + changedBytes[0] + "-" + changedBytes.length);
            Path shard = changed.resolve("model-00001-of-00002.safetensors");
            CheckpointFixture.shard(shard, "big", dataBytes);
            byte[] bytes = Files.readAllBytes(shard);
            int headerEnd = bytes.length - dataBytes;
            for (int at : changedBytes) {
                bytes[headerEnd + at] ^= 0x01;
            }
            Files.write(shard, bytes);

            assertThat(CheckpointFingerprint.of(changed).differencesFrom(evaluated))
                    .as("%d changed bytes from data byte %d", changedBytes.length, changedBytes[0])
                    .containsExactly("model-00001-of-00002.safetensors: tensor data differs (same names and "
                            + "layout, other weights)");
        }
    }

    @Test
    public void shouldLeaveOutDocumentationAndTheGitAndCacheFoldersAtAnyDepth() throws Exception {
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(checkpoint("evaluated"));
        Path documented = checkpoint("documented");
        Files.createDirectories(documented.resolve("vision"));
        Files.writeString(documented.resolve("vision/README.md"), "notes");
        Files.writeString(documented.resolve("LICENSE"), "Apache-2.0");
        Files.write(documented.resolve("benchmark.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.createDirectories(documented.resolve(".git/objects"));
        Files.writeString(documented.resolve(".git/objects/ab"), "blob");
        Files.createDirectories(documented.resolve(".cache/huggingface"));
        Files.writeString(documented.resolve(".cache/huggingface/upload.lock"), "");

        assertThat(CheckpointFingerprint.of(documented).differencesFrom(evaluated)).isEmpty();
    }

    @Test
    public void shouldCountALinkToAFileAsThatFileAndAcceptALinkedCheckpointDirectory() throws Exception {
        CheckpointFingerprint evaluated = CheckpointFingerprint.of(checkpoint("evaluated"));
        Path blobs = temp.newFolder("blobs").toPath();
        Path linked = checkpoint("linked");
        Path tokenizer = linked.resolve("tokenizer.json");
        Files.move(tokenizer, blobs.resolve("0f3a"));
        Files.createSymbolicLink(tokenizer, blobs.resolve("0f3a"));
        Path latest = Files.createSymbolicLink(temp.getRoot().toPath().resolve("latest"), linked);

        assertThat(CheckpointFingerprint.of(linked)).isEqualTo(evaluated);
        assertThat(CheckpointFingerprint.of(latest)).isEqualTo(evaluated);
    }

    @Test
    public void shouldRefuseALinkToAFolderABrokenLinkAndAFifo() throws Exception {
        Path toEtc = checkpoint("to-etc");
        Files.createSymbolicLink(toEtc.resolve("etc"), Path.of("/etc"));
        Path broken = checkpoint("broken");
        Files.createSymbolicLink(broken.resolve("tokenizer.model"), broken.resolve("gone"));
        Path piped = checkpoint("piped");
        new ProcessBuilder("mkfifo", piped.resolve("pipe").toString()).start().waitFor();

        assertThatThrownBy(() -> CheckpointFingerprint.of(toEtc)).isInstanceOf(InputException.class)
                .hasMessageContaining("etc: is a link to a folder");
        assertThatThrownBy(() -> CheckpointFingerprint.of(broken)).isInstanceOf(InputException.class)
                .hasMessageContaining("tokenizer.model: is a broken link");
        assertThatThrownBy(() -> CheckpointFingerprint.of(piped)).isInstanceOf(InputException.class)
                .hasMessageContaining("pipe: is neither a file nor a folder");
    }

    @Test
    public void shouldAskForANewFingerprintInsteadOfTrustingAFirstSchemaRecord() {
        assertThatThrownBy(() -> CheckpointFingerprint.fromJson(dev.day0.io.Json.parse(
                "{\"schema\": \"day0.checkpoint-fingerprint/1\", \"shards\": {}, \"files\": {}}", "s"),
                "decision.json", "checkpoint_fingerprint")).isInstanceOf(InputException.class)
                .hasMessageStartingWith("decision.json: checkpoint_fingerprint.schema: is "
                        + "\"day0.checkpoint-fingerprint/1\", recorded by an older day0")
                .hasMessageContaining("day0 publish fingerprint");
    }
}
