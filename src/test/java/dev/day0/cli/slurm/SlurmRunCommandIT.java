package dev.day0.cli.slurm;

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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code day0 slurm run}, the relay of the Jenkins steps' {@code on: 'slurm'}, against the local single-node cluster
 * ({@code tools/slurm/local-cluster.sh start}): a job run and re-attached to by a repeated call, and a call stopped
 * by SIGTERM (as Jenkins stops a build's processes), which cancels its job. Without a cluster each test says so and
 * is skipped, unless DAY0_REQUIRE_SLURM=1, where a missing cluster fails.
 */
public class SlurmRunCommandIT {
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
            System.err.println("SlurmRunCommandIT skipped: " + unavailable);
        }
    }

    private Path jobFile(String command) throws Exception {
        Path file = temp.getRoot().toPath().resolve("job.yaml");
        Files.writeString(file, "name: eval\nrun_key: " + UUID.randomUUID() + "\ncommand: " + command
                + "\nenv: {GREETING: hello}\nslurm: {partition: debug, time: '5'}\npoll_interval_seconds: 0.3\n",
                StandardCharsets.UTF_8);
        return file;
    }

    private static Path stateFile(Path workdir) throws Exception {
        if (!Files.isDirectory(workdir)) {
            return null;
        }
        try (var files = Files.list(workdir)) {
            return files.filter(file -> file.getFileName().toString().matches("day0-run-eval-a1-.*\\.json"))
                    .findFirst().orElse(null);
        }
    }

    @Test
    public void shouldRunTheJobOnceAndReattachOnARepeatedCall() throws Exception {
        assumeTrue("no local Slurm: " + unavailable, unavailable == null);
        Path job = jobFile("[sh, -c, 'echo \"$GREETING from $DAY0_STAGE attempt $DAY0_ATTEMPT\"']");
        Path workdir = temp.getRoot().toPath().resolve("work");

        Day0Process first = Day0Process.run(temp.getRoot().toPath(), Map.of(), "slurm", "run", "--job",
                job.toString(), "--workdir", workdir.toString());
        Day0Process again = Day0Process.run(temp.getRoot().toPath(), Map.of(), "slurm", "run", "--job",
                job.toString(), "--workdir", workdir.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        JsonNode result = Json.parse(first.out(), "stdout");
        assertThat(result.path("pass").asBoolean()).isTrue();
        assertThat(result.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(first.err()).contains("hello from eval attempt 1");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        JsonNode repeated = Json.parse(again.out(), "stdout");
        assertThat(repeated.path("submitted_now").asBoolean()).isFalse();
        assertThat(repeated.path("job_id").asText()).isEqualTo(result.path("job_id").asText());
        assertThat(SlurmClient.local().jobsNamed(result.path("job_name").asText())).extracting(JobInfo::jobId)
                .containsExactly(result.path("job_id").asText());
    }

    @Test
    public void shouldCancelTheJobWhenTheCallGetsSigterm() throws Exception {
        assumeTrue("no local Slurm: " + unavailable, unavailable == null);
        Path job = jobFile("[sleep, '300']");
        Path workdir = temp.getRoot().toPath().resolve("work");
        File log = temp.newFile();
        Process call = new ProcessBuilder(Day0Process.command("slurm", "run", "--job", job.toString(), "--workdir",
                workdir.toString())).directory(temp.getRoot())
                .redirectErrorStream(true).redirectOutput(log).start();
        Path state = null;
        String jobId = null;
        for (int i = 0; i < 600 && jobId == null; i++) {
            state = stateFile(workdir);
            JobStateFile recorded = state == null ? null : JobStateFile.readIfExists(state);
            jobId = recorded == null ? null : recorded.jobId();
            assertThat(call.isAlive()).as("day0 slurm run is still going").isTrue();
            Thread.sleep(100);
        }
        assertThat(jobId).as("a job id recorded within 60 s").isNotNull();

        call.destroy();
        assertThat(call.waitFor(90, TimeUnit.SECONDS)).as("the call ends after SIGTERM").isTrue();

        JobInfo ended = SlurmClient.local().job(jobId).orElseThrow();
        for (int i = 0; i < 100 && ended.jobState() == SlurmJobState.COMPLETING; i++) {
            Thread.sleep(100);
            ended = SlurmClient.local().job(jobId).orElseThrow();
        }
        assertThat(ended.jobState()).isEqualTo(SlurmJobState.CANCELLED);
        JsonNode recorded = Json.read(state);
        assertThat(recorded.path("cancelled_by").asText()).isEqualTo("day0 (run aborted)");
        assertThat(recorded.path("phase").asText()).isEqualTo("finished");
        assertThat(Files.readString(log.toPath(), StandardCharsets.UTF_8)).contains("CANCELLED by day0");
    }
}
