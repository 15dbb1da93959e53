package dev.day0.slurm;

import static dev.day0.slurm.SlurmParsersTest.recorded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import dev.day0.triage.TriageTable;
import java.util.List;
import org.junit.Test;

public class JobOutcomeTest {

    private static JobOutcome scontrol(String file) {
        return JobOutcome.of(SlurmParsers.scontrolJobs(recorded(file)).get(0));
    }

    private static JobOutcome sacct(int index) {
        List<JobInfo> jobs = SlurmParsers.sacctJobs(recorded("sacct-accounting.txt"));
        return JobOutcome.of(jobs.get(index));
    }

    @Test
    public void shouldMarkACompletedJobWithExitZeroDone() {
        JobOutcome outcome = scontrol("scontrol-completed.txt");

        assertThat(outcome.done()).isTrue();
        assertThat(outcome.failureClass()).isNull();
    }

    @Test
    public void shouldLeaveTheClassOfAFailedJobToItsLog() {
        JobOutcome outcome = scontrol("scontrol-failed.txt");

        assertThat(outcome.kind()).isEqualTo(JobOutcome.Kind.STAGE_FAILED);
        assertThat(outcome.failureClass()).isNull();
        assertThat(outcome.detail()).contains("FAILED").contains("exit code 3");
    }

    @Test
    public void shouldRetryATimedOutJobAsInfraTransient() {
        JobOutcome outcome = scontrol("scontrol-timeout.txt");

        assertThat(outcome.failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(TriageTable.after(outcome.failureClass(), 1).retry()).isTrue();
        assertThat(TriageTable.after(outcome.failureClass(), 2).retry()).isFalse();
    }

    @Test
    public void shouldTreatNodeFailurePreemptionAndBootFailureAsInfraTransient() {
        assertThat(List.of(sacct(3), sacct(4), sacct(5))).extracting(JobOutcome::failureClass)
                .containsOnly(FailureClass.INFRA_TRANSIENT);
    }

    @Test
    public void shouldReportOutOfMemoryAsAUserConfigErrorWithAMessage() {
        JobOutcome outcome = sacct(2);

        assertThat(outcome.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(outcome.detail()).contains("out of memory").contains("--mem");
    }

    @Test
    public void shouldAskAPersonAfterACancellationNamingWhoCancelled() {
        JobOutcome bySacct = sacct(1);
        JobOutcome byScontrol = scontrol("scontrol-cancelled.txt");

        assertThat(bySacct.kind()).isEqualTo(JobOutcome.Kind.CANCELLED);
        assertThat(bySacct.detail()).contains("cancelled by 1000");
        assertThat(byScontrol.detail()).contains("Slurm does not say by whom");
        assertThat(TriageTable.after(bySacct.failureClass(), 1).decision()).isEqualTo(Decision.NEEDS_HUMAN);
    }

    @Test
    public void shouldFailAFailedJobWhateverItsExitCodeSays() {
        JobOutcome outcome = sacct(6);

        assertThat(outcome.kind()).isEqualTo(JobOutcome.Kind.STAGE_FAILED);
        assertThat(outcome.detail()).contains("exit code 2");
    }

    @Test
    public void shouldStopForAPersonOnAStateDayZeroDoesNotKnow() {
        JobOutcome outcome = JobOutcome.of(new JobInfo("9", "x", "SOMETHING_NEW", null, null, null, null, null,
                JobInfo.Source.SQUEUE));

        assertThat(outcome.kind()).isEqualTo(JobOutcome.Kind.UNEXPLAINED);
        assertThat(TriageTable.after(outcome.failureClass(), 1).decision()).isEqualTo(Decision.NEEDS_HUMAN);
        assertThat(outcome.detail()).contains("SOMETHING_NEW");
    }
}
