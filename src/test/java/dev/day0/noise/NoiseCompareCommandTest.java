package dev.day0.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code day0 gate compare --noise ...} as a user runs it: exit codes, verdicts, intervals and reports. */
public class NoiseCompareCommandTest {
    private static final Path REFERENCE = Path.of("src/test/resources/reference/lm_eval");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path dir;
    private Path baselineDir;
    private Path candidateDir;

    @Before
    public void setUp() throws IOException {
        dir = temp.newFolder("work").toPath();
        baselineDir = Files.createDirectories(dir.resolve("baseline"));
        candidateDir = Files.createDirectories(dir.resolve("candidate"));
    }

    // ---- paired ----

    @Test
    public void shouldFindARealRegressionInPairedSamples() throws IOException {
        pairedTask("mmlu", SyntheticSamples.binaryPair(2000, 100, 10, 0.8), null);

        CliRun run = paired();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("REGRESSION");
        JsonNode row = out.path("per_task").path("mmlu");
        assertThat(row.path("verdict").asText()).isEqualTo("BREACH");
        assertThat(row.path("method").asText()).isEqualTo("paired-t");
        assertThat(row.path("n").asLong()).isEqualTo(2000);
        assertThat(row.path("interval").path("lower").asDouble()).isGreaterThan(0.01);
        assertThat(row.path("flips").path("correct_to_wrong").asLong()).isEqualTo(100);
        assertThat(row.path("flips").path("wrong_to_correct").asLong()).isEqualTo(10);
        assertThat(row.path("flips").path("mcnemar_p").asDouble()).isLessThan(1e-10);
        assertThat(row.path("evidence_needed").isNull()).isTrue();
        assertThat(out.path("detail").asText()).startsWith("regression on 1 of 1 tasks: mmlu: drop 0.0450");
    }

    @Test
    public void shouldAcceptADropThatIsWithinTheLimitWithConfidence() throws IOException {
        pairedTask("mmlu", SyntheticSamples.binaryPair(5000, 30, 30, 0.7), null);

        CliRun run = paired();

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(out.path("per_task").path("mmlu").path("verdict").asText()).isEqualTo("PASS");
        assertThat(out.path("per_task").path("mmlu").path("within_threshold").asBoolean()).isTrue();
        assertThat(out.path("detail").asText()).isEqualTo("all 1 tasks within their limits at 95 % confidence");
    }

    @Test
    public void shouldAskForEvidenceWhenTheIntervalStraddlesTheLimit() throws IOException {
        pairedTask("gpqa_diamond", SyntheticSamples.binaryPair(198, 10, 8, 0.6), null);

        CliRun run = paired();

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("NEEDS_HUMAN");
        assertThat(out.path("failure_class").isNull()).isTrue();
        assertThat(out.path("detail").asText()).startsWith("inconclusive on 1 of 1 tasks");
        JsonNode row = out.path("per_task").path("gpqa_diamond");
        assertThat(row.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(row.path("evidence_needed").path("items").asLong()).isGreaterThan(198);
        assertThat(row.path("detectable_drop").asDouble()).isGreaterThan(0.01);
        assertThat(out.path("noise").path("verdicts").path("INSUFFICIENT_EVIDENCE").asInt()).isEqualTo(1);
    }

    @Test
    public void shouldReadFractionSamplesAgainstPercentScores() throws IOException {
        double[][] pair = SyntheticSamples.binaryPair(2000, 100, 10, 0.8);
        SyntheticSamples.write(baselineDir.resolve("samples_mmlu_2026-01-01T00-00-00.jsonl"), pair[0], null);
        SyntheticSamples.write(candidateDir.resolve("samples_mmlu_2026-01-01T00-00-00.jsonl"), pair[1], null);
        writeScores("mmlu", SyntheticSamples.mean(pair[0]) * 100, SyntheticSamples.mean(pair[1]) * 100);

        CliRun run = paired();

        JsonNode row = Json.parse(run.out(), "stdout").path("per_task").path("mmlu");
        assertThat(row.path("scale").asInt()).isEqualTo(100);
        assertThat(row.path("interval").path("estimate").asDouble()).isEqualTo(0.045);
        assertThat(row.path("verdict").asText()).isEqualTo("BREACH");
    }

    @Test
    public void shouldClusterTheIntervalByCategory() throws IOException {
        double[][] pair = SyntheticSamples.binaryPair(600, 20, 10, 0.7);
        String[] categories = new String[600];
        for (int i = 0; i < 600; i++) {
            categories[i] = "subject_" + (i % 12);
        }
        pairedTask("mmlu_pro", pair, categories);

        JsonNode row = Json.parse(paired().out(), "stdout").path("per_task").path("mmlu_pro");

        assertThat(row.path("interval").path("method").asText()).isEqualTo("paired-t-clustered");
        assertThat(row.path("interval").path("clusters").asInt()).isEqualTo(12);
        assertThat(row.path("interval").path("df").asDouble()).isEqualTo(11.0);
        assertThat(row.path("samples").path("categories").asInt()).isEqualTo(12);
    }

    @Test
    public void shouldPlanRepeatsPerItemWhenTheRunsHaveRepeats() throws IOException {
        // The same model twice: every item has its own success rate, and 4 generations per item leave a lot of
        // generation noise that more repeats on the same items would average away.
        Random random = new Random(7);
        int n = 1000;
        double[][] baseline = new double[n][4];
        double[][] candidate = new double[n][4];
        for (int i = 0; i < n; i++) {
            double p = (i + 0.5) / n;
            for (int r = 0; r < 4; r++) {
                baseline[i][r] = random.nextDouble() < p ? 1 : 0;
                candidate[i][r] = random.nextDouble() < p ? 1 : 0;
            }
        }
        SyntheticSamples.write(baselineDir.resolve("aime.jsonl"), baseline, null, "exact_match", "none");
        SyntheticSamples.write(candidateDir.resolve("aime.jsonl"), candidate, null, "exact_match", "none");
        writeScores("aime", mean(baseline), mean(candidate));

        JsonNode row = Json.parse(paired().out(), "stdout").path("per_task").path("aime");

        assertThat(row.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(row.path("samples").path("repeats").path("min").asInt()).isEqualTo(4);
        assertThat(row.path("flips").isNull()).isTrue();
        JsonNode needed = row.path("evidence_needed");
        assertThat(needed.path("items").asLong()).isGreaterThan(1000);
        assertThat(needed.path("repeats_per_item").isIntegralNumber()).as(row.toString()).isTrue();
        assertThat(needed.path("repeats_per_item").asLong()).isGreaterThan(4);
        assertThat(needed.path("note").asText()).contains("repeats per item on the current items");
    }

    @Test
    public void shouldFailSampleAccountingWhenTheItemSetsDiffer() throws IOException {
        double[][] pair = SyntheticSamples.binaryPair(200, 5, 5, 0.5);
        SyntheticSamples.write(baselineDir.resolve("samples_arc_2026-01-01T00-00-00.jsonl"), pair[0], null);
        double[] shorter = java.util.Arrays.copyOf(pair[1], 199);
        SyntheticSamples.write(candidateDir.resolve("samples_arc_2026-01-01T00-00-00.jsonl"), shorter, null);
        writeScores("arc", SyntheticSamples.mean(pair[0]), SyntheticSamples.mean(shorter));

        CliRun run = paired();

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("ANOMALOUS");
        assertThat(out.path("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(out.path("detail").asText()).contains("1 items only in the baseline (doc 199)");
        assertThat(out.path("per_task").path("arc").path("sample_accounting").asText()).contains("same items");
    }

    @Test
    public void shouldFailSampleAccountingWhenTheSamplesDoNotReproduceTheScores() throws IOException {
        double[][] pair = SyntheticSamples.binaryPair(500, 5, 5, 0.5);
        SyntheticSamples.write(baselineDir.resolve("arc.jsonl"), pair[0], null);
        SyntheticSamples.write(candidateDir.resolve("arc.jsonl"), pair[1], null);
        writeScores("arc", 0.9, 0.9);

        JsonNode out = Json.parse(paired().out(), "stdout");

        assertThat(out.path("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(out.path("detail").asText()).contains("do not reproduce the compared scores");
    }

    @Test
    public void shouldFailSampleAccountingWhenOnlyOneRunHasASampleFile() throws IOException {
        double[][] pair = SyntheticSamples.binaryPair(100, 5, 5, 0.5);
        SyntheticSamples.write(baselineDir.resolve("arc.jsonl"), pair[0], null);
        writeScores("arc", SyntheticSamples.mean(pair[0]), SyntheticSamples.mean(pair[1]));

        JsonNode out = Json.parse(paired().out(), "stdout");

        assertThat(out.path("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(out.path("detail").asText()).contains("per-sample file for arc only in the baseline");
    }

    @Test
    public void shouldFallBackToUnpairedForATaskWithoutSampleFiles() throws IOException {
        Files.writeString(dir.resolve("counts.json"), "{\"gsm8k\": 1319}");
        writeScores("gsm8k", 0.8, 0.79);

        CliRun run = paired("--sample-counts", dir.resolve("counts.json").toString());

        JsonNode row = Json.parse(run.out(), "stdout").path("per_task").path("gsm8k");
        assertThat(row.path("method").asText()).isEqualTo("unpaired-binomial");
        assertThat(row.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
    }

    @Test
    public void shouldNotCertifyARealSampleFileComparedWithItself() throws IOException {
        Path real = REFERENCE.resolve("fork-negotiationtom__Qwen3-8B__samples_negotiationtom_belief_"
                + "2026-07-08T16-04-34.jsonl");
        String name = "samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl";
        Files.copy(real, baselineDir.resolve(name));
        Files.copy(real, candidateDir.resolve(name));
        writeScores("negotiationtom_belief", 0.45, 0.45);

        CliRun run = paired();

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode row = Json.parse(run.out(), "stdout").path("per_task").path("negotiationtom_belief");
        assertThat(row.path("n").asInt()).isEqualTo(20);
        assertThat(row.path("method").asText()).isEqualTo("paired-no-variation");
        assertThat(row.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(row.path("flips").path("correct_to_wrong").asInt()).isZero();
        assertThat(row.path("flips").path("mcnemar_p").asDouble()).isEqualTo(1.0);
        assertThat(row.path("evidence_needed").path("items").asLong()).isEqualTo(368);
    }

    @Test
    public void shouldRecordTheSampleFilesAsInputsOfTheDecision() throws IOException {
        pairedTask("mmlu", SyntheticSamples.binaryPair(2000, 100, 10, 0.8), null);
        Path reports = dir.resolve("reports");

        paired("--report-dir", reports.toString());

        JsonNode decision = Json.read(reports.resolve("decision.json"));
        List<String> roles = new ArrayList<>();
        decision.path("inputs").forEach(input -> roles.add(input.path("role").asText()));
        assertThat(roles).contains("baseline-samples mmlu", "candidate-samples mmlu");
    }

    // ---- unpaired ----

    @Test
    public void shouldJudgeRealLmEvalResultsByTheirStandardErrors() throws IOException {
        writeScores("gsm8k", 76.42, 75.21);
        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  gsm8k:\n    metric: exact_match,strict-match\n");

        CliRun run = CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--noise", "unpaired",
                "--policy", dir.resolve("policy.yaml").toString(),
                "--baseline-stderr", REFERENCE.resolve(
                        "llm-compressor__awq-asym-fp8-dynamic__gsm8k__results_2026-02-10T15-33-52.json").toString(),
                "--candidate-stderr", REFERENCE.resolve(
                        "llm-compressor__awq-asym-fp8-block__gsm8k__results_2026-02-10T17-13-14.json").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode row = Json.parse(run.out(), "stdout").path("per_task").path("gsm8k");
        assertThat(row.path("method").asText()).isEqualTo("unpaired-stderr");
        double se = Math.sqrt(Math.pow(0.011692515650666807, 2) + Math.pow(0.011893980214826167, 2));
        assertThat(row.path("interval").path("standard_error").asDouble()).isCloseTo(se,
                org.assertj.core.api.Assertions.within(1e-6));
        assertThat(row.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
    }

    @Test
    public void shouldNeverPassATaskWhoseStandardErrorIsNotAvailable() throws IOException {
        Random random = new Random(11);
        for (int i = 0; i < 40; i++) {
            double b = Math.round(random.nextDouble() * 1000) / 10.0;
            double c = Math.max(0, b - Math.round(random.nextDouble() * 20) / 10.0);
            writeScores("task", b, c);
            Files.writeString(dir.resolve("se.json"), "{\"task\": \"N/A\"}");

            CliRun run = CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                    "--candidate", dir.resolve("c.json").toString(), "--noise", "unpaired",
                    "--baseline-stderr", dir.resolve("se.json").toString(),
                    "--candidate-stderr", dir.resolve("se.json").toString());

            JsonNode out = Json.parse(run.out(), "stdout");
            assertThat(out.path("pass").asBoolean()).as("%s -> %s", b, c).isFalse();
            assertThat(out.path("per_task").path("task").path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        }
    }

    @Test
    public void shouldFallBackToABinomialStandardErrorFromTheItemCount() throws IOException {
        writeScores("mmlu", 83.3, 81.1);
        Files.writeString(dir.resolve("se.json"), "{\"mmlu\": \"N/A\"}");
        Files.writeString(dir.resolve("counts.json"), "{\"mmlu\": 14042}");

        CliRun run = unpaired("--baseline-stderr", dir.resolve("se.json").toString(),
                "--candidate-stderr", dir.resolve("se.json").toString(),
                "--sample-counts", dir.resolve("counts.json").toString());

        JsonNode row = Json.parse(run.out(), "stdout").path("per_task").path("mmlu");
        assertThat(row.path("method").asText()).isEqualTo("unpaired-binomial");
        assertThat(row.path("verdict").asText()).isEqualTo("BREACH");
    }

    @Test
    public void shouldLetRegressionOutrankInconclusiveTasks() throws IOException {
        Files.writeString(dir.resolve("b.json"), "{\"mmlu\": 83.3, \"aime\": 80.0}");
        Files.writeString(dir.resolve("c.json"), "{\"mmlu\": 81.1, \"aime\": 76.7}");
        Files.writeString(dir.resolve("counts.json"), "{\"mmlu\": 14042, \"aime\": 30}");

        CliRun run = unpaired("--sample-counts", dir.resolve("counts.json").toString());

        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(out.path("detail").asText()).contains("also inconclusive: aime");
    }

    // ---- policy ----

    @Test
    public void shouldNeverLetAnAdvisoryTaskBlock() throws IOException {
        Files.writeString(dir.resolve("b.json"), "{\"mmlu\": 83.3, \"hellaswag\": 60.0}");
        Files.writeString(dir.resolve("c.json"), "{\"mmlu\": 83.2, \"hellaswag\": 55.0}");
        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  hellaswag:\n    tier: advisory\n");
        Files.writeString(dir.resolve("counts.json"), "{\"mmlu\": 14042, \"hellaswag\": 10042}");

        CliRun run = unpaired("--policy", dir.resolve("policy.yaml").toString(),
                "--sample-counts", dir.resolve("counts.json").toString(), "--threshold", "0.02");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(out.path("per_task").path("hellaswag").path("verdict").asText()).isEqualTo("BREACH");
        assertThat(out.path("per_task").path("hellaswag").path("blocking").asBoolean()).isFalse();
        assertThat(out.path("detail").asText()).contains("not blocking: hellaswag (advisory, BREACH)");
    }

    @Test
    public void shouldApplyThePolicyToThePointRuleWhenNoiseIsOff() throws IOException {
        Files.writeString(dir.resolve("b.json"), "{\"wikitext_ppl\": 8.0, \"mmlu\": 83.3}");
        Files.writeString(dir.resolve("c.json"), "{\"wikitext_ppl\": 8.5, \"mmlu\": 81.8}");
        Files.writeString(dir.resolve("policy.yaml"), """
                tasks:
                  wikitext_ppl:
                    direction: lower
                    threshold: 0.004
                  mmlu:
                    threshold: 0.02
                """);

        CliRun run = CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--policy", dir.resolve("policy.yaml").toString());

        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("REGRESSION");
        JsonNode perplexity = out.path("per_task").path("wikitext_ppl");
        assertThat(perplexity.path("drop").asDouble()).isEqualTo(0.5);
        assertThat(perplexity.path("verdict").asText()).isEqualTo("BREACH");
        assertThat(perplexity.path("direction").asText()).isEqualTo("lower");
        assertThat(out.path("per_task").path("mmlu").path("verdict").asText()).isEqualTo("PASS");
        assertThat(out.path("per_task").path("mmlu").path("limit").asDouble()).isEqualTo(0.02);
        assertThat(out.path("noise").path("mode").asText()).isEqualTo("off");
    }

    @Test
    public void shouldLowerTheLimitOfALowBaselineWithTheRelativeGuard() throws IOException {
        Files.writeString(dir.resolve("b.json"), "{\"hle\": 5.0}");
        Files.writeString(dir.resolve("c.json"), "{\"hle\": 4.2}");
        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  hle:\n    relative_guard: 0.1\n");

        JsonNode out = Json.parse(CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--policy", dir.resolve("policy.yaml").toString())
                .out(), "stdout");

        assertThat(out.path("per_task").path("hle").path("limit").asDouble()).isEqualTo(0.005);
        assertThat(out.path("decision").asText()).isEqualTo("REGRESSION");
    }

    // ---- reports ----

    @Test
    public void shouldPutVerdictsAndIntervalsIntoTheReports() throws IOException {
        Files.writeString(dir.resolve("b.json"), "{\"mmlu\": 83.3, \"aime\": 80.0}");
        Files.writeString(dir.resolve("c.json"), "{\"mmlu\": 81.1, \"aime\": 76.7}");
        Files.writeString(dir.resolve("counts.json"), "{\"mmlu\": 14042, \"aime\": 30}");
        Path reports = dir.resolve("reports");

        unpaired("--sample-counts", dir.resolve("counts.json").toString(), "--report-dir", reports.toString());

        JsonNode decision = Json.read(reports.resolve("decision.json"));
        assertThat(decision.path("decision").asText()).isEqualTo("REGRESSION");
        JsonNode mmlu = decision.path("tasks").get(1);
        assertThat(mmlu.path("task").asText()).isEqualTo("mmlu");
        assertThat(mmlu.path("verdict").asText()).isEqualTo("BREACH");
        assertThat(mmlu.path("tier").asText()).isEqualTo("critical");
        assertThat(mmlu.path("interval").path("lower").isNumber()).isTrue();
        assertThat(mmlu.path("limit").asDouble()).isEqualTo(0.01);
        assertThat(decision.path("tasks").get(0).path("evidence_needed").path("items").asLong()).isGreaterThan(30);
        String markdown = Files.readString(reports.resolve("report.md"));
        assertThat(markdown).contains("| task | tier | baseline | candidate | delta | drop fraction | 95 % interval of "
                + "the drop | limit | verdict |");
        assertThat(markdown).containsPattern("\\| mmlu \\| critical \\| 83\\.3 \\| 81\\.1 \\| -2\\.2 \\| 0\\.022 \\| "
                + "\\[0\\.01\\d+, 0\\.03\\d+\\] \\| 0\\.01 \\| \\*\\*BREACH\\*\\* \\|");
        assertThat(markdown).contains("- Evidence needed for aime: ");
        String junit = Files.readString(reports.resolve("junit.xml"));
        assertThat(junit).contains("<failure message=\"BREACH: baseline 83.3, candidate 81.1, drop 0.022, 95 % "
                + "interval [");
        assertThat(junit).contains("<failure message=\"INSUFFICIENT_EVIDENCE: ");
    }

    @Test
    public void shouldDescribeTheNoiseOptionsInTheHelpWithoutWarnings() {
        CliRun run = CliRun.run("gate", "compare", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--noise=MODE", "judge each drop by its 95%", "--policy=FILE",
                "--sample-counts=FILE", "NEEDS_HUMAN");
        assertThat(run.out() + run.err()).doesNotContain("WARN");
    }

    // ---- bad input ----

    @Test
    public void shouldRefuseEvidenceOptionsThatWouldBeIgnored() throws IOException {
        writeScores("mmlu", 83.3, 81.1);
        Files.writeString(dir.resolve("counts.json"), "{\"mmlu\": 14042}");

        assertInputError(CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--sample-counts",
                dir.resolve("counts.json").toString()), "--noise: is off, so --sample-counts would be ignored");
        assertInputError(CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--noise", "paired"),
                "--noise: paired needs --baseline-samples DIR and --candidate-samples DIR");
        assertInputError(unpaired("--baseline-samples", baselineDir.toString(), "--candidate-samples",
                candidateDir.toString()), "--noise: unpaired does not read per-sample files");
        assertInputError(unpaired("--baseline-stderr", dir.resolve("counts.json").toString()),
                "--baseline-stderr: needs --candidate-stderr too");
        assertInputError(unpaired("--relative"), "--relative: cannot be combined with --policy or --noise");
        assertInputError(CliRun.run("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--noise", "maybe"), "--noise");
    }

    @Test
    public void shouldNameTheFileAndFieldOfABadEvidenceValue() throws IOException {
        writeScores("mmlu", 83.3, 81.1);
        Files.writeString(dir.resolve("se.json"), "{\"mmlu\": -0.2}");
        Files.writeString(dir.resolve("counts.json"), "{\"mmlu\": 0}");
        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  mmlu_pro:\n    tier: critical\n");

        assertInputError(unpaired("--baseline-stderr", dir.resolve("se.json").toString(), "--candidate-stderr",
                dir.resolve("se.json").toString()), "se.json: mmlu: must be a standard error");
        assertInputError(unpaired("--sample-counts", dir.resolve("counts.json").toString()),
                "counts.json: mmlu: must be a whole number of items of at least 1");
        assertInputError(unpaired("--policy", dir.resolve("policy.yaml").toString()),
                "policy.yaml: tasks.mmlu_pro: is not a task in the score files");
    }

    @Test
    public void shouldAskForTheFilterWhenTheSampleFileHasNoneOfTheDefault() throws IOException {
        double[][] pair = SyntheticSamples.binaryPair(100, 5, 5, 0.5);
        double[][] baseline = new double[100][];
        double[][] candidate = new double[100][];
        for (int i = 0; i < 100; i++) {
            baseline[i] = new double[] {pair[0][i]};
            candidate[i] = new double[] {pair[1][i]};
        }
        SyntheticSamples.write(baselineDir.resolve("gsm8k.jsonl"), baseline, null, "exact_match", "strict-match");
        SyntheticSamples.write(candidateDir.resolve("gsm8k.jsonl"), candidate, null, "exact_match", "strict-match");
        writeScores("gsm8k", SyntheticSamples.mean(pair[0]), SyntheticSamples.mean(pair[1]));

        assertInputError(paired(), "has no sample lines with filter \"none\" (of 100 lines)");

        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  gsm8k:\n    metric: exact_match,strict-match\n");
        CliRun run = paired("--policy", dir.resolve("policy.yaml").toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(Json.parse(run.out(), "stdout").path("per_task").path("gsm8k").path("n").asInt()).isEqualTo(100);
    }

    @Test
    public void shouldAskForTheCanonicalMetricWhenTheSampleLinesCarrySeveral() throws IOException {
        String line = "{\"doc_id\": %d, \"doc_hash\": \"h%d\", \"metrics\": [\"acc\", \"acc_norm\"], "
                + "\"acc\": 1, \"acc_norm\": 0}\n";
        Files.writeString(baselineDir.resolve("hellaswag.jsonl"), String.format(line, 0, 0) + String.format(line, 1, 1));
        Files.writeString(candidateDir.resolve("hellaswag.jsonl"), String.format(line, 0, 0) + String.format(line, 1, 1));
        writeScores("hellaswag", 1.0, 1.0);

        assertInputError(paired(), "its sample lines carry several metrics [acc, acc_norm]; name the canonical one");

        Files.writeString(dir.resolve("policy.yaml"), "tasks:\n  hellaswag:\n    metric: acc_norm\n");
        writeScores("hellaswag", 0.0, 0.0);
        CliRun run = paired("--policy", dir.resolve("policy.yaml").toString());
        assertThat(Json.parse(run.out(), "stdout").path("per_task").path("hellaswag").path("samples").path("metric")
                .asText()).as(run.toString()).isEqualTo("acc_norm");
    }

    private void assertInputError(CliRun run, String message) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(message).doesNotContain("Exception");
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("pass").asBoolean()).isFalse();
        assertThat(out.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
    }

    @Test
    public void shouldNotCountACandidateRunThatReplaysTheBaselineFromAWarmCache() throws IOException {
        double[][] pair = SyntheticSamples.binaryPair(2000, 0, 0, 0.8);
        pairedTask("mmlu", new double[][] {pair[0], pair[0].clone()}, null);

        CliRun run = paired();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("decision").asText()).isEqualTo("NEEDS_HUMAN");
        JsonNode row = out.path("per_task").path("mmlu");
        assertThat(row.path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(row.path("reason").asText()).startsWith("no independent candidate results: 1 of 1 candidate "
                + "repeats are bit-identical to a baseline repeat");
        assertThat(row.path("evidence_needed").path("note").asText()).contains("response cache off");
    }

    private void pairedTask(String task, double[][] pair, String[] categories) throws IOException {
        SyntheticSamples.write(baselineDir.resolve("samples_" + task + "_2026-01-01T00-00-00.jsonl"), pair[0],
                categories);
        SyntheticSamples.write(candidateDir.resolve("samples_" + task + "_2026-01-01T00-00-01.jsonl"), pair[1],
                categories);
        writeScores(task, SyntheticSamples.mean(pair[0]), SyntheticSamples.mean(pair[1]));
    }

    private void writeScores(String task, double baseline, double candidate) throws IOException {
        Files.writeString(dir.resolve("b.json"), String.format(Locale.ROOT, "{\"%s\": %.6f}", task, baseline));
        Files.writeString(dir.resolve("c.json"), String.format(Locale.ROOT, "{\"%s\": %.6f}", task, candidate));
    }

    private static double mean(double[][] repeats) {
        double sum = 0;
        int count = 0;
        for (double[] item : repeats) {
            for (double v : item) {
                sum += v;
                count++;
            }
        }
        return sum / count;
    }

    private CliRun paired(String... extra) {
        List<String> args = new ArrayList<>(List.of("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--noise", "paired",
                "--baseline-samples", baselineDir.toString(), "--candidate-samples", candidateDir.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(new String[0]));
    }

    private CliRun unpaired(String... extra) {
        List<String> args = new ArrayList<>(List.of("gate", "compare", "--baseline", dir.resolve("b.json").toString(),
                "--candidate", dir.resolve("c.json").toString(), "--noise", "unpaired"));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(new String[0]));
    }
}
