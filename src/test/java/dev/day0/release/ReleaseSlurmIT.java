package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assume.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.slurm.JobInfo;
import dev.day0.slurm.JobStateFile;
import dev.day0.slurm.SlurmClient;
import dev.day0.slurm.SlurmJobState;
import dev.day0.testing.Day0Process;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code day0 release run} with {@code runner: slurm} against the local single-node cluster
 * ({@code tools/slurm/local-cluster.sh start}): the Slurm example end to end, a process killed right after sbatch
 * and resumed, and a run stopped by SIGTERM. Without a cluster each test says so and is skipped, unless
 * DAY0_REQUIRE_SLURM=1, where a missing cluster fails.
 */
public class ReleaseSlurmIT {
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();
    private static final List<String> WORKING = List.of("ptq", "canary", "baseline_eval", "quantized_eval");
    private static String unavailable;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @BeforeClass
    public static void findTheCluster() throws Exception {
        SlurmClient.Reachability reachability = SlurmClient.local().reachability("debug");
        if (!reachability.reachable()) {
            unavailable = reachability.detail() + " (start it with: sudo tools/slurm/local-cluster.sh start)";
            if ("1".equals(System.getenv("DAY0_REQUIRE_SLURM"))) {
                throw new AssertionError("DAY0_REQUIRE_SLURM=1 but " + unavailable);
            }
            System.err.println("ReleaseSlurmIT skipped: " + unavailable);
        }
    }

    private static void assumeSlurm() {
        assumeTrue("no local Slurm: " + unavailable, unavailable == null);
    }

    private static List<JobInfo> jobsOf(Path workdir, String stage) throws Exception {
        JobStateFile state = JobStateFile.readIfExists(workdir.resolve("slurm/" + stage + "-a1.json"));
        assertThat(state).as("job state of " + stage).isNotNull();
        return SlurmClient.local().jobsNamed(state.jobName());
    }

    @Test
    public void shouldAcceptTheSlurmExampleWithEachWorkingStageAsOneSlurmJob() throws Exception {
        assumeSlurm();
        Path workdir = temp.getRoot().toPath().resolve("slurm");

        Day0Process run = Day0Process.run(temp.getRoot().toPath(), Map.of(), "release", "run", "--plan",
                EXAMPLES.resolve("slurm/release.yaml").toString(), "--workdir", workdir.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(Json.parse(run.out(), "stdout").path("decision").asText()).isEqualTo("ACCEPT");
        for (String stage : WORKING) {
            assertThat(jobsOf(workdir, stage)).as(stage).hasSize(1);
            assertThat(run.err()).contains("submitted Slurm job");
        }
        assertThat(workdir.resolve("stages/ptq/output/config.json")).isRegularFile();
    }

    @Test
    public void shouldEndCheckpointNotServableWhenTheServerJobExitsWhileLoading() throws Exception {
        assumeSlurm();
        String text = Files.readString(EXAMPLES.resolve("slurm/release.yaml"), StandardCharsets.UTF_8)
                .replace("--log, ../quickstart/recorded/canary/vllm-serve.log, --completion, \" Paris, and it is also "
                        + "the largest city\"]", "--log, ../unservable/recorded/vllm-serve-crash.log, --exit, \"1\"]")
                .replace("../lib/", EXAMPLES.resolve("lib") + "/")
                .replace("../quickstart/", EXAMPLES.resolve("quickstart") + "/")
                .replace("../unservable/", EXAMPLES.resolve("unservable") + "/");
        assertThat(text).contains("vllm-serve-crash.log");
        Path plan = temp.getRoot().toPath().resolve("unservable.yaml");
        Files.writeString(plan, text, StandardCharsets.UTF_8);
        Path workdir = temp.getRoot().toPath().resolve("unservable");

        Day0Process run = Day0Process.run(temp.getRoot().toPath(), Map.of(), "release", "run", "--plan",
                plan.toString(), "--workdir", workdir.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        JsonNode decision = Json.read(workdir.resolve("report/decision.json"));
        assertThat(decision.path("failure_class").asText()).isEqualTo("CHECKPOINT_NOT_SERVABLE");
        assertThat(Json.read(workdir.resolve("gates/canary_gate.json")).path("server_log").path("tail").toString())
                .contains("KeyError");
        assertThat(jobsOf(workdir, "canary")).hasSize(1);
        assertThat(workdir.resolve("slurm/baseline_eval-a1.json")).doesNotExist();
    }

    @Test
    public void shouldSubmitNoSecondJobWhenTheRunIsKilledRightAfterSbatchAndResumed() throws Exception {
        assumeSlurm();
        Path plan = slowPtqPlan();
        Path workdir = temp.getRoot().toPath().resolve("killed");
        Process first = start(plan, workdir);
        String jobId = awaitSubmitted(workdir, first);
        first.destroyForcibly();
        first.waitFor(30, TimeUnit.SECONDS);

        Day0Process resumed = Day0Process.run(temp.getRoot().toPath(), Map.of(), "release", "run", "--plan",
                plan.toString(), "--workdir", workdir.toString(), "--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(0);
        assertThat(resumed.err()).contains("attached to Slurm job " + jobId);
        assertThat(jobsOf(workdir, "ptq")).extracting(JobInfo::jobId).containsExactly(jobId);
        assertThat(Json.read(workdir.resolve("report/decision.json")).path("decision").asText())
                .isEqualTo("ACCEPT");
    }

    @Test
    public void shouldCancelTheJobWhenTheRunGetsSigterm() throws Exception {
        assumeSlurm();
        Path plan = slowPtqPlan();
        Path workdir = temp.getRoot().toPath().resolve("terminated");
        Process run = start(plan, workdir);
        String jobId = awaitSubmitted(workdir, run);

        run.destroy();
        assertThat(run.waitFor(90, TimeUnit.SECONDS)).as("the run ends after SIGTERM").isTrue();

        // scancel returns while the node still ends the job (COMPLETING); the final state follows within seconds.
        JobInfo job = SlurmClient.local().job(jobId).orElseThrow();
        for (int i = 0; i < 100 && job.jobState() == SlurmJobState.COMPLETING; i++) {
            Thread.sleep(100);
            job = SlurmClient.local().job(jobId).orElseThrow();
        }
        assertThat(job.jobState()).isEqualTo(SlurmJobState.CANCELLED);
        JsonNode decision = Json.read(workdir.resolve("report/decision.json"));
        assertThat(decision.path("decision").asText()).isNotEqualTo("ACCEPT");
        assertThat(Json.read(workdir.resolve("slurm/ptq-a1.json")).path("cancelled_by").asText())
                .contains("day0");
    }

    /** The Slurm example with a PTQ job that takes long enough to be interrupted while it runs. */
    private Path slowPtqPlan() throws Exception {
        String text = Files.readString(EXAMPLES.resolve("slurm/release.yaml"), StandardCharsets.UTF_8)
                .replace("[sh, ../lib/ptq-replay.sh,", "[sh, -c, 'sleep 5; exec sh \"$0\" \"$@\"', "
                        + EXAMPLES.resolve("lib/ptq-replay.sh") + ",")
                .replace("../lib/", EXAMPLES.resolve("lib") + "/")
                .replace("../quickstart/", EXAMPLES.resolve("quickstart") + "/");
        Path plan = temp.getRoot().toPath().resolve("release.yaml");
        Files.writeString(plan, text, StandardCharsets.UTF_8);
        return plan;
    }

    private Process start(Path plan, Path workdir) throws Exception {
        List<String> command = Day0Process.command("release", "run", "--plan", plan.toString(), "--workdir",
                workdir.toString());
        File log = temp.newFile();
        return new ProcessBuilder(command).directory(temp.getRoot()).redirectErrorStream(true)
                .redirectOutput(log).start();
    }

    private static String awaitSubmitted(Path workdir, Process run) throws Exception {
        Path state = workdir.resolve("slurm/ptq-a1.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JobStateFile job = Files.isRegularFile(state) ? JobStateFile.readIfExists(state) : null;
            if (job != null && job.jobId() != null) {
                return job.jobId();
            }
            assertThat(run.isAlive()).as("the run is still going").isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("no Slurm job was submitted for ptq within 60 s");
    }
}
