package dev.day0.evidence.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.noise.SampleFiles;
import dev.day0.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * NeMo Evaluator's evaluation bundles ({@code eval-*.json} with {@code results.jsonl}, docs/result-format of
 * NVIDIA-NeMo/Evaluator): read by {@code day0 inspect eval}, and paired on {@code problem_idx} by
 * {@code day0 gate compare --noise paired}.
 */
public class NelBundleTest {
    static final Path FORMAT = Path.of("src/test/resources/reference/real/nel/result-format");

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

    private CliRun inspect(Path results, String... extra) {
        List<String> args = new ArrayList<>(List.of("inspect", "eval", "--results", results.toString(),
                "--run-summary", runSummary.toString(), "--scores", scores.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(new String[0]));
    }

    private static String bundle(String name, double meanReward, long samples) {
        return String.format(Locale.ROOT, "{\"run_id\": \"eval-%s\", \"config\": {\"benchmark\": \"%s\", "
                + "\"model\": \"m\", \"temperature\": 0.0}, \"benchmark\": {\"name\": \"%s\", \"samples\": %d, "
                + "\"scores\": {\"mean_reward\": {\"value\": %.3f}}}}", name, name, name, samples, meanReward);
    }

    @Test
    public void shouldReadTheDocumentedRecordsWithABundleOfTheirMeanReward() throws IOException {
        Path dir = Files.createDirectories(work.resolve("results/mmlu_pro"));
        Files.copy(FORMAT.resolve("results.jsonl"), dir.resolve("results.jsonl"));
        // The documented records: problem 0 scores 2 of 3 repeats, problem 1 scores 1 of 3.
        Files.writeString(dir.resolve("eval-mmlu_pro.json"), bundle("mmlu_pro", 0.5, 2));
        Path map = work.resolve("tasks.yaml");
        Files.writeString(map, "tasks:\n  mmlu_pro:\n    expected_samples: 2\n");

        CliRun run = inspect(work.resolve("results"), "--tasks", map.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode task = Json.read(runSummary).at("/tasks/mmlu_pro");
        assertThat(task.get("score").asDouble()).isEqualTo(50.0);
        assertThat(task.get("scored_samples").asLong()).isEqualTo(2);
        assertThat(task.get("errors")).isEmpty();
        JsonNode report = Json.parse(run.out(), "report");
        assertThat(report.at("/tasks/mmlu_pro/scored_from").asText())
                .isEqualTo("distinct problem_idx with a finite reward in results.jsonl");
        assertThat(report.at("/tasks/mmlu_pro/sample_lines").asLong()).isEqualTo(6);
        assertThat(Json.read(runSummary).at("/config/config.temperature").asDouble()).isZero();
        assertThat(CliRun.run("gate", "run", "--run", runSummary.toString()).exitCode()).isZero();
    }

    @Test
    public void shouldReadTheDocumentedBundleAndRefuseRecordsOfAnotherRun() throws IOException {
        Path dir = Files.createDirectories(work.resolve("results"));
        Files.copy(FORMAT.resolve("bundle/eval-mmlu_pro.json"), dir.resolve("eval-mmlu_pro.json"));

        CliRun alone = inspect(dir);

        assertThat(alone.exitCode()).as(alone.toString()).isZero();
        JsonNode task = Json.read(runSummary).at("/tasks/mmlu_pro");
        assertThat(task.get("score").asDouble()).isEqualTo(78.2);
        assertThat(task.get("scored_samples").asLong()).isEqualTo(12000);
        assertThat(task.get("expected_samples").asLong()).isEqualTo(12032);
        assertThat(CliRun.run("gate", "run", "--run", runSummary.toString()).out())
                .contains("SAMPLE_ACCOUNTING_FAILED", "scored 12000 of 12032");

        Files.copy(FORMAT.resolve("results.jsonl"), dir.resolve("results.jsonl"));
        inspect(dir);

        assertThat(Json.read(runSummary).at("/tasks/mmlu_pro/errors/0").asText()).isEqualTo("results.jsonl "
                + "averages a reward of 0.5 over 2 problems but eval-mmlu_pro.json reports mean_reward 0.782: the "
                + "bundle and its records are not from the same run");
    }

    @Test
    public void shouldNameTheRecordsForTheirBenchmark() throws IOException {
        Path dir = Files.createDirectories(work.resolve("flat"));
        Files.copy(FORMAT.resolve("results.jsonl"), dir.resolve("results.jsonl"));
        Files.writeString(dir.resolve("eval-gpqa.json"), bundle("gpqa_diamond", 0.5, 2));

        SampleFiles files = SampleFiles.scan(work, "--baseline-samples");

        assertThat(files.forTask("gpqa_diamond")).isEqualTo(dir.resolve("results.jsonl"));
    }

    /** One side's records: {@code rewards[i][r]} is problem i's reward on repeat r. */
    private static void writeRecords(Path dir, String benchmark, double[][] rewards) throws IOException {
        Files.createDirectories(dir);
        StringBuilder lines = new StringBuilder();
        double sum = 0;
        for (int i = 0; i < rewards.length; i++) {
            double problem = 0;
            for (int r = 0; r < rewards[i].length; r++) {
                lines.append(String.format(Locale.ROOT, "{\"problem_idx\": %d, \"reward\": %.1f, \"repeat\": %d}%n",
                        i, rewards[i][r], r));
                problem += rewards[i][r];
            }
            sum += problem / rewards[i].length;
        }
        Files.writeString(dir.resolve("results.jsonl"), lines.toString());
        Files.writeString(dir.resolve("eval-" + benchmark + ".json"), bundle(benchmark, sum / rewards.length,
                rewards.length));
    }

    @Test
    public void shouldPairTwoBundlesOnProblemIdxInAPairedCompare() throws IOException {
        int n = 400;
        double[][] baseline = new double[n][];
        double[][] candidate = new double[n][];
        for (int i = 0; i < n; i++) {
            double b = i % 5 == 0 ? 0.0 : 1.0;
            // The candidate loses 40 problems the baseline solved: a drop of 10 points.
            double c = i % 5 != 0 && i % 8 == 1 ? 0.0 : b;
            baseline[i] = new double[] {b, b};
            candidate[i] = new double[] {c, c};
        }
        writeRecords(work.resolve("baseline/aime25"), "aime25", baseline);
        writeRecords(work.resolve("candidate/aime25"), "aime25", candidate);
        double baselineMean = 0;
        double candidateMean = 0;
        for (int i = 0; i < n; i++) {
            baselineMean += baseline[i][0] / n;
            candidateMean += candidate[i][0] / n;
        }
        Files.writeString(work.resolve("b.json"), String.format(Locale.ROOT, "{\"aime25\": %.6f}", baselineMean));
        Files.writeString(work.resolve("c.json"), String.format(Locale.ROOT, "{\"aime25\": %.6f}", candidateMean));

        CliRun run = CliRun.run("gate", "compare", "--baseline", work.resolve("b.json").toString(), "--candidate",
                work.resolve("c.json").toString(), "--noise", "paired", "--baseline-samples",
                work.resolve("baseline").toString(), "--candidate-samples", work.resolve("candidate").toString());

        JsonNode out = Json.parse(run.out(), "stdout");
        JsonNode row = out.path("per_task").path("aime25");
        assertThat(row.path("method").asText()).as(run.toString()).startsWith("paired");
        assertThat(row.path("n").asLong()).isEqualTo(n);
        assertThat(out.path("decision").asText()).as(run.out()).isEqualTo("REGRESSION");
    }
}
