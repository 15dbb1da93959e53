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
    public void shouldRecordEveryShardAndEveryFileThatChangesLoading() throws Exception {
        CheckpointFingerprint fingerprint = CheckpointFingerprint.of(checkpoint("export"));

        assertThat(fingerprint.shards()).containsOnlyKeys("model-00001-of-00002.safetensors",
                "model-00002-of-00002.safetensors");
        assertThat(fingerprint.shards().get("model-00001-of-00002.safetensors").size())
                .isEqualTo(Files.size(temp.getRoot().toPath().resolve("export/model-00001-of-00002.safetensors")));
        assertThat(fingerprint.files()).containsOnlyKeys("config.json", "hf_quant_config.json", "tokenizer.json",
                "tokenizer_config.json", "generation_config.json");
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
                "decision.json: checkpoint_fingerprint.schema: must be \"day0.checkpoint-fingerprint/1\", got \"x\"");
    }
}
