package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SampleFilesTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldMatchLmEvalSampleFileNamesToTaskNames() throws IOException {
        Path dir = temp.newFolder("run").toPath();
        Path model = Files.createDirectories(dir.resolve("Qwen__Qwen3-8B"));
        Files.writeString(model.resolve("samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl"), "");
        Files.writeString(model.resolve("samples_gsm8k_2026-02-10T17-13-14.123456.jsonl"), "");
        Files.writeString(dir.resolve("gpqa_diamond.jsonl"), "");
        Files.writeString(model.resolve("results_2026-07-08T16-04-34.json"), "{}");

        SampleFiles files = SampleFiles.scan(dir, "--baseline-samples");

        assertThat(files.forTask("negotiationtom_belief").getFileName().toString())
                .isEqualTo("samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl");
        assertThat(files.forTask("gsm8k")).isNotNull();
        assertThat(files.forTask("gpqa_diamond")).isNotNull();
        assertThat(files.forTask("negotiationtom")).isNull();
    }

    @Test
    public void shouldRefuseToGuessBetweenTwoRunsOfOneTask() throws IOException {
        Path dir = temp.newFolder("run").toPath();
        Files.writeString(dir.resolve("samples_gsm8k_2026-02-10T17-13-14.jsonl"), "");
        Files.writeString(dir.resolve("samples_gsm8k_2026-02-11T09-00-00.jsonl"), "");

        SampleFiles files = SampleFiles.scan(dir, "--baseline-samples");

        assertThatThrownBy(() -> files.forTask("gsm8k")).hasMessageContaining("several per-sample files for task gsm8k");
    }

    @Test
    public void shouldRefuseAMissingDirectory() {
        assertThatThrownBy(() -> SampleFiles.scan(Path.of("no/such/dir"), "--candidate-samples"))
                .hasMessageContaining("--candidate-samples: no/such/dir is not a directory");
    }
}
