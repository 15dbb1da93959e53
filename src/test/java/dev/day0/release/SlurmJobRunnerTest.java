package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.core.FailureClass;
import dev.day0.core.Stage;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.slurm.SlurmClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The {@code runner: slurm} stage in process, against Slurm outputs recorded on the local cluster
 * ({@link RecordedSlurm}): every terminal state's mapping, at most once across a crash right after sbatch,
 * re-attach after a crash while following, the output tail continued on resume, and cancellation on abort.
 */
public class SlurmJobRunnerTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final Function<List<String>, SlurmClient> realClients = SlurmJobRunner.clients;
    private final RecordedSlurm slurm = new RecordedSlurm();
    private ReleaseFixture fixture;
    private StageContext ctx;

    @Before
    public void setUp() throws Exception {
        SlurmJobRunner.clients = prefix -> new SlurmClient(prefix, slurm);
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
        fixture.ptq = """
                  ptq:
                    runner: slurm
                    command: [sh, stage.sh, summary.json]
                    poll_interval_seconds: 0.001
                    transient_exit_codes: [2]
                    slurm: {partition: debug, time: "5"}
                    evidence: {summary: "{stage_dir}/summary.json"}
                """;
        context();
    }

    /** A fresh conductor process on the same work directory (state.json as the last one saved it). */
    private void context() {
        ReleasePlan plan = ReleasePlan.load(fixture.plan());
        Path workdir = fixture.workdir();
        Conductor.Options options = new Conductor.Options(workdir, false, Map.of(), Terminal.NONE, stage -> { },
                pause -> { });
        Redactor redactor = Redactor.patternsOnly();
        Progress progress = new Progress(new PrintWriter(new StringWriter(), true), redactor, false,
                List.of(Stage.PTQ));
        ReleaseState state = ctx != null ? ctx.state() : ReleaseState.create(workdir, plan, "test");
        ctx = new StageContext(plan, options, ReleaseFixture.env(), redactor, progress, workdir, "test");
        ctx.state(state);
        ctx.begin(Stage.PTQ, false);
        state.begin(Stage.PTQ);
    }

    @After
    public void restore() {
        SlurmJobRunner.clients = realClients;
        Thread.interrupted();
    }

    private StepResult runPtq() {
        return new SlurmJobRunner(ctx.plan().ptq()).run(ctx);
    }

    private StepResult ending(List<String> scontrol, String sacct) {
        slurm.scontrol = scontrol;
        slurm.polls = 0;
        slurm.sacctState = sacct;
        return runPtq();
    }

    private JsonNode jobState(int attempt) {
        return Json.read(fixture.workdir().resolve("slurm/ptq-a" + attempt + ".json"));
    }

    @Test
    public void shouldPassAJobThatCompletedWithExitZero() {
        StepResult result = ending(List.of("scontrol-running.txt", "scontrol-completed.txt"), null);

        assertThat(result.pass()).isTrue();
        assertThat(result.detail()).contains("Slurm job " + RecordedSlurm.jobId() + " COMPLETED, exit code 0");
        assertThat(jobState(1).path("phase").asText()).isEqualTo("finished");
        assertThat(slurm.submissions()).isEqualTo(1);
    }

    @Test
    public void shouldLeaveAFailedJobToTheLogAsForALocalCommand() {
        StepResult result = ending(List.of("scontrol-running.txt", "scontrol-failed.txt"), null);

        assertThat(result.pass()).isFalse();
        assertThat(result.failureClass()).isEqualTo(FailureClass.UNKNOWN);
        assertThat(result.detail()).contains("FAILED, exit code 3");
    }

    @Test
    public void shouldTreatAnExitCodeThePlanCallsTransientAsInfraTransient() {
        StepResult result = ending(List.of("scontrol-running.txt", "scontrol-unknown.txt"), "FAILED");

        assertThat(result.failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(result.detail()).contains("exit code 2").contains("transient_exit_codes");
    }

    @Test
    public void shouldRetryAJobThatRanPastItsTimeLimit() {
        StepResult result = ending(List.of("scontrol-running.txt", "scontrol-timeout.txt"), null);

        assertThat(result.failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(result.detail()).contains("TIMEOUT").contains("time limit");
    }

    @Test
    public void shouldRetryJobsTheInfrastructureEnded() {
        for (String state : List.of("NODE_FAIL", "PREEMPTED", "BOOT_FAIL")) {
            StepResult result = ending(List.of("scontrol-running.txt", "scontrol-unknown.txt"), state);
            ctx.state().stage(Stage.PTQ).remove(SlurmJobRunner.ENDED_ATTEMPT);

            assertThat(result.failureClass()).as(state).isEqualTo(FailureClass.INFRA_TRANSIENT);
            assertThat(result.detail()).as(state).contains(state);
            clean();
        }
    }

    @Test
    public void shouldAskForMoreMemoryWhenTheJobRanOutOfIt() {
        StepResult result = ending(List.of("scontrol-running.txt", "scontrol-unknown.txt"), "OUT_OF_MEMORY");

        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(result.detail()).contains("OUT_OF_MEMORY").contains("--mem");
    }

    @Test
    public void shouldNameWhoCancelledWhenAccountingSays() {
        StepResult result = ending(List.of("scontrol-running.txt", "scontrol-unknown.txt"), "CANCELLED");

        assertThat(result.failureClass()).isEqualTo(FailureClass.UNKNOWN);
        assertThat(result.detail()).contains("cancelled by 1000");
    }

    @Test
    public void shouldSayWhenSlurmDoesNotTellWhoCancelled() {
        StepResult result = ending(List.of("scontrol-running.txt", "scontrol-cancelled.txt"), null);

        assertThat(result.failureClass()).isEqualTo(FailureClass.UNKNOWN);
        assertThat(result.detail()).contains("Slurm does not say by whom");
    }

    @Test
    public void shouldFindTheJobByNameAfterACrashBetweenSbatchAndTheStateUpdate() {
        slurm.crashAfterSbatch = true;
        assertThatThrownBy(this::runPtq).isInstanceOf(RecordedSlurm.SimulatedCrash.class);
        assertThat(jobState(1).path("phase").asText()).isEqualTo("submitting");

        context();
        StepResult resumed = ending(List.of("scontrol-completed.txt"), null);

        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(resumed.pass()).isTrue();
        assertThat(jobState(1).path("job_id").asText()).isEqualTo(RecordedSlurm.jobId());
        assertThat(slurm.commands).anySatisfy(argv -> assertThat(argv).startsWith("squeue"));
    }

    @Test
    public void shouldReattachAndContinueTheOutputTailAfterACrashWhileFollowing() throws Exception {
        slurm.output = "loading\n";
        slurm.scontrol = List.of("scontrol-running.txt", "scontrol-running.txt", "scontrol-completed.txt");
        slurm.crashOnPoll = 2;
        assertThatThrownBy(this::runPtq).isInstanceOf(RecordedSlurm.SimulatedCrash.class);

        slurm.output += "exported\n";
        context();
        StepResult resumed = runPtq();

        assertThat(resumed.pass()).isTrue();
        assertThat(slurm.submissions()).isEqualTo(1);
        String log = Files.readString(ctx.logFile(Stage.PTQ));
        assertThat(log).contains("attached to Slurm job " + RecordedSlurm.jobId());
        assertThat(log.split("\n")).containsOnlyOnce("loading", "exported");
    }

    @Test
    public void shouldCancelTheJobAndRecordItWhenTheRunIsInterrupted() {
        slurm.scontrol = List.of("scontrol-running.txt");
        slurm.interruptOnPoll = 2;

        StepResult result = runPtq();

        assertThat(slurm.cancelled).containsExactly(RecordedSlurm.jobId());
        assertThat(result.failureClass()).isEqualTo(FailureClass.UNKNOWN);
        assertThat(result.detail()).startsWith("the run was interrupted").contains("CANCELLED by day0");
        assertThat(jobState(1).path("cancelled_by").asText()).isEqualTo("day0 (run aborted)");
        assertThat(Thread.currentThread().isInterrupted()).as("cleared so closeout can write").isFalse();
    }

    /** A new attempt from scratch: the next state test starts from attempt 1 again. */
    private void clean() {
        StageContext.deleteTree(fixture.workdir().resolve("slurm"));
        slurm.cancelled.clear();
    }
}
