package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code day0 inspect eval} on the real reference outputs, end to end through {@code day0 gate run|compare}. */
public class EvalInspectorTest {
    static final Path LM_EVAL = Path.of("src/test/resources/reference/lm_eval");
    static final Path NEL = Path.of("src/test/resources/reference/nel");
    static final String NEGOTIATIONTOM = "fork-negotiationtom__Qwen3-8B__results_2026-07-08T16-04-34.json";
    static final String NEGOTIATIONTOM_SAMPLES =
            "fork-negotiationtom__Qwen3-8B__samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl";
    static final String GSM8K_BLOCK = "llm-compressor__awq-asym-fp8-block__gsm8k__results_2026-02-10T17-13-14.json";
    static final String GSM8K_DYNAMIC =
            "llm-compressor__awq-asym-fp8-dynamic__gsm8k__results_2026-02-10T15-33-52.json";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path work;
    private Path runSummary;
    private Path scores;

    @Before
    public void setUp() {
        work = temp.getRoot().toPath();
        runSummary = work.resolve("run-summary.json");
        scores = work.resolve("scores.json");
    }

    @Test
    public void shouldFailTheReferenceLimitRunAsSampleAccountingInTheRunGate() throws IOException {
        Path run = copy(LM_EVAL, work.resolve("negotiationtom"), NEGOTIATIONTOM, NEGOTIATIONTOM_SAMPLES);
        Path map = taskMap("tasks:\n  negotiationtom_belief:\n  negotiationtom:\n    metric: acc\n");

        JsonNode report = inspect("--results", run.toString(), "--tasks", map.toString());

        JsonNode belief = Json.read(runSummary).at("/tasks/negotiationtom_belief");
        assertThat(belief.get("expected_samples").asLong()).isEqualTo(13812);
        assertThat(belief.get("scored_samples").asLong()).isEqualTo(20);
        assertThat(belief.get("score").asDouble()).isEqualTo(45.0);
        assertThat(belief.get("errors")).isEmpty();
        assertThat(report.at("/tasks/negotiationtom_belief/scored_from").asText())
                .isEqualTo("distinct items with a finite acc,none in the samples files");
        assertThat(report.at("/tasks/negotiationtom_belief/notes/0").asText())
                .isEqualTo("the run was limited: config.limit = 20");
        JsonNode group = Json.read(runSummary).at("/tasks/negotiationtom");
        assertThat(group.get("expected_samples").asLong()).isEqualTo(13812 + 13812);
        assertThat(group.get("scored_samples").asLong()).isEqualTo(40);

        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString());

        assertThat(gate.exitCode()).as(gate.toString()).isEqualTo(1);
        JsonNode verdict = Json.parse(gate.out(), "gate");
        assertThat(verdict.get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(verdict.get("detail").asText()).contains("negotiationtom_belief: sample accounting: scored 20 of "
                + "13812 expected samples");
    }

    @Test
    public void shouldFailTheReferenceLimitRunEvenWithoutATaskMap() {
        JsonNode report = inspect("--results", LM_EVAL.resolve(NEGOTIATIONTOM).toString());

        assertThat(report.get("tasks").size()).isEqualTo(1);
        assertThat(report.at("/tasks/negotiationtom/errors/0").asText())
                .startsWith("task map: several metrics reported for negotiationtom (acc,none, micro_f1,none, "
                        + "macro_f1,none, exact_match,none)");
        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString());
        assertThat(Json.parse(gate.out(), "gate").get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
    }

    @Test
    public void shouldPassACompleteGsm8kRunAndCompareTwoRealRuns() throws IOException {
        Path baselineScores = work.resolve("baseline-scores.json");
        inspect("--results", LM_EVAL.resolve(GSM8K_DYNAMIC).toString());
        Files.move(scores, baselineScores);
        JsonNode report = inspect("--results", LM_EVAL.resolve(GSM8K_BLOCK).toString());

        assertThat(Json.read(runSummary).get("tasks").toString()).isEqualTo("{\"gsm8k\":{\"status\":\"SUCCESS\","
                + "\"expected_samples\":1319,\"scored_samples\":1319,\"score\":75.20849128127369,\"errors\":[]}}");
        assertThat(report.at("/tasks/gsm8k/metric").asText()).isEqualTo("exact_match,strict-match");
        assertThat(report.at("/tasks/gsm8k/expected_from").asText()).isEqualTo("built-in default for gsm8k");
        assertThat(CliRun.run("gate", "run", "--run", runSummary.toString()).exitCode()).isZero();

        CliRun compare = CliRun.run("gate", "compare", "--baseline", baselineScores.toString(), "--candidate",
                scores.toString());

        // 76.42 -> 75.21 is a drop of 1.21 points, beyond the default 1-point threshold.
        assertThat(compare.exitCode()).as(compare.toString()).isEqualTo(1);
        assertThat(Json.parse(compare.out(), "compare").get("decision").asText()).isEqualTo("REGRESSION");
    }

    @Test
    public void shouldFailTheReferenceNelRunLimitedToTenSamples() {
        JsonNode report = inspect("--results", NEL.resolve("results.example.gpqa_diamond.yaml").toString());

        JsonNode task = Json.read(runSummary).at("/tasks/gpqa_diamond");
        assertThat(task.get("expected_samples").asLong()).isEqualTo(198);
        assertThat(task.get("scored_samples").asLong()).isEqualTo(10);
        assertThat(task.get("score").asDouble()).isEqualTo(40.0);
        assertThat(report.get("format").asText()).isEqualTo("nel");
        assertThat(report.at("/tasks/gpqa_diamond/metric").asText()).isEqualTo("score.micro");
        assertThat(report.at("/tasks/gpqa_diamond/expected_from").asText()).isEqualTo("built-in default for "
                + "gpqa_diamond");
        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString());
        assertThat(Json.parse(gate.out(), "gate").get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
    }

    @Test
    public void shouldRefuseANelRunWithoutAnyItemCountUnlessTheTaskMapAcceptsIt() throws IOException {
        Path artifacts = nelRunWithoutLimit();

        inspect("--results", artifacts.getParent().toString());

        assertThat(Json.read(runSummary).at("/tasks/gpqa_diamond/errors/0").asText())
                .startsWith("sample accounting: no per-item results and results.yml carries no item count");
        assertThat(CliRun.run("gate", "run", "--run", runSummary.toString()).exitCode()).isEqualTo(1);

        Path map = taskMap("tasks:\n  gpqa_diamond:\n    accept_without_sample_count: true\n");
        JsonNode report = inspect("--results", artifacts.getParent().toString(), "--tasks", map.toString());

        assertThat(report.at("/tasks/gpqa_diamond/notes/0").asText())
                .isEqualTo("accepted without a sample count (accept_without_sample_count in the task map)");
        assertThat(CliRun.run("gate", "run", "--run", runSummary.toString()).exitCode()).isZero();
    }

    @Test
    public void shouldCountNelPerItemResultsWhenTheArtifactsHoldThem() throws IOException {
        Path artifacts = nelRunWithoutLimit();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 197; i++) {
            lines.add("{\"doc_id\": " + i + ", \"score\": " + (i % 5 == 0 ? 1 : 0) + "}");
        }
        Files.write(artifacts.resolve("samples_gpqa_diamond_2025-12-02T11-51-28.jsonl"), lines);

        JsonNode report = inspect("--results", artifacts.resolve("results.yml").toString());

        assertThat(report.at("/tasks/gpqa_diamond/scored_samples").asLong()).isEqualTo(197);
        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString());
        assertThat(Json.parse(gate.out(), "gate").get("detail").asText())
                .contains("sample accounting: scored 197 of 198 expected samples");
    }

    @Test
    public void shouldPreferTheNelSummaryOverTheLmEvalFilesInItsArtifacts() throws IOException {
        Path artifacts = nelRunWithoutLimit();
        Files.copy(LM_EVAL.resolve(GSM8K_BLOCK), artifacts.resolve(GSM8K_BLOCK));

        JsonNode report = inspect("--results", artifacts.getParent().toString());

        assertThat(report.get("format").asText()).isEqualTo("nel");
        assertThat(report.get("tasks").fieldNames()).toIterable().containsExactly("gpqa_diamond");
    }

    @Test
    public void shouldScaleAPercentMetricToPointsAndRefuseALowerIsBetterOne() throws IOException {
        Path map = taskMap("tasks:\n  judge:\n    source: nl2foam_llm_judge_original\n    scale: 100\n"
                + "  gen:\n    source: nl2foam_gen_original\n    metric: rougeL\n");
        inspect("--results", LM_EVAL.resolve("fork-nl2foam__results_original_2025-12-17T20-24-58.json").toString(),
                "--tasks", map.toString());

        assertThat(Json.read(scores).toString()).isEqualTo("{\"judge\":89.156,\"gen\":55.67045583231127}");

        Path perplexity = taskMap("tasks:\n  nl2foam_perplexity_formatted:\n    metric: word_perplexity,none\n");
        inspect("--results", LM_EVAL.resolve("fork-nl2foam__results_formatted_perplexity_2025-12-17T21-46-45.json")
                .toString(), "--tasks", perplexity.toString());

        assertThat(Json.read(runSummary).at("/tasks/nl2foam_perplexity_formatted/errors/0").asText())
                .startsWith("task map: metric word_perplexity,none is lower-is-better");
    }

    @Test
    public void shouldReportATaskOfTheMapThatTheRunLacksAsMissing() throws IOException {
        Path map = taskMap("tasks:\n  gsm8k:\n  mmlu_pro:\n");

        JsonNode report = inspect("--results", LM_EVAL.resolve(GSM8K_BLOCK).toString(), "--tasks", map.toString());

        JsonNode missing = Json.read(runSummary).at("/tasks/mmlu_pro");
        assertThat(missing.get("status").asText()).isEqualTo("MISSING");
        assertThat(missing.get("expected_samples").asLong()).isEqualTo(12032);
        assertThat(Json.read(scores).get("mmlu_pro").isNull()).isTrue();
        assertThat(report.get("not_in_task_map")).isEmpty();
        assertThat(CliRun.run("gate", "run", "--run", runSummary.toString()).exitCode()).isEqualTo(1);
    }

    @Test
    public void shouldCatchSamplesThatDoNotBelongToTheResults() throws IOException {
        Path run = copy(LM_EVAL, work.resolve("mixed"), NEGOTIATIONTOM, NEGOTIATIONTOM_SAMPLES);
        Path samples = run.resolve(NEGOTIATIONTOM_SAMPLES);
        List<String> lines = Files.readAllLines(samples);
        List<String> flipped = new ArrayList<>();
        for (String line : lines) {
            flipped.add(line.replace("\"acc\": 0.0}", "\"acc\": 1.0}"));
        }
        flipped.set(19, flipped.get(0));
        Files.write(samples, flipped);

        inspect("--results", run.toString(), "--tasks", taskMap("tasks:\n  negotiationtom_belief:\n").toString());

        JsonNode errors = Json.read(runSummary).at("/tasks/negotiationtom_belief/errors");
        assertThat(errors.toString()).contains("the samples file repeats 1 doc ids (first: 0)",
                "the samples file has 19 items for filter none but n-samples.effective is 20",
                "samples average");
    }

    @Test
    public void shouldRefuseTwoRunsOfTheSameTaskInOneDirectory() {
        CliRun run = CliRun.run("inspect", "eval", "--results", LM_EVAL.toString(), "--run-summary",
                runSummary.toString(), "--scores", scores.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("reports task gsm8k, and so does").endsWith("point --results at one run"
                + System.lineSeparator());
        assertThat(Files.exists(runSummary)).isFalse();
    }

    @Test
    public void shouldNameTheLineOfABrokenSamplesFile() throws IOException {
        Path run = copy(LM_EVAL, work.resolve("broken"), NEGOTIATIONTOM, NEGOTIATIONTOM_SAMPLES);
        Path samples = run.resolve(NEGOTIATIONTOM_SAMPLES);
        List<String> lines = new ArrayList<>(Files.readAllLines(samples));
        lines.set(6, lines.get(6).substring(0, 100));
        Files.write(samples, lines);

        CliRun result = CliRun.run("inspect", "eval", "--results", run.toString(), "--tasks",
                taskMap("tasks:\n  negotiationtom_belief:\n").toString(), "--run-summary", runSummary.toString(),
                "--scores", scores.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith(samples + ": line 7: invalid JSON");
    }

    @Test
    public void shouldNameTheFieldOfABadTaskMap() throws IOException {
        Path map = taskMap("tasks:\n  gsm8k:\n    expected_sample: 1319\n");

        CliRun run = CliRun.run("inspect", "eval", "--results", LM_EVAL.resolve(GSM8K_BLOCK).toString(), "--tasks",
                map.toString(), "--run-summary", runSummary.toString(), "--scores", scores.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(map + ": tasks.gsm8k.expected_sample: unknown key (known: "
                + "accept_without_sample_count, aggregate, expected_samples, metric, scale, source, subtasks)"
                + System.lineSeparator());
    }

    @Test
    public void shouldRefuseASamplesFileGivenAsResults() {
        CliRun run = CliRun.run("inspect", "eval", "--results", LM_EVAL.resolve(NEGOTIATIONTOM_SAMPLES).toString(),
                "--run-summary", runSummary.toString(), "--scores", scores.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is a per-sample file; give the results_*.json beside it");
    }

    @Test
    public void shouldRefuseAnUnknownFormatAndAMissingPath() {
        CliRun format = CliRun.run("inspect", "eval", "--results", LM_EVAL.toString(), "--format", "helm",
                "--run-summary", runSummary.toString(), "--scores", scores.toString());
        CliRun missing = CliRun.run("inspect", "eval", "--results", work.resolve("nowhere").toString(),
                "--run-summary", runSummary.toString(), "--scores", scores.toString());

        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).startsWith("--format: must be nel, lm-eval or auto, got \"helm\"");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).startsWith("--results: " + work.resolve("nowhere") + " does not exist");
    }

    @Test
    public void shouldRefuseANelFileWithoutScores() throws IOException {
        Path file = work.resolve("results.yml");
        Files.writeString(file, "results:\n  tasks: {}\n");

        CliRun run = CliRun.run("inspect", "eval", "--results", file.toString(), "--run-summary",
                runSummary.toString(), "--scores", scores.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(file + ": results: has neither tasks nor groups: the evaluation reported no "
                + "score" + System.lineSeparator());
    }

    private Path nelRunWithoutLimit() throws IOException {
        Path artifacts = work.resolve("nel-run").resolve("gpqa_diamond").resolve("artifacts");
        Files.createDirectories(artifacts);
        String text = Files.readString(NEL.resolve("results.example.gpqa_diamond.yaml"))
                .replace("limit_samples: 10", "limit_samples: null");
        Files.writeString(artifacts.resolve("results.yml"), text);
        return artifacts;
    }

    private JsonNode inspect(String... options) {
        List<String> args = new ArrayList<>(List.of("inspect", "eval"));
        args.addAll(List.of(options));
        args.addAll(List.of("--run-summary", runSummary.toString(), "--scores", scores.toString()));
        CliRun run = CliRun.run(args.toArray(new String[0]));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return Json.parse(run.out(), "stdout");
    }

    private Path taskMap(String yaml) throws IOException {
        Path file = Files.createTempFile(work, "tasks", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Path copy(Path from, Path to, String... names) throws IOException {
        Files.createDirectories(to);
        for (String name : names) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
        return to;
    }
}
