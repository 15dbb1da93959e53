package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.core.Direction;
import dev.day0.io.InputException;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class DeltaReviewTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static final List<DeltaReview.MetricSpec> SPECS = List.of(
            new DeltaReview.MetricSpec("acc", Direction.HIGHER, null, new Tolerance(0.5, 0, "metric")),
            new DeltaReview.MetricSpec("loss", Direction.LOWER, null, new Tolerance(0, 0.1, "metric")));

    private MetricsDocument doc(String name, String json) {
        return MetricsDocument.load(SotaFiles.write(temp.getRoot().toPath(), name, json));
    }

    private Judgment<DeltaReview.Outcome> review(String delta) {
        return review(delta, null);
    }

    private Judgment<DeltaReview.Outcome> review(String delta, JobState state) {
        return DeltaReview.review(SPECS, doc("base/metrics.json", "{\"acc\": 90.0, \"loss\": 0.50}"),
                doc("delta/metrics.json", delta), state, "a change");
    }

    private JobState state(String state, boolean jobDone, String outcome) {
        return JobState.read(SotaFiles.write(temp.getRoot().toPath(), "state.json",
                SotaFiles.state(state, jobDone, outcome)));
    }

    @Test
    public void shouldCallAnImprovementWithoutRegressionImproved() {
        Judgment<DeltaReview.Outcome> result = review("{\"acc\": 91.0, \"loss\": 0.49}");

        assertThat(result.verdict()).isEqualTo(DeltaReview.Outcome.IMPROVED);
        assertThat(result.failureClass()).isNull();
        assertThat(result.json().path("per_metric").get(0).path("status").asText()).isEqualTo("improved");
        assertThat(result.json().path("per_metric").get(1).path("status").asText()).isEqualTo("no_change");
        assertThat(result.json().path("delta_description").asText()).isEqualTo("a change");
    }

    @Test
    public void shouldUseTheDirectionForLowerIsBetterMetrics() {
        Judgment<DeltaReview.Outcome> result = review("{\"acc\": 90.0, \"loss\": 0.40}");

        assertThat(result.json().path("per_metric").get(1).path("status").asText()).isEqualTo("improved");
        assertThat(result.json().path("per_metric").get(1).path("improvement").decimalValue())
                .isEqualByComparingTo("0.1");
        assertThat(result.json().path("per_metric").get(1).path("change").decimalValue())
                .isEqualByComparingTo("-0.1");
    }

    @Test
    public void shouldTreatMovesInsideTheBandAsNoChange() {
        Judgment<DeltaReview.Outcome> result = review("{\"acc\": 90.4, \"loss\": 0.54}");

        assertThat(result.verdict()).isEqualTo(DeltaReview.Outcome.NO_CHANGE);
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.BAD_HYPOTHESIS);
        assertThat(result.json().path("per_metric").get(0).path("no_change_band").decimalValue())
                .isEqualByComparingTo("0.5");
    }

    @Test
    public void shouldCallEverythingRegressedABadHypothesis() {
        Judgment<DeltaReview.Outcome> result = review("{\"acc\": 80.0, \"loss\": 0.9}");

        assertThat(result.verdict()).isEqualTo(DeltaReview.Outcome.REGRESSED);
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.BAD_HYPOTHESIS);
        assertThat(result.json().path("triage_class").isNull()).isTrue();
    }

    @Test
    public void shouldCallAPartialRegressionABadHyperparam() {
        Judgment<DeltaReview.Outcome> result = review("{\"acc\": 80.0, \"loss\": 0.5}");

        assertThat(result.verdict()).isEqualTo(DeltaReview.Outcome.REGRESSED);
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.BAD_HYPERPARAM);
    }

    @Test
    public void shouldCallATradeOffMixedAndABadHyperparam() {
        Judgment<DeltaReview.Outcome> result = review("{\"acc\": 92.0, \"loss\": 0.7}");

        assertThat(result.verdict()).isEqualTo(DeltaReview.Outcome.MIXED);
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.BAD_HYPERPARAM);
    }

    @Test
    public void shouldSuspectABugWhenEveryMetricIsIdenticalToTheBaseline() {
        Judgment<DeltaReview.Outcome> result = review("{\"acc\": 90.0, \"loss\": 0.50}");

        assertThat(result.verdict()).isEqualTo(DeltaReview.Outcome.NO_CHANGE);
        assertThat(result.failureClass()).isEqualTo(SotaFailureClass.BUG);
        assertThat(result.json().path("failure_class_reason").asText()).contains("probably not applied");
    }

    @Test
    public void shouldSuggestBugForNonFiniteOrMissingDeltaMetrics() {
        assertThat(review("{\"acc\": NaN, \"loss\": 0.5}").failureClass()).isEqualTo(SotaFailureClass.BUG);
        assertThat(review("{\"acc\": 91}").verdict()).isEqualTo(DeltaReview.Outcome.COULD_NOT_JUDGE);
        assertThat(review("not json").failureClass()).isEqualTo(SotaFailureClass.BUG);
    }

    @Test
    public void shouldSuggestInfrastructureWhenTheEvidenceShowsIt() {
        Judgment<DeltaReview.Outcome> infra = review("{\"acc\": 10, \"loss\": 5}", state(null, false, "INFRA_TRANSIENT"));
        assertThat(infra.verdict()).isEqualTo(DeltaReview.Outcome.COULD_NOT_JUDGE);
        assertThat(infra.failureClass()).isEqualTo(SotaFailureClass.INFRASTRUCTURE);
        assertThat(infra.json().path("counts").path("regressed").asInt()).isZero();

        Judgment<DeltaReview.Outcome> lost = DeltaReview.review(SPECS, doc("base/metrics.json", "{\"acc\": 90, \"loss\": 0.5}"),
                MetricsDocument.load(temp.getRoot().toPath().resolve("delta/none.json")), state("DONE", true, "DONE"),
                "x");
        assertThat(lost.failureClass()).isEqualTo(SotaFailureClass.INFRASTRUCTURE);
    }

    @Test
    public void shouldSuggestBugForAFailedDeltaJob() {
        assertThat(review("{\"acc\": 91, \"loss\": 0.4}", state("FAILED", false, "FAILED")).failureClass())
                .isEqualTo(SotaFailureClass.BUG);
    }

    @Test
    public void shouldRefuseABaselineThatCannotBeUsed() {
        assertThatThrownBy(() -> DeltaReview.review(SPECS, doc("b1/metrics.json", "{\"acc\": 90}"),
                doc("d/metrics.json", "{\"acc\": 91, \"loss\": 0.4}"), null, "x"))
                .isInstanceOf(InputException.class).hasMessageContaining("--baseline")
                .hasMessageContaining("loss: is not there");
        assertThatThrownBy(() -> DeltaReview.review(SPECS, doc("b2/metrics.json", "{\"acc\": NaN, \"loss\": 1}"),
                doc("d/metrics.json", "{\"acc\": 91, \"loss\": 0.4}"), null, "x"))
                .hasMessageContaining("not a finite number");
        assertThatThrownBy(() -> DeltaReview.review(SPECS, doc("b3/metrics.json", ""),
                doc("d/metrics.json", "{\"acc\": 91, \"loss\": 0.4}"), null, "x"))
                .hasMessageContaining("--baseline").hasMessageContaining("is empty");
    }
}
