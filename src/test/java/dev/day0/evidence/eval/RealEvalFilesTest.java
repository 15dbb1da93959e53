package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code day0 inspect eval} on real files of the formats users bring (lm-eval 0.3 MMLU, lm-eval 0.4 runs, NeMo
 * Evaluator exports), and on files derived from them the way the harness itself would have written them (a run
 * limited without n-samples, a limit above the dataset size, non-finite samples, model-named results files).
 */
public class RealEvalFilesTest {
    static final Path REAL = Path.of("src/test/resources/reference/real");
    static final Path LM_EVAL = Path.of("src/test/resources/reference/lm_eval");
    static final String GSM8K = "llm-compressor__awq-asym-fp8-block__gsm8k__results_2026-02-10T17-13-14.json";
    static final String NEGOTIATIONTOM = "fork-negotiationtom__Qwen3-8B__results_2026-07-08T16-04-34.json";
    static final String NEGOTIATIONTOM_SAMPLES =
            "fork-negotiationtom__Qwen3-8B__samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl";

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

    private JsonNode inspect(String... args) {
        List<String> all = new ArrayList<>(List.of("inspect", "eval"));
        all.addAll(List.of(args));
        all.addAll(List.of("--run-summary", runSummary.toString(), "--scores", scores.toString()));
        CliRun run = CliRun.run(all.toArray(new String[0]));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return Json.parse(run.out(), "report");
    }

    private JsonNode runGate() {
        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString());
        return Json.parse(gate.out(), "gate");
    }

    private Path taskMap(String yaml) throws IOException {
        Path map = work.resolve("tasks.yaml");
        Files.writeString(map, yaml);
        return map;
    }

    // ---- lm-eval 0.3 ----

    @Test
    public void shouldScoreLmEval03MmluAsTheMeanOfItsSubjectsWhenTheTaskMapSaysSo() throws IOException {
        Path file = REAL.resolve("lm_eval/llama-7B_mmlu_5-shot.json");
        Path map = taskMap("tasks:\n  mmlu:\n    subtasks: hendrycksTest-*\n    aggregate: mean\n    metric: acc\n");

        JsonNode report = inspect("--results", file.toString(), "--tasks", map.toString());

        JsonNode results = Json.read(file).get("results");
        double sum = 0;
        for (Iterator<JsonNode> it = results.elements(); it.hasNext(); ) {
            sum += it.next().get("acc").asDouble();
        }
        JsonNode mmlu = Json.read(runSummary).at("/tasks/mmlu");
        assertThat(results.size()).isEqualTo(57);
        assertThat(mmlu.get("score").asDouble()).isCloseTo(sum / 57 * 100, Offset.offset(1e-9));
        assertThat(mmlu.get("expected_samples").asLong()).isEqualTo(14042);
        assertThat(mmlu.get("scored_samples").asLong()).isEqualTo(14042);
        assertThat(mmlu.get("errors")).isEmpty();
        assertThat(report.at("/tasks/mmlu/notes/0").asText()).startsWith("score: the mean of acc over 57 subtasks");
        assertThat(report.get("not_in_task_map")).isEmpty();
        assertThat(runGate().get("pass").asBoolean()).isTrue();
        JsonNode config = Json.read(runSummary).get("config");
        assertThat(config.get("config.num_fewshot").asInt()).isEqualTo(5);
        assertThat(config.get("config.model_args.pretrained").asText()).isNotBlank();
        assertThat(config.has("config.model_args")).as("model_args is split into one key per argument").isFalse();
        assertThat(config.get("versions.hendrycksTest-philosophy").asInt()).isZero();
        assertThat(Json.read(runSummary).get("config_source").asText()).isEqualTo(file.toString());
    }

    @Test
    public void shouldReadLmEval03SubjectsWithoutATaskMapAndFailTheirUnknownCountsAsAccounting() {
        inspect("--results", REAL.resolve("lm_eval/llama-7B_mmlu_5-shot.json").toString());

        JsonNode philosophy = Json.read(runSummary).at("/tasks/hendrycksTest-philosophy");
        assertThat(philosophy.get("score").asDouble()).isCloseTo(40.192926045016075, Offset.offset(1e-9));
        assertThat(philosophy.get("errors").get(0).asText()).startsWith("sample accounting: ")
                .contains("records no n-samples");
        JsonNode verdict = runGate();
        assertThat(verdict.get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(verdict.get("detail").asText()).doesNotContain("several metrics");
    }

    @Test
    public void shouldNeedTheItemCountsForAWeightedMeanOfLmEval03Subjects() throws IOException {
        Path map = taskMap("tasks:\n  mmlu:\n    subtasks: hendrycksTest-*\n    aggregate: weighted_mean\n");

        inspect("--results", REAL.resolve("lm_eval/llama-7B_mmlu_5-shot.json").toString(), "--tasks", map.toString());

        JsonNode mmlu = Json.read(runSummary).at("/tasks/mmlu");
        assertThat(mmlu.get("score").isNull()).isTrue();
        assertThat(mmlu.get("errors").get(0).asText()).contains("weighted_mean needs the items each subtask scored");
        assertThat(runGate().get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
    }

    // ---- limited runs ----

    /** The real gsm8k run as an early 0.4 harness would have written it with --limit: no n-samples. */
    private Path withoutNSamples(Object limit) throws IOException {
        ObjectNode root = (ObjectNode) Json.read(LM_EVAL.resolve(GSM8K));
        root.remove("n-samples");
        ObjectNode config = (ObjectNode) root.get("config");
        config.set("limit", Json.mapper().valueToTree(limit));
        Path file = work.resolve("results_2026-02-10T17-13-14.json");
        Files.writeString(file, Json.write(root));
        return file;
    }

    @Test
    public void shouldFailALimitedRunWithoutNSamplesAsSampleAccounting() throws IOException {
        Path file = withoutNSamples(100.0);

        inspect("--results", file.toString());

        JsonNode gsm8k = Json.read(runSummary).at("/tasks/gsm8k");
        assertThat(gsm8k.get("scored_samples").isNull()).isTrue();
        assertThat(gsm8k.get("errors").get(0).asText()).isEqualTo("sample accounting: the run was limited "
                + "(config.limit = 100) and results_2026-02-10T17-13-14.json records no n-samples: how many items "
                + "were scored is unknown (at most 100 per task)");
        assertThat(runGate().get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
    }

    @Test
    public void shouldTakeAnUnlimitedRunWithoutNSamplesAsCompleteOnlyWithAKnownCount() throws IOException {
        Path file = withoutNSamples(null);

        JsonNode report = inspect("--results", file.toString());

        JsonNode gsm8k = Json.read(runSummary).at("/tasks/gsm8k");
        assertThat(gsm8k.get("scored_samples").asLong()).isEqualTo(1319);
        assertThat(report.at("/tasks/gsm8k/scored_from").asText()).startsWith("config.limit is null");
        assertThat(runGate().get("pass").asBoolean()).isTrue();
    }

    @Test
    public void shouldNotCallARunLimitedAboveItsDatasetSizeLimited() throws IOException {
        ObjectNode root = (ObjectNode) Json.read(LM_EVAL.resolve(GSM8K));
        ((ObjectNode) root.get("config")).put("limit", 2000.0);
        Path file = work.resolve(GSM8K);
        Files.writeString(file, Json.write(root));

        JsonNode report = inspect("--results", file.toString());

        assertThat(report.at("/tasks/gsm8k/notes").toString()).contains("config.limit = 2000 is not below the "
                + "dataset size").doesNotContain("the run was limited");
        assertThat(runGate().get("pass").asBoolean()).isTrue();
    }

    // ---- samples ----

    @Test
    public void shouldSayTheMetricIsNonFiniteWhenSamplesHoldAnInf() throws IOException {
        Path dir = Files.createDirectories(work.resolve("run"));
        Files.copy(LM_EVAL.resolve(NEGOTIATIONTOM), dir.resolve(NEGOTIATIONTOM));
        List<String> lines = Files.readAllLines(LM_EVAL.resolve(NEGOTIATIONTOM_SAMPLES));
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            broken.add(i < 15 ? lines.get(i).replaceFirst("\"acc\": [0-9.]+", "\"acc\": Infinity") : lines.get(i));
        }
        Files.write(dir.resolve(NEGOTIATIONTOM_SAMPLES), broken);
        Path map = taskMap("tasks:\n  negotiationtom_belief:\n");

        inspect("--results", dir.toString(), "--tasks", map.toString());

        String errors = Json.read(runSummary).at("/tasks/negotiationtom_belief/errors").toString();
        assertThat(errors).contains("15 of 20 items have a non-finite acc,none", "the metric is non-finite")
                .doesNotContain("not from the same run");
    }

    @Test
    public void shouldFindSamplesBesideAResultsFileThatNamesTheModel() throws IOException {
        Path dir = Files.createDirectories(work.resolve("run"));
        Files.copy(LM_EVAL.resolve(NEGOTIATIONTOM), dir.resolve("results_Qwen3-8B_2026-07-08T16-04-34.json"));
        Files.copy(LM_EVAL.resolve(NEGOTIATIONTOM_SAMPLES),
                dir.resolve("samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl"));
        Path map = taskMap("tasks:\n  negotiationtom_belief:\n  negotiationtom_desire:\n");

        JsonNode report = inspect("--results", dir.toString(), "--tasks", map.toString());

        assertThat(report.at("/tasks/negotiationtom_belief/samples_files/0").asText())
                .endsWith("samples_negotiationtom_belief_2026-07-08T16-04-34.jsonl");
        assertThat(report.at("/tasks/negotiationtom_belief/scored_from").asText())
                .isEqualTo("distinct items with a finite acc,none in the samples files");
        JsonNode notFound = Json.read(runSummary).get("samples_not_found");
        assertThat(notFound).hasSize(1);
        assertThat(notFound.get(0).asText()).startsWith("negotiationtom_desire: samples expected but not found")
                .contains("samples_negotiationtom_desire_2026-07-08T16-04-34.jsonl");
    }

    // ---- lower-is-better ----

    @Test
    public void shouldClassAScoreOutsideItsScaleAsATaskMapMatterNotASampleCount() {
        inspect("--results", LM_EVAL.resolve("fork-nl2foam__results_original_2025-12-17T20-24-58.json").toString());

        String error = Json.read(runSummary).at("/tasks/nl2foam_llm_judge_original/errors/0").asText();
        assertThat(error).isEqualTo("task map: score 89.156 is outside the metric's scale [0, 1]; set scale for "
                + "nl2foam_llm_judge_original in the task map (100 for a percentage)");
        CliRun gate = CliRun.run("gate", "run", "--run", runSummary.toString());
        JsonNode result = Json.parse(gate.out(), "gate");
        assertThat(result.get("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
    }

    @Test
    public void shouldExplainAPerplexityOnlyTaskAsATaskMapMatterNotASampleCount() {
        inspect("--results", LM_EVAL.resolve("fork-nl2foam__results_formatted_perplexity_2025-12-17T21-46-45.json")
                .toString());

        String error = Json.read(runSummary).at("/tasks/nl2foam_perplexity_formatted/errors/0").asText();
        assertThat(error).startsWith("task map: nl2foam_perplexity_formatted reports only lower-is-better metrics "
                + "(word_perplexity,none, byte_perplexity,none, bits_per_byte,none; direction: higher_is_better in ")
                .contains("metric: <name>,<filter>").doesNotContain("choose one");
        JsonNode verdict = runGate();
        assertThat(verdict.get("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(verdict.get("detail").asText()).doesNotContain("sample accounting");
    }

    // ---- NeMo Evaluator exports ----

    @Test
    public void shouldReadTheRealLauncherExportAndSayItHasNoItemCounts() {
        Path file = REAL.resolve("nel/processed_results.export.json");

        inspect("--results", file.toString());

        JsonNode tasks = Json.read(runSummary).get("tasks");
        assertThat(tasks.fieldNames()).toIterable().containsExactly("ifeval", "gpqa_diamond", "mbpp");
        assertThat(tasks.at("/ifeval/score").asDouble()).isEqualTo(70.0);
        assertThat(tasks.at("/gpqa_diamond/score").asDouble()).isEqualTo(40.0);
        assertThat(tasks.at("/gpqa_diamond/errors/0").asText()).contains("keeps scores but no item counts",
                "results.yml");
        assertThat(runGate().get("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        JsonNode config = Json.read(runSummary).get("config");
        assertThat(config.get("benchmarks.gpqa_diamond.harness").asText()).isEqualTo("simple_evals");
        assertThat(config.get("benchmarks.ifeval.invocation_id").asText()).isEqualTo("30500ae952e1eeab");
    }

    @Test
    public void shouldPassAnExportWhenTheTaskMapAcceptsItWithoutCounts() throws IOException {
        Path map = taskMap("tasks:\n  gpqa_diamond:\n    accept_without_sample_count: true\n  ifeval:\n"
                + "    accept_without_sample_count: true\n");

        inspect("--results", REAL.resolve("nel/processed_outputs_combined.json").toString(), "--tasks",
                map.toString());

        JsonNode tasks = Json.read(runSummary).get("tasks");
        assertThat(tasks.at("/ifeval/score").asDouble()).isEqualTo(80.0);
        assertThat(tasks.at("/gpqa_diamond/score").asDouble()).isEqualTo(20.0);
        assertThat(runGate().get("pass").asBoolean()).isTrue();
        assertThat(Json.read(runSummary).at("/config/benchmarks.gpqa_diamond.invocation_id").asText())
                .isEqualTo("dde213e0891bb95b");
    }

    @Test
    public void shouldReadTheLauncherConfigBesideTheArtifacts() throws IOException {
        Path artifacts = Files.createDirectories(work.resolve("gpqa_diamond/artifacts"));
        Files.copy(Path.of("src/test/resources/reference/nel/results.example.gpqa_diamond.yaml"),
                artifacts.resolve("results.yml"));
        Files.writeString(work.resolve("gpqa_diamond/config.yml"), "config:\n  type: gpqa_diamond\n  params:\n"
                + "    limit_samples: 10\n    temperature: 0.0\ntarget:\n  api_endpoint:\n"
                + "    model_id: meta/llama-3.1-8b-instruct\n");

        inspect("--results", work.resolve("gpqa_diamond").toString());

        JsonNode summary = Json.read(runSummary);
        assertThat(summary.at("/config/config.params.temperature").asDouble()).isZero();
        assertThat(summary.at("/config/target.api_endpoint.model_id").asText()).isEqualTo("meta/llama-3.1-8b-instruct");
        assertThat(summary.get("config_source").asText()).endsWith("gpqa_diamond/config.yml");
    }
}
