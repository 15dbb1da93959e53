package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.core.FailureClass;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SlurmJobsTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final FakeSlurm slurm = new FakeSlurm();
    private final List<String> output = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final SlurmJobs.Listener listener = new SlurmJobs.Listener() {
        @Override
        public void onOutput(String line) {
            output.add(line);
        }

        @Override
        public void onEvent(String message) {
            events.add(message);
        }
    };

    @After
    public void clearInterrupt() {
        Thread.interrupted();
    }

    private SlurmJobs jobs(SlurmJobs.Sleeper sleeper) {
        return new SlurmJobs(new SlurmClient(List.of(), slurm), Redactor.patternsOnly(), sleeper,
                Duration.ofMillis(1));
    }

    private SlurmJobs jobs() {
        return jobs(duration -> { });
    }

    private SlurmJobSpec spec(List<String> environment) {
        SlurmOptions options = new SlurmOptions(null, "debug", null, null, null, null, null, "5", null, List.of(),
                environment, null);
        return new SlurmJobSpec("quickstart", "ptq", 1, "/runs/1", List.of("sh", "ptq.sh"), options,
                "/shared/out.txt");
    }

    private Path stateFile() {
        return temp.getRoot().toPath().resolve("ptq/slurm-job.json");
    }

    @Test
    public void shouldSubmitOnceAndRecordTheJobIdBeforeFollowingIt() {
        AtomicReference<String> stateAtFirstPoll = new AtomicReference<>();
        slurm.onFirstPoll = id -> stateAtFirstPoll.set(read(stateFile()));

        SlurmJobs.Result result = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(result.outcome().done()).isTrue();
        assertThat(result.submittedNow()).isTrue();
        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(stateAtFirstPoll.get()).contains("\"phase\" : \"submitted\"")
                .contains("\"job_id\" : \"" + result.jobId() + "\"");
        assertThat(read(stateFile())).contains("\"phase\" : \"finished\"", "\"outcome\" : \"DONE\"");
    }

    @Test
    public void shouldReattachToTheRecordedJobInsteadOfSubmittingAgain() {
        slurm.nextStates = List.of("RUNNING", "RUNNING", "RUNNING", "COMPLETED");
        assertThat(crashOnce(jobs(duration -> {
            throw new FakeSlurm.SimulatedCrash();
        }))).isNull();
        assertThat(read(stateFile())).contains("\"phase\" : \"submitted\"");

        SlurmJobs.Result resumed = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(resumed.submittedNow()).isFalse();
        assertThat(resumed.outcome().done()).isTrue();
        assertThat(events).anyMatch(event -> event.startsWith("attached to Slurm job " + resumed.jobId()));
    }

    /** Runs a submission that dies (a simulated crash of the whole process) and reports null. */
    SlurmJobs.Result crashOnce(SlurmJobs jobs) {
        try {
            return jobs.submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);
        } catch (FakeSlurm.SimulatedCrash crash) {
            return null;
        }
    }

    @Test
    public void shouldFindTheJobByNameAfterACrashBetweenSbatchAndTheStateUpdate() {
        slurm.crashAfterSbatch = true;
        assertThat(crashOnce(jobs())).isNull();
        assertThat(read(stateFile())).contains("\"phase\" : \"submitting\"", "\"job_id\" : null");

        SlurmJobs.Result resumed = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(slurm.jobs).hasSize(1);
        assertThat(resumed.jobId()).isEqualTo(slurm.jobs.keySet().iterator().next());
        assertThat(resumed.outcome().done()).isTrue();
    }

    @Test
    public void shouldNotSubmitAgainWhileSlurmCannotSayWhetherTheJobExists() {
        slurm.crashAfterSbatch = true;
        crashOnce(jobs());
        slurm.failingQueries = 100;

        SlurmJobs.Result resumed = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(resumed.outcome().failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(resumed.outcome().detail()).contains("cannot tell whether Slurm already has job");
        assertThat(read(stateFile())).contains("\"phase\" : \"submitting\"");
    }

    @Test
    public void shouldReadAFinishedJobBackWithoutAskingSlurm() {
        SlurmJobs.Result first = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);
        int commandsBefore = slurm.commands.size();

        SlurmJobs.Result again = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(slurm.commands).hasSize(commandsBefore);
        assertThat(again.jobId()).isEqualTo(first.jobId());
        assertThat(again.outcome()).isEqualTo(first.outcome());
        assertThat(again.submittedNow()).isFalse();
    }

    @Test
    public void shouldCancelTheJobWhenTheRunIsAborted() {
        slurm.nextStates = List.of("RUNNING", "RUNNING", "RUNNING", "RUNNING", "COMPLETED");
        SlurmJobs aborting = jobs(duration -> {
            throw new InterruptedException("aborted");
        });

        SlurmJobs.Result result = aborting.submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(slurm.cancelled).containsExactly(result.jobId());
        assertThat(result.outcome().kind()).isEqualTo(JobOutcome.Kind.CANCELLED);
        assertThat(result.outcome().detail()).contains("CANCELLED by day0");
        assertThat(read(stateFile())).contains("\"cancelled_by\" : \"day0 (run aborted)\"",
                "\"phase\" : \"finished\"");
    }

    @Test
    public void shouldWriteTheStateEvenWhenTheRunIsBeingInterrupted() {
        JobStateFile state = JobStateFile.start(spec(List.of()), "0".repeat(64));
        state.submitted("4242");
        Thread.currentThread().interrupt();

        state.write(stateFile(), Redactor.patternsOnly());

        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
        Thread.interrupted();
        assertThat(JobStateFile.readIfExists(stateFile()).jobId()).isEqualTo("4242");
    }

    @Test
    public void shouldStreamTheRedactedOutputOfTheJob() {
        slurm.nextOutput = "loading model\nHF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz123456\nsecret-value-42 done\n";

        jobs().submitOrAttach(spec(List.of("MY_SECRET")), stateFile(), Map.of("MY_SECRET", "secret-value-42"),
                listener);

        assertThat(output).containsExactly("loading model", "HF_TOKEN=[REDACTED]", "[REDACTED] done");
    }

    @Test
    public void shouldContinueTheOutputTailWhereTheRecordedStateLeftItAfterAResume() {
        slurm.nextStates = List.of("RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING", "RUNNING",
                "COMPLETED");
        slurm.nextOutput = "loading shard 1\nloading shard 2\n";
        AtomicReference<FakeSlurm.Job> job = new AtomicReference<>();
        // The first follower sees two lines, then loses contact with Slurm and gives up for now.
        SlurmJobs losingContact = jobs(duration -> {
            if (job.get() == null) {
                job.set(slurm.jobs.values().iterator().next());
                slurm.failingQueries = SlurmJobs.POLL_FAILURES_TOLERATED;
            }
        });
        SlurmJobs.Result first = losingContact.submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);
        assertThat(first.outcome().kind()).isEqualTo(JobOutcome.Kind.INFRA_TRANSIENT);
        assertThat(output).containsExactly("loading shard 1", "loading shard 2");
        assertThat(JobStateFile.readIfExists(stateFile()).outputOffset()).isEqualTo(32);

        job.get().output += "quantizing\nexported\n";
        output.clear();
        SlurmJobs.Result resumed = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(resumed.submittedNow()).isFalse();
        assertThat(resumed.outcome().done()).isTrue();
        assertThat(output).containsExactly("quantizing", "exported");
        assertThat(JobStateFile.readIfExists(stateFile()).outputOffset()).isEqualTo(52);
    }

    @Test
    public void shouldPassNamedVariablesToSbatchAndKeepTheirValuesOutOfTheScript() {
        jobs().submitOrAttach(spec(List.of("MY_SECRET")), stateFile(), Map.of("MY_SECRET", "secret-value-42",
                "OTHER", "not-passed"), listener);

        assertThat(slurm.sbatchEnvironments.get(0)).containsExactly(Map.entry("MY_SECRET", "secret-value-42"));
        assertThat(slurm.scripts.get(0)).contains("#SBATCH --export=MY_SECRET").doesNotContain("secret-value-42");
    }

    @Test
    public void shouldRefuseToSubmitWhenANamedVariableIsNotSet() {
        SlurmJobs.Result result = jobs().submitOrAttach(spec(List.of("HF_TOKEN")), stateFile(), Map.of(),
                listener);

        assertThat(slurm.submissions()).isZero();
        assertThat(result.outcome().failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(result.outcome().detail()).contains("slurm.environment names HF_TOKEN, which is not set");
    }

    @Test
    public void shouldRefuseToSubmitAScriptWithASecretInIt() {
        SlurmJobSpec leaky = new SlurmJobSpec("quickstart", "ptq", 1, "/runs/1",
                List.of("python", "eval.py", "--api-key", "sk-proj-abcdefghijklmnop1234"), SlurmOptions.none(),
                "/shared/out.txt");

        SlurmJobs.Result result = jobs().submitOrAttach(leaky, stateFile(), Map.of(), listener);

        assertThat(slurm.submissions()).isZero();
        assertThat(result.outcome().failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(result.outcome().detail()).contains("secret-shaped text");
    }

    @Test
    public void shouldReportARefusedSubmissionAsAConfigurationError() {
        slurm.rejectSubmit = true;

        SlurmJobs.Result result = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(result.outcome().failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(result.outcome().detail()).contains("Invalid account");
        assertThat(read(stateFile())).contains("\"phase\" : \"rejected\"");
    }

    @Test
    public void shouldMapATimedOutJobToInfraTransient() {
        slurm.nextStates = List.of("RUNNING", "TIMEOUT");

        SlurmJobs.Result result = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(result.outcome().failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(read(stateFile())).contains("\"state\" : \"TIMEOUT\"");
    }

    @Test
    public void shouldGiveUpForNowButKeepTheJobIdWhenSlurmStopsAnswering() {
        slurm.nextStates = List.of("RUNNING", "RUNNING", "COMPLETED");
        slurm.onFirstPoll = id -> slurm.failingQueries = 100;

        SlurmJobs.Result result = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);

        assertThat(result.outcome().failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(result.outcome().detail()).contains("lost contact with Slurm");
        assertThat(read(stateFile())).contains("\"phase\" : \"submitted\"", "\"job_id\" : \"" + result.jobId());
    }

    @Test
    public void shouldRefuseAStateFileOfAnotherJob() {
        SlurmJobSpec retry = new SlurmJobSpec("quickstart", "ptq", 2, "/runs/1", List.of("sh", "ptq.sh"),
                SlurmOptions.none(), "/shared/out.txt");
        Path running = stateFile().resolveSibling("running.json");
        slurm.nextStates = List.of("RUNNING", "COMPLETED");
        assertThatThrownBy(() -> jobs(duration -> {
            throw new FakeSlurm.SimulatedCrash();
        }).submitOrAttach(spec(List.of()), running, Map.of(), listener)).isInstanceOf(FakeSlurm.SimulatedCrash.class);

        SlurmJobs.Result result = jobs().submitOrAttach(retry, running, Map.of(), listener);

        assertThat(slurm.submissions()).isEqualTo(1);

        assertThat(result.outcome().failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(result.outcome().detail()).contains("belongs to job " + spec(List.of()).jobName());
    }

    @Test
    public void shouldRefuseAFinishedAttemptAskedAgainWithAnotherCommandInsteadOfGivingItsOldResult() {
        SlurmJobs.Result first = jobs().submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener);
        assertThat(first.outcome().done()).isTrue();
        SlurmJobSpec edited = new SlurmJobSpec("quickstart", "ptq", 1, "/runs/1", List.of("sh", "ptq.sh", "--fixed"),
                spec(List.of()).options(), "/shared/out.txt");

        SlurmJobs.Result again = jobs().submitOrAttach(edited, stateFile(), Map.of(), listener);

        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(again.outcome().done()).isFalse();
        assertThat(again.outcome().failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(again.outcome().detail()).contains("records attempt 1 of ptq with another batch script")
                .contains("give it a new attempt or another work directory");
    }

    @Test
    public void shouldRefuseARunningAttemptAskedAgainWithOtherSlurmOptionsWithoutTouchingTheJob() {
        slurm.nextStates = List.of("RUNNING", "COMPLETED");
        assertThatThrownBy(() -> jobs(duration -> {
            throw new FakeSlurm.SimulatedCrash();
        }).submitOrAttach(spec(List.of()), stateFile(), Map.of(), listener))
                .isInstanceOf(FakeSlurm.SimulatedCrash.class);
        SlurmOptions moreTime = new SlurmOptions(null, "debug", null, null, null, null, null, "50", null, List.of(),
                List.of(), null);
        SlurmJobSpec edited = new SlurmJobSpec("quickstart", "ptq", 1, "/runs/1", List.of("sh", "ptq.sh"), moreTime,
                "/shared/out.txt");
        int commandsBefore = slurm.commands.size();

        SlurmJobs.Result again = jobs().submitOrAttach(edited, stateFile(), Map.of(), listener);

        assertThat(slurm.commands).hasSize(commandsBefore);
        assertThat(again.outcome().failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
    }

    private static String read(Path file) {
        try {
            return Json.write(Json.read(file));
        } catch (RuntimeException e) {
            throw new AssertionError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
