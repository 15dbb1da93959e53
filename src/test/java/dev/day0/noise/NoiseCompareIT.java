package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.Day0Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The noise-aware compare gate as the packaged jar runs it. */
public class NoiseCompareIT {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void shouldJudgeAPublishedReleaseWithBinomialIntervals() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("b.json"), "{\"MMLU\": 83.3, \"GSM8K_COT\": 95.3}");
        Files.writeString(dir.resolve("c.json"), "{\"MMLU\": 81.1, \"GSM8K_COT\": 92.6}");
        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  MMLU:\n    n: 14042\n  GSM8K_COT:\n    n: 1319\n");

        Day0Process run = Day0Process.run(dir, Map.of(), "gate", "compare", "--baseline", "b.json", "--candidate",
                "c.json", "--noise", "unpaired", "--policy", "policy.yaml", "--report-dir", "reports");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(out.path("per_task").path("MMLU").path("verdict").asText()).isEqualTo("BREACH");
        assertThat(out.path("per_task").path("GSM8K_COT").path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(Files.readString(dir.resolve("reports/report.md"))).contains("95 % interval of the drop");
    }

    @Test
    public void shouldPairARealSampleFileAndAskForMoreItems() throws IOException {
        Path dir = temp.newFolder().toPath();
        Path real = Path.of("src/test/resources/reference/lm_eval/"
                + "fork-negotiationtom__Qwen3-8B__samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl");
        for (String side : new String[] {"baseline", "candidate"}) {
            Path sideDir = Files.createDirectories(dir.resolve(side));
            Files.copy(real, sideDir.resolve("samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl"));
        }
        Files.writeString(dir.resolve("b.json"), "{\"negotiationtom_belief\": 0.45}");
        Files.writeString(dir.resolve("c.json"), "{\"negotiationtom_belief\": 0.45}");

        Day0Process run = Day0Process.run(dir, Map.of(), "gate", "compare", "--baseline", "b.json", "--candidate",
                "c.json", "--noise", "paired", "--baseline-samples", "baseline", "--candidate-samples", "candidate");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("NEEDS_HUMAN");
        assertThat(out.path("per_task").path("negotiationtom_belief").path("evidence_needed").path("items").asInt())
                .isEqualTo(368);
    }

    @Test
    public void shouldRefuseABrokenPolicyWithOneLineAndExitTwo() throws IOException {
        Path dir = temp.newFolder().toPath();
        Files.writeString(dir.resolve("b.json"), "{\"mmlu\": 83.3}");
        Files.writeString(dir.resolve("c.json"), "{\"mmlu\": 81.1}");
        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  mmlu:\n    tier: [critical\n");

        Day0Process run = Day0Process.run(dir, Map.of(), "gate", "compare", "--baseline", "b.json", "--candidate",
                "c.json", "--policy", "policy.yaml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().trim().lines()).hasSize(1);
        assertThat(run.err()).startsWith("policy.yaml: invalid YAML").doesNotContain("Exception");
        assertThat(Json.parse(run.out(), "stdout").path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
    }
}
