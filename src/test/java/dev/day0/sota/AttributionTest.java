package dev.day0.sota;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AttributionTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private JobState state(String state, boolean jobDone, String outcome) {
        return JobState.read(SotaFiles.write(temp.getRoot().toPath(), "state.json",
                SotaFiles.state(state, jobDone, outcome)));
    }

    @Test
    public void shouldNameInfrastructureOnlyOnEvidence() {
        assertThat(Attribution.forJob(state(null, false, "INFRA_TRANSIENT")).failureClass())
                .isEqualTo(SotaFailureClass.INFRASTRUCTURE);
        assertThat(Attribution.forMetricsProblem(MetricsDocument.ProblemKind.MISSING, state("DONE", true, "DONE"))
                .failureClass()).isEqualTo(SotaFailureClass.INFRASTRUCTURE);
        assertThat(Attribution.forMetricsProblem(MetricsDocument.ProblemKind.MISSING, null).failureClass())
                .isEqualTo(SotaFailureClass.BUG);
    }

    @Test
    public void shouldCallContentProblemsBugs() {
        for (MetricsDocument.ProblemKind kind : new MetricsDocument.ProblemKind[] {
            MetricsDocument.ProblemKind.UNREADABLE, MetricsDocument.ProblemKind.METRIC_MISSING,
            MetricsDocument.ProblemKind.NOT_A_NUMBER, MetricsDocument.ProblemKind.NON_FINITE,
            MetricsDocument.ProblemKind.SCALE_MISMATCH}) {
            assertThat(Attribution.forMetricsProblem(kind, state("DONE", true, "DONE")).failureClass()).as(kind.name())
                    .isEqualTo(SotaFailureClass.BUG);
        }
    }

    @Test
    public void shouldSuggestNothingWhenTheJobSaysNothingAboutWhy() {
        assertThat(Attribution.forJob(state("CANCELLED", false, "CANCELLED")).failureClass()).isNull();
        assertThat(Attribution.forJob(state("RUNNING", false, null)).failureClass()).isNull();
        assertThat(Attribution.forJob(state(null, false, "NEEDS_HUMAN")).failureClass()).isNull();
        assertThat(Attribution.forJob(state("FAILED", false, "FAILED")).failureClass()).isEqualTo(SotaFailureClass.BUG);
    }
}
