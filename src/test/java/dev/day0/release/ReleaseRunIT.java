package dev.day0.release;

import static dev.day0.rockie.RockieTestServer.finished;
import static dev.day0.rockie.RockieTestServer.poll;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.cli.release.ReleaseCommand;
import dev.day0.core.Stage;
import dev.day0.testing.ApprovalKeys;
import dev.day0.io.Json;
import dev.day0.rockie.RockieTestServer;
import dev.day0.testing.Day0Process;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code day0 release run} as a separate process: the examples, a process kill at a stage boundary (one per path:
 * local and GPU; the in-process tests sweep every boundary), GPU stages.
 */
public class ReleaseRunIT {
    /** The environment of an approval: the tests' approval key, nothing else. */
    private static final Map<String, String> KEYED = ApprovalKeys.with(Map.of());

    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();
    private static final String TOKEN = "rkt_live_ReleaseRunIT0Token77";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Day0Process release(Path plan, Path workdir, Map<String, String> env, String... more) {
        List<String> args = new ArrayList<>(List.of("release", "run", "--plan", plan.toString(), "--workdir",
                workdir.toString()));
        args.addAll(List.of(more));
        return Day0Process.run(temp.getRoot().toPath(), env, args.toArray(new String[0]));
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static JsonNode decision(Path workdir) {
        return Json.read(workdir.resolve("report/decision.json"));
    }

    // ------------------------------------------------------------------------------------------ outcomes

    @Test
    public void shouldAcceptTheQuickStartAndPrintTheDecisionAndTheReportPaths() throws Exception {
        Path workdir = temp.getRoot().toPath().resolve("quickstart");

        Day0Process run = release(EXAMPLES.resolve("quickstart/release.yaml"), workdir, Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode summary = Json.parse(run.out(), "stdout");
        assertThat(summary.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(run.err()).contains("decision: ACCEPT (publish)", workdir.resolve("report/report.html").toString(),
                workdir.resolve("report/decision.json").toString());
        for (String file : List.of("decision.json", "report.md", "junit.xml", "report.html")) {
            assertThat(workdir.resolve("report").resolve(file)).isRegularFile();
        }
        assertThat(decision(workdir).path("tasks")).hasSize(12);
        assertThat(decision(workdir).path("size").path("ratio").doubleValue()).isLessThan(1.0);
        assertThat(decision(workdir).path("gates").findValuesAsText("gate")).contains("canary", "verbosity");
        assertThat(decision(workdir).path("checkpoint_fingerprint").path("digest").asText()).hasSize(64);
        assertThat(lines(workdir.resolve("stage-runs.log"))).containsExactly("ptq 1", "baseline_eval 1",
                "quantized_eval 1");
    }

    @Test
    public void shouldEndTheRegressionExampleWithExitOne() {
        Path workdir = temp.getRoot().toPath().resolve("regression");

        Day0Process run = release(EXAMPLES.resolve("regression/release.yaml"), workdir, Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(decision(workdir).path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(decision(workdir).path("detail").asText()).contains("gsm8k_cot drop 0.0270", "mmlu drop 0.0220");
    }

    @Test
    public void shouldEndTheInfeasibleExampleWithExitFourWithoutRunningTheEvals() throws Exception {
        Path workdir = temp.getRoot().toPath().resolve("infeasible");

        Day0Process run = release(EXAMPLES.resolve("infeasible/release.yaml"), workdir, Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(decision(workdir).path("decision").asText()).isEqualTo("INFEASIBLE");
        assertThat(decision(workdir).path("failure_class").asText()).isEqualTo("MODEL_UNSUPPORTED");
        assertThat(lines(workdir.resolve("stage-runs.log"))).containsExactly("ptq 1");
    }

    @Test
    public void shouldEndTheUnservableExampleCheckpointNotServableBeforeAnyEval() throws Exception {
        Path workdir = temp.getRoot().toPath().resolve("unservable");

        Day0Process run = release(EXAMPLES.resolve("unservable/release.yaml"), workdir, Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(decision(workdir).path("decision").asText()).isEqualTo("INFEASIBLE");
        assertThat(decision(workdir).path("failure_class").asText()).isEqualTo("CHECKPOINT_NOT_SERVABLE");
        assertThat(run.err()).contains("RESULT: FAIL CHECKPOINT_NOT_SERVABLE", "KeyError");
        assertThat(lines(workdir.resolve("stage-runs.log"))).containsExactly("ptq 1");
    }

    @Test
    public void shouldEndTheVerboseExampleVerbosityExceededAfterAnAccuracyAccept() {
        Path workdir = temp.getRoot().toPath().resolve("verbose");

        Day0Process run = release(EXAMPLES.resolve("verbose/release.yaml"), workdir, Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(decision(workdir).path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(decision(workdir).path("failure_class").asText()).isEqualTo("VERBOSITY_EXCEEDED");
        assertThat(decision(workdir).path("detail").asText()).contains("lm-evaluation-harness.gsm8k_llama");
        assertThat(run.err()).contains("verdict: ACCEPT: all 12 tasks within threshold 0.01");
    }

    @Test
    public void shouldEndAnomalousWithExitThree() throws Exception {
        ReleaseFixture fixture = new ReleaseFixture(temp.newFolder("anomalous").toPath());
        fixture.run("quantized", 70.0, 92.0);

        Day0Process run = release(fixture.plan(), fixture.workdir(), Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(decision(fixture.workdir()).path("decision").asText()).isEqualTo("ANOMALOUS");
    }

    @Test
    public void shouldRetryATransientEvalOnceThenEndSystemic() throws Exception {
        ReleaseFixture fixture = new ReleaseFixture(temp.newFolder("transient").toPath());
        fixture.file("baseline/run-summary.json", ReleaseFixture.runSummary("TIMEOUT", 70, 80, "[]"));

        Day0Process run = release(fixture.plan(), fixture.workdir(), Map.of());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(decision(fixture.workdir()).path("decision").asText()).isEqualTo("SYSTEMIC");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "baseline_eval 2");
    }

    // ------------------------------------------------------------------------------------- kill and resume

    /**
     * One boundary as a real process kill (the JVM halts right after state.json is written); every boundary is
     * swept in-process by ConductorTest.
     */
    @Test
    public void shouldResumeAfterAProcessKillAtAStageBoundaryWithoutRunningAStageTwice() throws Exception {
        String stage = Stage.QUANTIZED_GATE.key();
        Path workdir = temp.getRoot().toPath().resolve("killed-after-" + stage);
        Path plan = EXAMPLES.resolve("quickstart/release.yaml");

        Day0Process killed = release(plan, workdir, Map.of(ReleaseCommand.STOP_AFTER_STAGE, stage));

        assertThat(killed.exitCode()).as(stage + "\n" + killed).isEqualTo(ReleaseExit.STOPPED_BY_HOOK.code());
        assertThat(Json.read(workdir.resolve("state.json")).path("stages").path(stage).path("status").asText())
                .as(stage).isEqualTo("completed");

        Day0Process resumed = release(plan, workdir, Map.of(), "--resume");

        assertThat(resumed.exitCode()).as(stage + "\n" + resumed).isEqualTo(0);
        assertThat(lines(workdir.resolve("stage-runs.log"))).as(stage).containsExactly("ptq 1",
                "baseline_eval 1", "quantized_eval 1");
        assertThat(decision(workdir).path("decision").asText()).isEqualTo("ACCEPT");
    }

    @Test
    public void shouldRefuseAChangedPlanOnResume() throws Exception {
        ReleaseFixture fixture = new ReleaseFixture(temp.newFolder("changed").toPath());
        Path plan = fixture.plan();
        assertThat(release(plan, fixture.workdir(), Map.of(ReleaseCommand.STOP_AFTER_STAGE, "ptq")).exitCode())
                .isEqualTo(ReleaseExit.STOPPED_BY_HOOK.code());
        fixture.extra = "threshold: 0.03\n";
        fixture.plan();

        Day0Process resumed = release(plan, fixture.workdir(), Map.of(), "--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
        assertThat(resumed.err().trim()).startsWith(plan + ": changed since the run in").contains("sha256");
        assertThat(Json.parse(resumed.out(), "stdout").path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    // -------------------------------------------------------------------------------------------- GPU stage

    private ReleaseFixture gpuFixture(String name) throws Exception {
        ReleaseFixture fixture = new ReleaseFixture(temp.newFolder(name).toPath());
        fixture.file("job.sh", "#!/usr/bin/env bash\nset -euo pipefail\necho evaluating\necho JOB_DONE\n");
        fixture.quantized = ReleaseRockieTest.rockieStage("A100_80GB");
        fixture.file("spec.json", "{\"job_shape\": \"ptq_eval\", \"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, "
                + "\"region\": \"us\", \"tier\": \"spot\", \"wallclock_minutes\": 60}");
        Day0Process quote = Day0Process.run(fixture.dir, Map.of(), "rockie", "quote", "--job-spec", "spec.json",
                "--market-json", ReleaseRockieTest.MARKET.toAbsolutePath().toString(), "--out", "quote.json");
        assertThat(quote.exitCode()).as(quote.toString()).isEqualTo(0);
        Day0Process approve = Day0Process.run(fixture.dir, KEYED, "rockie", "approve", "--term-sheet",
                "quote.json", "--approver", "alice@example.com", "--out", "approved.json");
        assertThat(approve.exitCode()).as(approve.toString()).isEqualTo(0);
        return fixture;
    }

    private static Map<String, String> gpuEnv(RockieTestServer rockie, ReleaseFixture fixture) {
        Map<String, String> env = new HashMap<>(rockie.env(TOKEN, "tenant-it"));
        env.put("DAY0_ROCKIE_LEDGER_DIR", fixture.dir.resolve("ledger").toString());
        env.put(dev.day0.rockie.ApprovalKey.ENV, ApprovalKeys.KEY);
        return env;
    }

    private static void jobSucceeds(RockieTestServer rockie, String job) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("run-summary.json", ReleaseFixture.runSummary("SUCCESS", 69.5, 79.6, "[]")
                .getBytes(StandardCharsets.UTF_8));
        files.put("scores.json", "{\"mmlu\": 69.5, \"gsm8k\": 79.6}\n".getBytes(StandardCharsets.UTF_8));
        rockie.acceptSubmit(job, 17500).jobStates(job, poll("RUNNING", "evaluating", 120),
                finished("DONE", "JOB_DONE", 900, null)).artifacts(job, files);
    }

    @Test
    public void shouldRefuseToSpendWithoutAnApprovalWhenNotOnATerminal() throws Exception {
        ReleaseFixture fixture = gpuFixture("unapproved");
        try (RockieTestServer rockie = RockieTestServer.start()) {
            jobSucceeds(rockie, "rj_never");

            Day0Process run = release(fixture.plan(), fixture.workdir(), gpuEnv(rockie, fixture));

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
            assertThat(decision(fixture.workdir()).path("decision").asText()).isEqualTo("NEEDS_HUMAN");
            assertThat(run.err()).contains("needs an approved term sheet");
            assertThat(rockie.count("POST", "/api/jobs/submit")).isZero();
            assertThat(fixture.runs()).isEmpty();
        }
    }

    /**
     * One boundary as a real process kill, right after the GPU stage; every boundary is swept in-process by
     * ReleaseRockieTest.
     */
    @Test
    public void shouldNeverSubmitASecondGpuJobWhenTheProcessIsKilledAfterTheGpuStage() throws Exception {
        String stage = Stage.QUANTIZED_EVAL.key();
        ReleaseFixture fixture = gpuFixture("gpu-killed-after-" + stage);
        try (RockieTestServer rockie = RockieTestServer.start()) {
            jobSucceeds(rockie, "rj_" + stage);
            Map<String, String> env = gpuEnv(rockie, fixture);
            Map<String, String> killing = new HashMap<>(env);
            killing.put(ReleaseCommand.STOP_AFTER_STAGE, stage);

            Day0Process killed = release(fixture.plan(), fixture.workdir(), killing, "--approve",
                    fixture.dir.resolve("approved.json").toString());
            Day0Process resumed = release(fixture.plan(), fixture.workdir(), env, "--resume");

            assertThat(killed.exitCode()).as(stage + "\n" + killed).isEqualTo(ReleaseExit.STOPPED_BY_HOOK.code());
            assertThat(resumed.exitCode()).as(stage + "\n" + resumed).isEqualTo(0);
            assertThat(rockie.count("POST", "/api/jobs/submit")).as(stage).isEqualTo(1);
            assertThat(fixture.runs()).as(stage).containsExactly("ptq 1", "baseline_eval 1");
        }
    }

    @Test
    public void shouldReattachToTheGpuJobAfterTheProcessIsKilledWhileItRuns() throws Exception {
        ReleaseFixture fixture = gpuFixture("gpu-sigkill");
        try (RockieTestServer rockie = RockieTestServer.start()) {
            rockie.acceptSubmit("rj_long", 17500).jobStates("rj_long", poll("RUNNING", "still evaluating", 60));
            Map<String, String> env = gpuEnv(rockie, fixture);
            Process running = start(fixture, env, "--approve", fixture.dir.resolve("approved.json").toString());
            long deadline = System.currentTimeMillis() + 60_000;
            while (rockie.count("GET", "/api/jobs/rj_long") < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(rockie.count("GET", "/api/jobs/rj_long")).as("the job is being followed").isGreaterThanOrEqualTo(3);
            running.destroyForcibly();
            assertThat(running.waitFor(30, TimeUnit.SECONDS)).isTrue();
            jobSucceeds(rockie, "rj_long");

            Day0Process resumed = release(fixture.plan(), fixture.workdir(), env, "--resume");

            assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(0);
            assertThat(resumed.err()).contains("re-attaching");
            assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
            assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1");
        }
    }

    private Process start(ReleaseFixture fixture, Map<String, String> env, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", Day0Process.jar().toAbsolutePath().toString(), "release", "run", "--plan",
                fixture.plan().toString(), "--workdir", fixture.workdir().toString()));
        command.addAll(List.of(more));
        ProcessBuilder builder = new ProcessBuilder(command).directory(fixture.dir.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("ROCKIELAB_") || key.startsWith("DAY0_"));
        builder.environment().putAll(env);
        builder.redirectOutput(fixture.dir.resolve("killed.out").toFile())
                .redirectError(fixture.dir.resolve("killed.err").toFile());
        return builder.start();
    }
}
