package dev.day0.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class GateCommandTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path baseline;
    private Path candidate;

    @Before
    public void writeScores() throws Exception {
        baseline = file("baseline.json", "{\"gsm8k\": 77.3, \"mmlu\": 68.1}");
        candidate = file("candidate.json", "{\"gsm8k\": 76.9, \"mmlu\": 67.8}");
    }

    private Path file(String name, String text) throws Exception {
        Path path = temp.getRoot().toPath().resolve(name);
        Files.writeString(path, text);
        return path;
    }

    @Test
    public void shouldExitZeroAndPrintTheVerdictWhenTheCompareGatePasses() {
        CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode json = Json.parse(run.out(), "stdout");
        assertThat(json.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(run.err()).isEmpty();
    }

    @Test
    public void shouldExitOneOnARegression() throws Exception {
        Path worse = file("worse.json", "{\"gsm8k\": 70.0, \"mmlu\": 67.8}");

        CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate", worse.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(Json.parse(run.out(), "stdout").path("decision").asText()).isEqualTo("REGRESSION");
    }

    @Test
    public void shouldApplyThresholdRelativeAndScalesFromTheCommandLine() throws Exception {
        Path worse = file("worse.json", "{\"gsm8k\": 75.0, \"mmlu\": 67.8}");

        assertThat(CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate", worse.toString(),
                "--threshold", "0.03").exitCode()).isEqualTo(0);
        assertThat(CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate", worse.toString(),
                "--threshold", "0.03", "--relative").exitCode()).isEqualTo(0);
        assertThat(CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate", worse.toString(),
                "--threshold", "0.02", "--relative").exitCode()).isEqualTo(1);
        Path scales = file("scales.json", "{\"gsm8k\": 10, \"mmlu\": 100}");
        assertThat(CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate", worse.toString(),
                "--scales", "@" + scales).exitCode()).isEqualTo(1);
        CliRun inline = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                worse.toString(), "--scales", "{\"gsm8k\": 1000}");
        assertThat(Json.parse(inline.out(), "stdout").at("/per_task/gsm8k/scale").asInt()).isEqualTo(1000);
    }

    @Test
    public void shouldRejectBadThresholdsWithExitTwoAndAUserConfigErrorDocument() {
        for (String threshold : new String[] {"-0.1", "NaN", "Infinity", "abc", ""}) {
            CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                    candidate.toString(), "--threshold", threshold);

            assertThat(run.exitCode()).as(threshold).isEqualTo(2);
            JsonNode json = Json.parse(run.out(), "stdout");
            assertThat(json.path("pass").asBoolean()).isFalse();
            assertThat(json.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
            assertThat(json.path("detail").asText()).startsWith("--threshold: ");
            assertThat(run.err().trim()).as("one plain sentence").doesNotContain("\n").doesNotContain("Exception");
        }
    }

    @Test
    public void shouldNameTheFileWhenItIsMissingOrNotJson() throws Exception {
        Path broken = file("broken.json", "{\"gsm8k\": 77.3,");

        CliRun missing = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate", "nope.json");
        CliRun invalid = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                broken.toString());

        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err().trim()).isEqualTo("nope.json: file not found");
        assertThat(invalid.exitCode()).isEqualTo(2);
        assertThat(invalid.err().trim()).startsWith(broken + ": invalid JSON at line 1");
    }

    @Test
    public void shouldRejectDuplicateTasksInAScoreFile() throws Exception {
        Path duplicated = file("dup.json", "{\"gsm8k\": 10.0, \"gsm8k\": 77.3, \"mmlu\": 68.1}");

        CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                duplicated.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Duplicate field 'gsm8k'");
    }

    @Test
    public void shouldTreatAnInvalidScaleAsAGateFailureButUnparseableScalesAsBadInput() {
        CliRun invalid = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--scales", "{\"gsm8k\": -1}");
        CliRun unparseable = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--scales", "{gsm8k: 1");

        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(Json.parse(invalid.out(), "stdout").path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(unparseable.exitCode()).isEqualTo(2);
        assertThat(unparseable.err()).startsWith("--scales: invalid JSON");
    }

    @Test
    public void shouldWriteTheVerdictToTheOutFileInsteadOfStdout() throws Exception {
        Path out = temp.getRoot().toPath().resolve("verdicts/compare.json");

        CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--out", out.toString());

        assertThat(run.out()).isEmpty();
        assertThat(Json.read(out).path("decision").asText()).isEqualTo("ACCEPT");
    }

    @Test
    public void shouldWriteADecisionRecordWithTheInputsHashesWhenAskedForAReport() throws Exception {
        Path reportDir = temp.getRoot().toPath().resolve("report");

        CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--report-dir", reportDir.toString());

        assertThat(run.exitCode()).isEqualTo(0);
        JsonNode record = Json.read(reportDir.resolve("decision.json"));
        assertThat(record.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(record.at("/inputs/0/role").asText()).isEqualTo("baseline");
        assertThat(record.at("/inputs/0/sha256").asText()).hasSize(64);
        assertThat(record.at("/inputs/1/role").asText()).isEqualTo("candidate");
        assertThat(reportDir.resolve("report.md")).exists();
        assertThat(reportDir.resolve("junit.xml")).content().contains("name=\"gsm8k\"");
        assertThat(run.err()).contains("report written");
    }

    @Test
    public void shouldRunThePtqGateWithARecipeOverride() throws Exception {
        Path summary = file("summary.json", "{\"source_bytes\": 100, \"output_bytes\": 30, \"recipe\": \"other\", "
                + "\"layer_precision_counts\": {\"FP8\": 10}, \"metadata_diffs\": []}");

        assertThat(CliRun.run("gate", "ptq", "--summary", summary.toString()).exitCode()).isEqualTo(1);
        assertThat(CliRun.run("gate", "ptq", "--summary", summary.toString(), "--recipe", "fp8").exitCode())
                .isEqualTo(0);
    }

    @Test
    public void shouldRunTheRunGateAndRejectWrongTypesWithExitTwo() throws Exception {
        Path good = file("run.json", "{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"score\": 1}}}");
        Path wrong = file("wrong.json", "{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"errors\": \"x\"}}}");

        assertThat(CliRun.run("gate", "run", "--run", good.toString()).exitCode()).isEqualTo(0);
        CliRun run = CliRun.run("gate", "run", "--run", wrong.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().trim()).isEqualTo(wrong + ": tasks.t.errors: must be a list of strings, found string \"x\"");
    }

    @Test
    public void shouldRejectAnUnknownOptionWithExitTwo() {
        CliRun run = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--treshold", "0.1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown options: '--treshold'").contains("day0 gate compare --help");
    }

    @Test
    public void shouldRedactSecretsFromErrorMessages() {
        CliRun run = CliRun.run(java.util.Map.of("ROCKIELAB_TENANT_TOKEN", "tenant-secret-123456"), "gate", "compare",
                "--baseline", "/tmp/tenant-secret-123456/b.json", "--candidate", candidate.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out() + run.err()).doesNotContain("tenant-secret-123456").contains("[REDACTED]");
    }

    private Path verbosityTree(String side, double tokens) throws Exception {
        Path artifacts = temp.getRoot().toPath().resolve(side).resolve("eval_1/simple_evals.gpqa/artifacts");
        Files.createDirectories(artifacts);
        Files.writeString(artifacts.resolve("eval_factory_metrics.json"), "{\"response_stats\": "
                + "{\"avg_completion_tokens\": " + tokens + ", \"successful_count\": 198}}");
        return temp.getRoot().toPath().resolve(side);
    }

    @Test
    public void shouldExitOneWhenTheVerbosityGateFailsAndTwoWhenNothingWasHarvested() throws Exception {
        Path base = verbosityTree("vb", 4000);
        Path longer = verbosityTree("vc", 4400);

        CliRun failed = CliRun.run("gate", "verbosity", "--baseline", base.toString(), "--candidate",
                longer.toString());
        CliRun passed = CliRun.run("gate", "verbosity", "--baseline", base.toString(), "--candidate",
                longer.toString(), "--threshold", "0.1");
        CliRun nothing = CliRun.run("gate", "verbosity", "--baseline", base.toString(), "--candidate",
                longer.toString(), "--glob", "run_*");

        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(Json.parse(failed.out(), "stdout").path("failure_class").asText()).isEqualTo("VERBOSITY_EXCEEDED");
        assertThat(passed.exitCode()).as(passed.toString()).isEqualTo(0);
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(Json.parse(nothing.out(), "stdout").path("harvest_diagnostics").path("candidate")
                .path("no_files_matched").asText()).endsWith("run_*/**/artifacts/eval_factory_metrics.json");
    }

    @Test
    public void shouldExitTwoWithOneLineOnABrokenVerbosityMetricsFile() throws Exception {
        Path base = verbosityTree("vb", -1);
        Path cand = verbosityTree("vc", 4000);

        CliRun run = CliRun.run("gate", "verbosity", "--baseline", base.toString(), "--candidate", cand.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("response_stats.avg_completion_tokens: must be a finite positive number")
                .doesNotContain("Exception");
    }

    @Test
    public void shouldCallACompareWithDifferentRunConfigurationAnomalous() throws Exception {
        Path baseRun = file("baseline-run.json", "{\"tasks\": {}, \"config\": {\"model_args.pretrained\": "
                + "\"/m/bf16\", \"gen_kwargs.temperature\": 0.0}}");
        Path sameRun = file("same-run.json", "{\"tasks\": {}, \"config\": {\"model_args.pretrained\": "
                + "\"/m/nvfp4\", \"gen_kwargs.temperature\": 0.0}}");
        Path hotRun = file("hot-run.json", "{\"tasks\": {}, \"config\": {\"model_args.pretrained\": "
                + "\"/m/nvfp4\", \"gen_kwargs.temperature\": 0.7}}");

        CliRun same = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--baseline-run", baseRun.toString(), "--candidate-run", sameRun.toString());
        CliRun hot = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--baseline-run", baseRun.toString(), "--candidate-run", hotRun.toString());
        CliRun half = CliRun.run("gate", "compare", "--baseline", baseline.toString(), "--candidate",
                candidate.toString(), "--baseline-run", baseRun.toString());

        assertThat(same.exitCode()).as(same.toString()).isEqualTo(0);
        assertThat(Json.parse(same.out(), "stdout").path("config_parity").path("matches").asBoolean()).isTrue();
        assertThat(hot.exitCode()).isEqualTo(1);
        JsonNode json = Json.parse(hot.out(), "stdout");
        assertThat(json.path("decision").asText()).isEqualTo("ANOMALOUS");
        assertThat(json.path("failure_class").asText()).isEqualTo("CONFIG_MISMATCH");
        assertThat(json.path("detail").asText()).contains("gen_kwargs.temperature (baseline 0, candidate 0.7)");
        assertThat(half.exitCode()).isEqualTo(2);
        assertThat(half.err()).contains("--baseline-run: needs --candidate-run too");
    }
}
