package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AssessmentTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Claims claims() {
        return Claims.read(SotaFiles.write(temp.getRoot().toPath(), "claims.yaml", SotaFiles.CLAIMS));
    }

    private MetricsDocument metrics(String json) {
        return MetricsDocument.load(SotaFiles.write(temp.getRoot().toPath(), "metrics.json", json));
    }

    private JobState state(String state, boolean jobDone, String outcome) {
        return JobState.read(SotaFiles.write(temp.getRoot().toPath(), "state.json",
                SotaFiles.state(state, jobDone, outcome)));
    }

    private Judgment<Assessment.Verdict> assess(String metricsJson) {
        return Assessment.assess(claims(), metrics(metricsJson), null);
    }

    private static JsonNode row(Judgment<Assessment.Verdict> result, int index) {
        return result.json().path("per_metric").get(index);
    }

    @Test
    public void shouldCallMetricsWithinToleranceReproduced() {
        Judgment<Assessment.Verdict> result = assess("{\"accuracy\": 93.1, \"loss\": 0.27}");

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.REPRODUCED);
        assertThat(result.json().path("pass").asBoolean()).isTrue();
        assertThat(result.failureClass()).isNull();
        assertThat(row(result, 0).path("absolute_gap").decimalValue()).isEqualByComparingTo("0.4");
        assertThat(row(result, 1).path("absolute_gap").decimalValue()).isEqualByComparingTo("0.02");
        assertThat(row(result, 1).path("relative_gap").decimalValue()).isEqualByComparingTo("0.08");
    }

    @Test
    public void shouldTakeTheDirectionIntoAccount() {
        Judgment<Assessment.Verdict> result = assess("{\"accuracy\": 95.0, \"loss\": 0.20}");

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.REPRODUCED);
        assertThat(row(result, 0).path("absolute_gap").decimalValue()).as("better than claimed").isNegative();
        assertThat(row(result, 0).path("exceeds_claim").asBoolean()).isTrue();
        assertThat(row(result, 1).path("difference").decimalValue()).isEqualByComparingTo("-0.05");
        assertThat(row(result, 1).path("absolute_gap").decimalValue()).isEqualByComparingTo("-0.05");
    }

    @Test
    public void shouldCountAValueExactlyOnTheBoundAsReproducedDespiteRounding() {
        assertThat(assess("{\"accuracy\": 93.0, \"loss\": 0.275}").verdict())
                .isEqualTo(Assessment.Verdict.REPRODUCED);
    }

    @Test
    public void shouldCallSomeMetricsShortPartiallyReproduced() {
        Judgment<Assessment.Verdict> result = assess("{\"accuracy\": 92.0, \"loss\": 0.25}");

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.PARTIALLY_REPRODUCED);
        assertThat(row(result, 0).path("status").asText()).isEqualTo("not_reproduced");
        assertThat(result.json().path("detail").asText()).isEqualTo("1 of 2 claimed metrics reproduced within "
                + "tolerance; 1 fell short");
    }

    @Test
    public void shouldCallAllMetricsShortFailedToReproduce() {
        Judgment<Assessment.Verdict> result = assess("{\"accuracy\": 90.0, \"loss\": 0.4}");

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.FAILED_TO_REPRODUCE);
        assertThat(result.failureClass()).as("a mismatch is a finding, not a failure of ours").isNull();
    }

    @Test
    public void shouldNotJudgeMissingEmptyOrUnparseableMetrics() {
        Path none = temp.getRoot().toPath().resolve("none.json");
        Judgment<Assessment.Verdict> missing = Assessment.assess(claims(), MetricsDocument.load(none), null);

        assertThat(missing.verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(missing.failureClass()).isEqualTo(SotaFailureClass.BUG);
        assertThat(assess("").verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(assess("{\"accuracy\": 93.1,").verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(assess("{}").verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
    }

    @Test
    public void shouldNotJudgeIncomparableValuesEvenWhenOthersMatch() {
        assertThat(assess("{\"accuracy\": 93.1}").json().path("detail").asText())
                .contains("1 of 2 claimed metrics cannot be compared").contains("loss: is not there");
        assertThat(assess("{\"accuracy\": NaN, \"loss\": 0.25}").verdict())
                .isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(assess("{\"accuracy\": \"93.1\", \"loss\": 0.25}").verdict())
                .isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
    }

    @Test
    public void shouldNotCallAValueOnAnotherScaleAFailure() {
        Judgment<Assessment.Verdict> result = assess("{\"accuracy\": 0.932, \"loss\": 0.25}");

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(row(result, 0).path("problem").asText()).contains("only as a percentage (x100)");
        assertThat(row(result, 0).path("reproduced").decimalValue()).isEqualByComparingTo("0.932");
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.BUG);
    }

    @Test
    public void shouldReportAnInfrastructureFailureAsSuchWithoutReadingMetrics() {
        Judgment<Assessment.Verdict> result = Assessment.assess(claims(), metrics("{\"accuracy\": 10, \"loss\": 9}"),
                state(null, false, "INFRA_TRANSIENT"));

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.INFRASTRUCTURE);
        assertThat(result.json().path("triage_class").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(row(result, 0).path("reproduced").isNull()).isTrue();
        assertThat(result.json().path("counts").path("not_reproduced").asInt()).isZero();
    }

    @Test
    public void shouldNotJudgeAJobThatEndedWithoutJobDone() {
        Judgment<Assessment.Verdict> result = Assessment.assess(claims(), metrics("{\"accuracy\": 93.5, \"loss\": 0.25}"),
                state("DONE", false, "COULD_NOT_JUDGE"));

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(result.json().path("detail").asText()).contains("without a JOB_DONE line");
    }

    @Test
    public void shouldNeverRelabelAMismatchAsSuccessBecauseTheJobFinished() {
        Judgment<Assessment.Verdict> result = Assessment.assess(claims(), metrics("{\"accuracy\": 80, \"loss\": 0.9}"),
                state("DONE", true, "DONE"));

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.FAILED_TO_REPRODUCE);
        assertThat(result.json().path("pass").asBoolean()).isFalse();
        assertThat(result.json().path("job").path("condition").asText()).isEqualTo("finished");
    }

    @Test
    public void shouldBlameTheTransferWhenAVerifiedFileIsMissingAfterJobDone() {
        Judgment<Assessment.Verdict> result = Assessment.assess(claims(),
                MetricsDocument.load(temp.getRoot().toPath().resolve("lost.json")), state("DONE", true, "DONE"));

        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.INFRASTRUCTURE);
    }

    @Test
    public void shouldSuggestBugForAFailedJob() {
        Judgment<Assessment.Verdict> result = Assessment.assess(claims(), metrics("{\"accuracy\": 93.5, \"loss\": 0.25}"),
                state("FAILED", false, "FAILED"));

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.BUG);
        assertThat(result.json().path("triage_class").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    public void shouldNotJudgeAJobStillRunningOrCancelled() {
        assertThat(Assessment.assess(claims(), metrics("{\"accuracy\": 93.5, \"loss\": 0.25}"),
                state("RUNNING", false, null)).failureClass()).isNull();
        assertThat(Assessment.assess(claims(), metrics("{\"accuracy\": 93.5, \"loss\": 0.25}"),
                state("CANCELLED", false, "CANCELLED")).verdict()).isEqualTo(Assessment.Verdict.COULD_NOT_JUDGE);
    }

    @Test
    public void shouldJudgeARealLmEvalResultThroughAPointer() {
        Claims claims = Claims.read(SotaFiles.write(temp.getRoot().toPath(), "gsm8k.yaml", """
                task: grade-school math
                dataset: {name: gsm8k}
                model: {name: Meta-Llama-3-8B-Instruct AWQ}
                metrics:
                  - name: exact_match
                    value: 0.76
                    direction: higher_is_better
                    pointer: "/results/gsm8k/exact_match,strict-match"
                    tolerance: {absolute: 0.01}
                """));
        MetricsDocument real = MetricsDocument.load(Path.of("src/test/resources/reference/lm_eval/"
                + "llm-compressor__awq-asym-fp8-block__gsm8k__results_2026-02-10T17-13-14.json"));

        Judgment<Assessment.Verdict> result = Assessment.assess(claims, real, null);

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.REPRODUCED);
        assertThat(row(result, 0).path("reproduced").decimalValue()).isEqualByComparingTo("0.752085");
    }

    @Test
    public void shouldJudgeALowerIsBetterPerplexityFromARealFile() {
        Claims claims = Claims.read(SotaFiles.write(temp.getRoot().toPath(), "ppl.yaml", """
                task: language modelling
                dataset: {name: nl2foam}
                model: {name: m}
                metrics:
                  - name: word_perplexity
                    value: 8.5
                    direction: lower_is_better
                    pointer: "/results/nl2foam_perplexity_formatted/word_perplexity,none"
                    tolerance: {relative: 0.02}
                """));
        MetricsDocument real = MetricsDocument.load(Path.of("src/test/resources/reference/lm_eval/"
                + "fork-nl2foam__results_formatted_perplexity_2025-12-17T21-46-45.json"));

        Judgment<Assessment.Verdict> result = Assessment.assess(claims, real, null);

        assertThat(result.verdict()).isEqualTo(Assessment.Verdict.FAILED_TO_REPRODUCE);
        assertThat(row(result, 0).path("absolute_gap").decimalValue()).isEqualByComparingTo("0.412307");
    }
}
