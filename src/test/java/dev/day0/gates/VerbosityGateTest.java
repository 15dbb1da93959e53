package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.core.FailureClass;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Cases built from gate_verbosity.py's documented rules (module docstring, SKILL.md Step 5b); each asserts what
 * the upstream script prints for the same tree.
 */
public class VerbosityGateTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path baseline;
    private Path candidate;

    @Before
    public void roots() throws Exception {
        baseline = temp.newFolder("baseline").toPath();
        candidate = temp.newFolder("candidate").toPath();
    }

    private static void metrics(Path root, String relativeTaskDir, String statsJson) throws Exception {
        Path dir = root.resolve(relativeTaskDir).resolve("artifacts");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("eval_factory_metrics.json"), "{\"response_stats\": " + statsJson
                + ", \"reasoning\": {\"avg_reasoning_tokens\": 0}}");
    }

    private static void run(Path root, String relativeTaskDir, double tokens, long count) throws Exception {
        metrics(root, relativeTaskDir, "{\"avg_completion_tokens\": " + tokens + ", \"successful_count\": " + count
                + "}");
    }

    private JsonNode judge() {
        return judge(VerbosityGate.DEFAULT_EXCLUDE);
    }

    private JsonNode judge(String exclude) {
        return new VerbosityGate(0.05).evaluate(baseline, candidate, "eval_*", exclude).toJson();
    }

    @Test
    public void shouldPassWhenTheMeanLengthStaysWithinFivePercent() throws Exception {
        run(baseline, "eval_1/simple_evals.gpqa", 4000, 198);
        run(candidate, "eval_1/simple_evals.gpqa", 4150, 198);

        JsonNode json = judge();

        assertThat(json.path("pass").asBoolean()).isTrue();
        assertThat(json.path("failure_class").isNull()).isTrue();
        assertThat(json.path("detail").asText()).isEqualTo("all 1 comparable task(s) within threshold 0.05");
        JsonNode task = json.path("per_task").path("simple_evals.gpqa");
        assertThat(task.path("status").asText()).isEqualTo("compared");
        assertThat(task.path("baseline_tokens").asDouble()).isEqualTo(4000.0);
        assertThat(task.path("candidate_tokens").asDouble()).isEqualTo(4150.0);
        assertThat(task.path("delta").decimalValue()).isEqualByComparingTo("0.0375");
        assertThat(task.path("within_threshold").asBoolean()).isTrue();
        assertThat(task.path("sample_counts").toString()).isEqualTo("[198]");
        assertThat(task.path("runs").toString()).isEqualTo("[1,1]");
        assertThat(json.path("max_abs_delta").decimalValue()).isEqualByComparingTo("0.0375");
        assertThat(json.path("not_comparable").size()).isZero();
    }

    @Test
    public void shouldFailBothWaysBecauseShorterOutputIsAChangeToo() throws Exception {
        run(baseline, "eval_1/lm-eval.longer", 2000, 100);
        run(candidate, "eval_1/lm-eval.longer", 2200, 100);
        run(baseline, "eval_1/lm-eval.shorter", 2000, 100);
        run(candidate, "eval_1/lm-eval.shorter", 1800, 100);

        JsonNode json = judge();

        assertThat(json.path("pass").asBoolean()).isFalse();
        assertThat(json.path("failure_class").asText()).isEqualTo("VERBOSITY_EXCEEDED");
        assertThat(json.path("detail").asText())
                .isEqualTo("tasks exceeding threshold (0.05): ['lm-eval.longer', 'lm-eval.shorter']");
        assertThat(json.path("per_task").path("lm-eval.shorter").path("delta").decimalValue())
                .isEqualByComparingTo("-0.1");
        assertThat(json.path("max_abs_delta").decimalValue()).isEqualByComparingTo("0.1");
    }

    @Test
    public void shouldKeepRunsWithinOnePercentOfTheLargestCountBothSidesReach() throws Exception {
        run(baseline, "eval_1/simple_evals.aime", 8000, 294);
        run(baseline, "eval_2/simple_evals.aime", 8200, 294);
        run(baseline, "eval_3/simple_evals.aime", 3000, 150);
        run(candidate, "eval_1/simple_evals.aime", 8100, 293);

        JsonNode task = judge().path("per_task").path("simple_evals.aime");

        assertThat(task.path("status").asText()).isEqualTo("compared");
        assertThat(task.path("sample_counts").toString()).isEqualTo("[293,294]");
        assertThat(task.path("baseline_tokens").asDouble()).isEqualTo(8100.0);
        assertThat(task.path("runs").toString()).isEqualTo("[2,1]");
        assertThat(task.path("dropped_mismatched_runs").asInt()).isEqualTo(1);
        assertThat(task.has("truncated_comparison")).isFalse();
    }

    @Test
    public void shouldSayWhenTheMatchedCountIsBelowARunOneSideHas() throws Exception {
        run(baseline, "eval_1/simple_evals.mmlu", 3000, 500);
        run(baseline, "eval_2/simple_evals.mmlu", 3000, 200);
        run(candidate, "eval_1/simple_evals.mmlu", 3050, 200);

        JsonNode task = judge().path("per_task").path("simple_evals.mmlu");

        assertThat(task.path("truncated_comparison").asText())
                .isEqualTo("compared at n=200; a run at n=500 exists but not on both sides");
    }

    @Test
    public void shouldReportATaskWithNoCommonCountAsNotComparableAndFailWhenNothingWasCompared() throws Exception {
        run(baseline, "eval_1/simple_evals.math", 3000, 500);
        run(candidate, "eval_1/simple_evals.math", 3000, 100);

        JsonNode json = judge();

        assertThat(json.path("per_task").path("simple_evals.math").path("reason").asText())
                .isEqualTo("no runs within 1% of a common sample count (baseline n=[500], candidate n=[100])");
        assertThat(json.path("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(json.path("detail").asText()).isEqualTo("no task had comparable runs on both sides");
        assertThat(json.path("not_comparable").toString()).isEqualTo("[\"simple_evals.math\"]");
        assertThat(json.path("max_abs_delta").isNull()).isTrue();
    }

    @Test
    public void shouldPassButNameEveryTaskThatWasNotMeasured() throws Exception {
        run(baseline, "eval_1/simple_evals.gpqa", 4000, 198);
        run(candidate, "eval_1/simple_evals.gpqa", 4000, 198);
        run(baseline, "eval_1/simple_evals.hle", 4000, 198);

        JsonNode json = judge();

        assertThat(json.path("pass").asBoolean()).isTrue();
        assertThat(json.path("per_task").path("simple_evals.hle").path("reason").asText())
                .isEqualTo("present on one side only");
        assertThat(json.path("detail").asText()).isEqualTo(
                "all 1 comparable task(s) within threshold 0.05; 1 task(s) NOT MEASURED: ['simple_evals.hle']");
    }

    @Test
    public void shouldWarnOnShortOutputsWithoutFailingThem() throws Exception {
        run(baseline, "eval_1/lm-eval.gsm8k", 240, 1319);
        run(candidate, "eval_1/lm-eval.gsm8k", 245, 1319);

        JsonNode task = judge().path("per_task").path("lm-eval.gsm8k");

        assertThat(task.path("short_output_warning").asText())
                .isEqualTo("mean under 1000 tokens; ratio unstable, read absolute counts");
        assertThat(task.path("within_threshold").asBoolean()).isTrue();
    }

    @Test
    public void shouldKeepTheHarnessPrefixAndStripOnlyANumericRunIndex() throws Exception {
        run(baseline, "eval_1/simple_evals.gpqa.0", 4000, 198);
        run(baseline, "eval_1/simple_evals.gpqa.1", 4200, 198);
        run(baseline, "eval_1/lm-eval.gpqa", 1000, 198);
        run(candidate, "eval_1/simple_evals.gpqa.0", 4100, 198);
        run(candidate, "eval_1/lm-eval.gpqa", 1000, 198);

        JsonNode perTask = judge().path("per_task");

        assertThat(perTask.has("simple_evals.gpqa")).isTrue();
        assertThat(perTask.has("lm-eval.gpqa")).isTrue();
        assertThat(perTask.path("simple_evals.gpqa").path("runs").toString()).isEqualTo("[2,1]");
        assertThat(VerbosityGate.taskKey("harness.task.v2")).isEqualTo("harness.task.v2");
    }

    @Test
    public void shouldHarvestAtAnyDepthUnderTheRunDir() throws Exception {
        run(baseline, "eval_1/simple_evals.gpqa", 4000, 198);
        run(candidate, "eval_1/invocation-7f3a/simple_evals.gpqa", 4000, 198);
        run(candidate, "other/simple_evals.gpqa", 9000, 198);

        JsonNode json = judge();

        assertThat(json.path("pass").asBoolean()).isTrue();
        assertThat(json.path("per_task").path("simple_evals.gpqa").path("candidate_tokens").asDouble())
                .isEqualTo(4000.0);
    }

    @Test
    public void shouldReportExcludedRunDirsAndTheTasksTheyDropped() throws Exception {
        run(baseline, "eval_1/simple_evals.gpqa", 4000, 198);
        run(candidate, "eval_1/simple_evals.gpqa", 4000, 198);
        run(baseline, "eval_1_high/simple_evals.aime", 9000, 30);
        run(candidate, "eval_1_high/simple_evals.aime", 9000, 30);

        JsonNode json = judge();

        assertThat(json.path("harvest_diagnostics").path("baseline").path("excluded_run_dirs").toString())
                .isEqualTo("[\"eval_1_high\"]");
        assertThat(json.path("detail").asText())
                .contains("1 task(s) DROPPED BEFORE COMPARISON: ['simple_evals.aime']");
        assertThat(judge("").path("per_task").has("simple_evals.aime")).isTrue();
    }

    @Test
    public void shouldReportRunsWithoutTokenCountsInsteadOfDroppingThemSilently() throws Exception {
        run(baseline, "eval_1/simple_evals.gpqa", 4000, 198);
        run(candidate, "eval_1/simple_evals.gpqa", 4000, 198);
        metrics(baseline, "eval_1/simple_evals.hle", "{\"successful_count\": 0}");
        metrics(candidate, "eval_1/simple_evals.hle", "{\"avg_completion_tokens\": null, \"successful_count\": 0}");

        JsonNode json = judge();

        assertThat(json.path("harvest_diagnostics").path("baseline").path("metrics_without_tokens").toString())
                .isEqualTo("[\"simple_evals.hle: avg_completion_tokens=None successful_count=0\"]");
        assertThat(json.path("detail").asText()).contains("DROPPED BEFORE COMPARISON: ['simple_evals.hle']");
    }

    @Test
    public void shouldCallAnEmptyHarvestABadInvocationAndNameThePatternThatMissed() throws Exception {
        run(baseline, "run_1/simple_evals.gpqa", 4000, 198);
        run(candidate, "run_1/simple_evals.gpqa", 4000, 198);

        GateResult result = new VerbosityGate(0.05).evaluate(baseline, candidate, "eval_*", "_high");
        JsonNode json = result.toJson();

        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(json.path("detail").asText()).isEqualTo("no metrics harvested (baseline=0, candidate=0)");
        assertThat(json.path("harvest_diagnostics").path("baseline").path("no_files_matched").asText())
                .isEqualTo(baseline.resolve("eval_*/**/artifacts/eval_factory_metrics.json").toString());
    }

    @Test
    public void shouldFailClosedOnANonFiniteOrNonPositiveTokenCount() throws Exception {
        run(candidate, "eval_1/simple_evals.gpqa", 4000, 198);
        for (String bad : new String[] {"NaN", "-12.5", "0", "Infinity"}) {
            metrics(baseline, "eval_1/simple_evals.gpqa", "{\"avg_completion_tokens\": " + bad
                    + ", \"successful_count\": 198}");

            assertThatThrownBy(this::judge).as(bad).isInstanceOf(InputException.class)
                    .hasMessageContaining("eval_factory_metrics.json: response_stats.avg_completion_tokens: "
                            + "must be a finite positive number");
        }
    }

    @Test
    public void shouldFailClosedOnAFractionalSampleCountAndOnUnreadableMetrics() throws Exception {
        run(candidate, "eval_1/simple_evals.gpqa", 4000, 198);
        metrics(baseline, "eval_1/simple_evals.gpqa", "{\"avg_completion_tokens\": 4000, \"successful_count\": 1.5}");

        assertThatThrownBy(this::judge).hasMessageContaining("response_stats.successful_count: must be a positive "
                + "whole number, got 1.5");

        Files.writeString(baseline.resolve("eval_1/simple_evals.gpqa/artifacts/eval_factory_metrics.json"), "{");
        assertThatThrownBy(this::judge).isInstanceOf(InputException.class)
                .hasMessageContaining("eval_factory_metrics.json");
    }

    @Test
    public void shouldAcceptADeltaExactlyAtTheThreshold() {
        GateResult result = new VerbosityGate(0.25).evaluate(
                java.util.Map.of("t", java.util.List.of(new VerbosityGate.Run(4000, 10))),
                java.util.Map.of("t", java.util.List.of(new VerbosityGate.Run(5000, 10))), java.util.List.of());

        assertThat(result.pass()).isTrue();
    }
}
