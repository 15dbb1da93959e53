package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

public class SlurmParsersTest {

    static String recorded(String name) {
        try (InputStream in = SlurmParsersTest.class.getResourceAsStream("/slurm/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no recorded output /slurm/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JobInfo onlyJob(List<JobInfo> jobs) {
        assertThat(jobs).hasSize(1);
        return jobs.get(0);
    }

    @Test
    public void shouldReadTheJobIdThatSbatchParsablePrints() {
        assertThat(SlurmParsers.sbatchJobId(recorded("sbatch-parsable.txt"))).hasValue(
                recorded("sbatch-parsable.txt").strip());
        assertThat(SlurmParsers.sbatchJobId("4211;gpu-cluster\n")).hasValue("4211");
        assertThat(SlurmParsers.sbatchJobId("sbatch: warning: no partition given\n77\n")).hasValue("77");
    }

    @Test
    public void shouldFindNoJobIdInAnErrorMessage() {
        assertThat(SlurmParsers.sbatchJobId("sbatch: error: Batch job submission failed: Invalid account")).isEmpty();
        assertThat(SlurmParsers.sbatchJobId("")).isEmpty();
    }

    @Test
    public void shouldReadARunningJobFromScontrol() {
        JobInfo job = onlyJob(SlurmParsers.scontrolJobs(recorded("scontrol-running.txt")));

        assertThat(job.name()).isEqualTo("record-cancelled");
        assertThat(job.jobState()).isEqualTo(SlurmJobState.RUNNING);
        assertThat(job.finished()).isFalse();
        assertThat(job.reason()).isNull();
        assertThat(job.stdoutPath()).endsWith("/record-cancelled.out");
    }

    @Test
    public void shouldReadStateAndExitCodeOfFinishedJobsFromScontrol() {
        JobInfo completed = onlyJob(SlurmParsers.scontrolJobs(recorded("scontrol-completed.txt")));
        JobInfo failed = onlyJob(SlurmParsers.scontrolJobs(recorded("scontrol-failed.txt")));
        JobInfo cancelled = onlyJob(SlurmParsers.scontrolJobs(recorded("scontrol-cancelled.txt")));
        JobInfo timedOut = onlyJob(SlurmParsers.scontrolJobs(recorded("scontrol-timeout.txt")));

        assertThat(completed.jobState()).isEqualTo(SlurmJobState.COMPLETED);
        assertThat(completed.exitCode()).isZero();
        assertThat(failed.jobState()).isEqualTo(SlurmJobState.FAILED);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.reason()).isEqualTo("NonZeroExitCode");
        assertThat(cancelled.jobState()).isEqualTo(SlurmJobState.CANCELLED);
        assertThat(cancelled.signal()).isEqualTo(15);
        assertThat(timedOut.jobState()).isEqualTo(SlurmJobState.TIMEOUT);
        assertThat(timedOut.reason()).isEqualTo("TimeLimit");
    }

    @Test
    public void shouldReadTheMultiLineScontrolFormatLikeTheOneLineFormat() {
        JobInfo oneLine = onlyJob(SlurmParsers.scontrolJobs(recorded("scontrol-completed.txt")));
        JobInfo multiLine = onlyJob(SlurmParsers.scontrolJobs(recorded("scontrol-completed-multiline.txt")));

        assertThat(multiLine).isEqualTo(oneLine);
    }

    @Test
    public void shouldFindNoJobInTheOutputForAnUnknownJobId() {
        assertThat(SlurmParsers.scontrolJobs(recorded("scontrol-unknown.stdout.txt"))).isEmpty();
        assertThat(recorded("scontrol-unknown.stderr.txt")).contains("Invalid job id specified");
    }

    @Test
    public void shouldReadEveryJobThatSqueueListsWithItsState() {
        List<JobInfo> jobs = SlurmParsers.squeueJobs(recorded("squeue-all.txt"));

        assertThat(jobs).extracting(JobInfo::name)
                .contains("record-ok", "record-failed", "record-cancelled", "record-timeout");
        assertThat(jobs).filteredOn(job -> job.name().equals("record-timeout")).singleElement()
                .satisfies(job -> assertThat(job.jobState()).isEqualTo(SlurmJobState.TIMEOUT));
        assertThat(SlurmParsers.squeueJobs(recorded("squeue-running.txt")))
                .filteredOn(job -> job.name().equals("record-cancelled")).singleElement()
                .satisfies(job -> assertThat(job.jobState()).isEqualTo(SlurmJobState.RUNNING));
    }

    @Test
    public void shouldReadSacctStatesWithWhoCancelled() {
        List<JobInfo> jobs = SlurmParsers.sacctJobs(recorded("sacct-accounting.txt"));

        assertThat(jobs).extracting(JobInfo::jobState).containsExactly(SlurmJobState.COMPLETED,
                SlurmJobState.CANCELLED, SlurmJobState.OUT_OF_MEMORY, SlurmJobState.NODE_FAIL,
                SlurmJobState.PREEMPTED, SlurmJobState.BOOT_FAIL, SlurmJobState.FAILED);
        assertThat(jobs.get(1).cancelledBy()).isEqualTo("1000");
        assertThat(jobs.get(6).exitCode()).isEqualTo(2);
    }

    @Test
    public void shouldFindNoJobsInSacctWhenAccountingIsDisabled() {
        assertThat(SlurmParsers.sacctJobs(recorded("sacct-disabled.stdout.txt"))).isEmpty();
        assertThat(recorded("sacct-disabled.stderr.txt")).contains("accounting storage is disabled");
    }

    @Test
    public void shouldReadFinishedJobsFromTheCompletionFile() {
        List<JobInfo> jobs = SlurmParsers.jobcompJobs(recorded("jobcomp.txt"));

        assertThat(jobs).extracting(JobInfo::name)
                .containsExactlyInAnyOrder("record-ok", "record-failed", "record-cancelled", "record-timeout");
        assertThat(jobs).filteredOn(job -> job.name().equals("record-failed")).singleElement()
                .satisfies(job -> assertThat(job.exitCode()).isEqualTo(3));
        assertThat(jobs).filteredOn(job -> job.name().equals("record-timeout")).singleElement()
                .satisfies(job -> assertThat(job.jobState()).isEqualTo(SlurmJobState.TIMEOUT));
    }

    @Test
    public void shouldReadTheCompletionFileLocationFromTheConfig() {
        String config = recorded("scontrol-config.txt");

        assertThat(SlurmParsers.configValue(config, "JobCompType")).hasValue("jobcomp/filetxt");
        assertThat(SlurmParsers.configValue(config, "JobCompLoc")).hasValue("/var/log/slurm/jobcomp.txt");
        assertThat(SlurmParsers.configValue(config, "NoSuchKey")).isEmpty();
    }

    @Test
    public void shouldKeepValuesThatContainEqualsSignsWhole() {
        assertThat(SlurmParsers.fields(recorded("scontrol-completed.txt")).get("TRES"))
                .isEqualTo("cpu=1,node=1,billing=1");
    }

    @Test
    public void shouldTreatAnUnknownStateNameAsFinishedAndUnrecognised() {
        assertThat(SlurmJobState.parse("WEIRD_NEW_STATE")).isEqualTo(SlurmJobState.UNRECOGNISED);
        assertThat(SlurmJobState.parse("WEIRD_NEW_STATE").terminal()).isTrue();
        assertThat(SlurmJobState.parse("CANCELLED by 0")).isEqualTo(SlurmJobState.CANCELLED);
        assertThat(SlurmJobState.parse("COMPLETING")).isEqualTo(SlurmJobState.COMPLETING);
    }
}
