package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assume.assumeTrue;

import dev.day0.redact.Redactor;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import dev.day0.triage.TriageTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Real jobs on the single-node cluster of tools/slurm/local-cluster.sh (CI starts it before the build). Where no
 * Slurm answers, every test here says so and is skipped, unless DAY0_REQUIRE_SLURM=1 (set by .ci/run). The job that runs into its one-minute time limit is
 * submitted first and followed in the background while the other tests run.
 */
public class SlurmLocalClusterIT {
    private static final Duration POLL = Duration.ofMillis(300);
    private static final String RUN = UUID.randomUUID().toString();
    private static Path dir;
    private static String unavailable;
    private static CompletableFuture<SlurmJobs.Result> timeoutJob;

    @BeforeClass
    public static void startTheTimeoutJob() throws Exception {
        SlurmClient.Reachability reachability;
        try {
            reachability = SlurmClient.local().reachability("debug");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        if (!reachability.reachable()) {
            unavailable = reachability.detail() + " (start it with: sudo tools/slurm/local-cluster.sh start)";
            // CI starts the cluster and sets this, so there a missing cluster fails the build instead of skipping.
            if ("1".equals(System.getenv("DAY0_REQUIRE_SLURM"))) {
                throw new AssertionError("DAY0_REQUIRE_SLURM=1 but " + unavailable);
            }
            System.err.println("SlurmLocalClusterIT skipped: " + unavailable);
            return;
        }
        dir = Files.createTempDirectory("day0-slurm-it");
        SlurmJobSpec spec = spec("timeout", options("1", List.of()), List.of("sleep", "300"));
        timeoutJob = CompletableFuture.supplyAsync(() -> jobs(new ProcessCommandRunner())
                .submitOrAttach(spec, dir.resolve("timeout.json"), Map.of(), new Collect()));
    }

    @AfterClass
    public static void cancelLeftovers() throws Exception {
        if (timeoutJob != null && !timeoutJob.isDone()) {
            for (JobInfo job : SlurmClient.local().jobsNamed(spec("timeout", options("1", List.of()),
                    List.of("sleep", "300")).jobName())) {
                SlurmClient.local().cancel(job.jobId());
            }
        }
    }

    private static void assumeSlurm() {
        assumeTrue("no local Slurm: " + unavailable, unavailable == null);
    }

    private static SlurmJobs jobs(CommandRunner runner) {
        return new SlurmJobs(new SlurmClient(List.of(), runner), Redactor.patternsOnly(), SlurmJobs.realTime(),
                POLL);
    }

    private static SlurmOptions options(String time, List<String> environment) {
        return new SlurmOptions(null, "debug", null, null, 1, null, null, time, null, List.of(), environment,
                dir.toString());
    }

    private static SlurmJobSpec spec(String stage, SlurmOptions options, List<String> command) {
        return new SlurmJobSpec("slurm-it", stage, 1, RUN, command, options,
                dir.resolve(stage + ".out").toString());
    }

    /** Collects what a job printed and what happened to it. */
    static class Collect implements SlurmJobs.Listener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onOutput(String line) {
            lines.add(line);
        }

        @Override
        public void onEvent(String message) {
            events.add(message);
        }
    }

    @Test
    public void shouldRunAPassingJobAndStreamItsOutput() {
        assumeSlurm();
        Collect collect = new Collect();
        SlurmJobSpec spec = spec("pass", options("2", List.of("DAY0_IT_SECRET")),
                List.of("sh", "-c", "echo started on $(hostname); echo \"value=$DAY0_IT_SECRET\"; echo finished"));

        SlurmJobs.Result result = jobs(new ProcessCommandRunner()).submitOrAttach(spec, dir.resolve("pass.json"),
                Map.of("DAY0_IT_SECRET", "it-secret-7f3a9c"), collect);

        assertThat(result.outcome().done()).as(result.outcome().detail()).isTrue();
        assertThat(collect.lines).contains("value=[REDACTED]", "finished");
        assertThat(collect.lines).noneMatch(line -> line.contains("it-secret-7f3a9c"));
    }

    @Test
    public void shouldFailAStageWhoseCommandExitsNonZero() {
        assumeSlurm();
        Collect collect = new Collect();
        SlurmJobSpec spec = spec("fail", options("2", List.of()),
                List.of("sh", "-c", "echo 'cannot load checkpoint' >&2; exit 3"));

        SlurmJobs.Result result = jobs(new ProcessCommandRunner()).submitOrAttach(spec, dir.resolve("fail.json"),
                Map.of(), collect);

        assertThat(result.outcome().kind()).isEqualTo(JobOutcome.Kind.STAGE_FAILED);
        assertThat(result.job().exitCode()).isEqualTo(3);
        assertThat(collect.lines).contains("cannot load checkpoint");
    }

    @Test
    public void shouldAskAPersonWhenSomeoneElseCancelsTheJob() throws Exception {
        assumeSlurm();
        AtomicReference<String> jobId = new AtomicReference<>();
        Collect collect = new Collect() {
            @Override
            public void onEvent(String message) {
                super.onEvent(message);
                if (message.endsWith(" RUNNING")) {
                    String id = message.split(" ")[2];
                    jobId.set(id);
                    try {
                        new ProcessBuilder("scancel", id).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            }
        };
        SlurmJobSpec spec = spec("cancelled", options("2", List.of()), List.of("sleep", "120"));

        SlurmJobs.Result result = jobs(new ProcessCommandRunner()).submitOrAttach(spec,
                dir.resolve("cancelled.json"), Map.of(), collect);

        assertThat(jobId.get()).isEqualTo(result.jobId());
        assertThat(result.outcome().kind()).isEqualTo(JobOutcome.Kind.CANCELLED);
        assertThat(TriageTable.after(result.outcome().failureClass(), 1).decision()).isEqualTo(Decision.NEEDS_HUMAN);
    }

    @Test
    public void shouldCancelTheJobWhenTheRunIsAborted() throws Exception {
        assumeSlurm();
        SlurmJobSpec spec = spec("aborted", options("2", List.of()), List.of("sleep", "120"));
        AtomicReference<SlurmJobs.Result> result = new AtomicReference<>();
        Collect collect = new Collect();
        Thread run = new Thread(() -> result.set(jobs(new ProcessCommandRunner()).submitOrAttach(spec,
                dir.resolve("aborted.json"), Map.of(), collect)));
        run.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (collect.events.stream().noneMatch(event -> event.endsWith(" RUNNING"))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }

        run.interrupt();
        run.join(60_000);

        assertThat(result.get().outcome().detail()).contains("CANCELLED by day0");
        // scancel returns while the node still ends the job (COMPLETING); the final state follows within seconds.
        JobInfo job = SlurmClient.local().job(result.get().jobId()).orElseThrow();
        for (int i = 0; i < 100 && job.jobState() == SlurmJobState.COMPLETING; i++) {
            Thread.sleep(100);
            job = SlurmClient.local().job(result.get().jobId()).orElseThrow();
        }
        assertThat(job.jobState()).isEqualTo(SlurmJobState.CANCELLED);
    }

    @Test
    public void shouldSubmitExactlyOneJobWhenTheRunDiesRightAfterSbatchAndResumes() throws Exception {
        assumeSlurm();
        SlurmJobSpec spec = spec("crash", options("2", List.of()), List.of("sh", "-c", "sleep 1; echo done"));
        Path state = dir.resolve("crash.json");
        ProcessCommandRunner real = new ProcessCommandRunner();
        CommandRunner diesAfterSbatch = (argv, stdin, environment, timeout) -> {
            CommandRunner.Result result = real.run(argv, stdin, environment, timeout);
            if (argv.get(0).equals("sbatch")) {
                throw new FakeSlurm.SimulatedCrash();
            }
            return result;
        };
        try {
            jobs(diesAfterSbatch).submitOrAttach(spec, state, Map.of(), new Collect());
            throw new AssertionError("the simulated crash did not happen");
        } catch (FakeSlurm.SimulatedCrash expected) {
            assertThat(Files.readString(state)).contains("\"phase\" : \"submitting\"");
        }

        SlurmJobs.Result resumed = jobs(real).submitOrAttach(spec, state, Map.of(), new Collect());

        assertThat(resumed.submittedNow()).isFalse();
        assertThat(resumed.outcome().done()).as(resumed.outcome().detail()).isTrue();
        assertThat(SlurmClient.local().jobsNamed(spec.jobName())).extracting(JobInfo::jobId)
                .containsExactly(resumed.jobId());
    }

    @Test
    public void shouldRunTheSlurmExamplesStagesAsSlurmJobs() throws Exception {
        assumeSlurm();
        Path example = Path.of("examples/slurm").toAbsolutePath();
        com.fasterxml.jackson.databind.JsonNode plan = dev.day0.io.Json.readYaml(example.resolve("release.yaml"));
        dev.day0.io.Fields fields = new dev.day0.io.Fields("examples/slurm/release.yaml");
        for (String stage : List.of("ptq", "quantized_eval")) {
            com.fasterxml.jackson.databind.JsonNode node = plan.path("stages").path(stage);
            SlurmOptions planned = SlurmOptions.read(node.get("slurm"), fields, "stages." + stage + ".slurm");
            SlurmOptions options = new SlurmOptions(null, planned.partition(), null, null, planned.nodes(), null,
                    null, planned.time(), null, planned.extra(), List.of(), example.toString());
            Path stageDir = dir.resolve("example/" + stage);
            Files.createDirectories(stageDir);
            SlurmJobSpec spec = new SlurmJobSpec("slurm-example", stage, 1, RUN,
                    fields.optionalStringList(node, "command", "command"),
                    Map.of("DAY0_STAGE", stage, "DAY0_RUN", RUN, "DAY0_WORKDIR", dir.resolve("example").toString(),
                            "DAY0_STAGE_DIR", stageDir.toString(), "DAY0_MODEL", plan.path("model").asText()),
                    options, stageDir.resolve("slurm.out").toString());

            SlurmJobs.Result result = jobs(new ProcessCommandRunner()).submitOrAttach(spec,
                    stageDir.resolve("slurm-job.json"), Map.of(), new Collect());

            assertThat(result.outcome().done()).as(stage + ": " + result.outcome().detail()).isTrue();
        }
        assertThat(dir.resolve("example/ptq/output/config.json")).isRegularFile();
        try (var results = Files.list(dir.resolve("example/quantized_eval/results"))) {
            assertThat(results.map(file -> file.getFileName().toString())).anyMatch(name -> name.startsWith("results_"));
        }
    }

    @Test
    public void shouldRetryAJobThatRanPastItsTimeLimitAsInfraTransient() throws Exception {
        assumeSlurm();

        SlurmJobs.Result result = timeoutJob.get(5, TimeUnit.MINUTES);

        assertThat(result.job().jobState()).isEqualTo(SlurmJobState.TIMEOUT);
        assertThat(result.outcome().failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(TriageTable.after(FailureClass.INFRA_TRANSIENT, 1).retry()).isTrue();
    }
}
