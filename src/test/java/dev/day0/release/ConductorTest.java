package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.day0.core.Stage;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.testing.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The conductor in-process: every outcome, triage retries, setup, state and resume rules. */
public class ConductorTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    private CliRun release(Map<String, String> env, String... more) {
        List<String> args = new ArrayList<>(List.of("release", "run", "--plan", fixture.plan().toString(),
                "--workdir", fixture.workdir().toString()));
        args.addAll(List.of(more));
        return CliRun.run(env, args.toArray(new String[0]));
    }

    private CliRun release(String... more) {
        return release(ReleaseFixture.env(), more);
    }

    private JsonNode decision() {
        return Json.read(fixture.workdir().resolve("report/decision.json"));
    }

    private JsonNode state() {
        return Json.read(fixture.workdir().resolve("state.json"));
    }

    @Test
    public void shouldAcceptAReleaseWhoseGatesAllPass() {
        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode summary = Json.parse(run.out(), "stdout");
        assertThat(summary.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(summary.path("files")).hasSize(4);
        for (JsonNode file : summary.path("files")) {
            assertThat(Path.of(file.asText())).isRegularFile();
        }
        assertThat(decision().path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
        assertThat(state().path("status").asText()).isEqualTo("finished");
        assertThat(run.err()).contains("[1/9] setup", "[9/9] closeout", "verdict: ACCEPT", "decision: ACCEPT",
                "report.html", "  ptq | stage ptq run 1 for test-org/tiny-model");
    }

    @Test
    public void shouldPrintTheFinalPerTaskTable() {
        CliRun run = release();

        assertThat(run.err()).containsPattern("task +baseline +candidate +delta +drop +limit +within")
                .containsPattern("gsm8k +80 +79.6 +-0.4 +0.004 +0.01 +yes")
                .containsPattern("mmlu +70 +69.5 +-0.5 +0.005 +0.01 +yes");
    }

    @Test
    public void shouldEndWithRegressionAndExitOneWhenATaskDropsTooFar() {
        fixture.run("quantized", 67.0, 79.9);

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(decision().path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(decision().path("detail").asText()).contains("mmlu drop 0.0300 > limit 0.0100");
    }

    @Test
    public void shouldEndAnomalousAndExitThreeOnAnImplausibleGain() {
        fixture.run("quantized", 79.0, 80.0);

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(decision().path("decision").asText()).isEqualTo("ANOMALOUS");
    }

    @Test
    public void shouldEndInfeasibleWithoutRunningTheEvalsWhenPtqCoversNothing() {
        fixture.file("summary.json", """
                {"source_bytes": 16000, "output_bytes": 16100, "recipe": "nvfp4",
                 "layer_precision_counts": {"NVFP4": 0, "excluded": 15}, "metadata_diffs": []}
                """);

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(decision().path("decision").asText()).isEqualTo("INFEASIBLE");
        assertThat(decision().path("failure_class").asText()).isEqualTo("MODEL_UNSUPPORTED");
        assertThat(fixture.runs()).containsExactly("ptq 1");
        assertThat(state().path("stages").path("baseline_eval").path("status").asText()).isEqualTo("skipped");
        assertThat(state().path("status").asText()).isEqualTo("finished");
    }

    @Test
    public void shouldRetryATransientRunOnceThenDecideSystemic() {
        fixture.file("quantized/run-summary.json", ReleaseFixture.runSummary("TIMEOUT", 69.5, 79.6, "[]"));

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(decision().path("decision").asText()).isEqualTo("SYSTEMIC");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1",
                "quantized_eval 2");
        assertThat(run.err()).contains("triage: INFRA_TRANSIENT");
        assertThat(state().path("stages").path("quantized_gate").path("history")).hasSize(1);
    }

    @Test
    public void shouldContinueWhenTheRetriedRunRecovers() {
        fixture.file("quantized/run-summary.json.run1", ReleaseFixture.runSummary("RUNNING", 69.5, 79.6, "[]"));

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1",
                "quantized_eval 2");
    }

    @Test
    public void shouldRetryAJudgeFailureAsOftenAsThePlanAllowsThenAskAPerson() {
        fixture.header = fixture.header.replace("judge_wait_seconds: 0", "judge_wait_seconds: 0, judge_attempts: 3");
        fixture.file("baseline/run-summary.json", ReleaseFixture.runSummary("SUCCESS", 70, 80,
                "[\"judge endpoint returned HTTP 429 Too Many Requests\"]"));

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("failure_class").asText()).isEqualTo("EVAL_JUDGE_FAILED");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "baseline_eval 2", "baseline_eval 3");
    }

    @Test
    public void shouldTreatACommandTimeoutAsTransientAndStopResumably() {
        fixture.ptq = fixture.ptq.replace("timeout_seconds: 60", "timeout_seconds: 1\n    env: {SLEEP_SECONDS: 30}");

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(fixture.runs()).containsExactly("ptq 1", "ptq 2");
        assertThat(state().path("status").asText()).isEqualTo("stopped");
        assertThat(decision().path("detail").asText()).contains("timed out after 1 s");
    }

    @Test
    public void shouldStopForAPersonWhenACommandFailsAndContinueOnResume() {
        fixture.file("fail.baseline_eval", "");

        CliRun first = release();

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(5);
        assertThat(decision().path("decision").asText()).isEqualTo("NEEDS_HUMAN");
        assertThat(first.err()).contains("told to fail", "--resume");
        assertThat(state().path("status").asText()).isEqualTo("stopped");

        fixture.delete("fail.baseline_eval");
        CliRun second = release("--resume");

        assertThat(second.exitCode()).as(second.toString()).isEqualTo(0);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "baseline_eval 2",
                "quantized_eval 1");
    }

    @Test
    public void shouldTreatTheDeclaredTransientExitCodesAsTransient() {
        fixture.ptq = fixture.ptq.replace("timeout_seconds: 60", "timeout_seconds: 60\n    env: {EXIT_CODE: 75}");

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(fixture.runs()).containsExactly("ptq 1", "ptq 2");
    }

    @Test
    public void shouldStopSystemicBeforeRunningAnythingWhenACredentialIsMissing() {
        fixture.extra = "setup: {env: [DAY0_TEST_TOKEN]}\n";

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(fixture.runs()).isEmpty();
        assertThat(decision().path("detail").asText()).contains("not set in the environment: DAY0_TEST_TOKEN");
    }

    @Test
    public void shouldRetryAnUnreachableEndpointOnceThenDecideSystemic() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        fixture.extra = "setup:\n  endpoints:\n    - {name: judge, url: \"http://127.0.0.1:" + port
                + "/health\", timeout_seconds: 2}\n";

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(fixture.runs()).isEmpty();
        assertThat(state().path("stages").path("setup").path("runs").asInt()).isEqualTo(2);
        assertThat(decision().path("detail").asText()).contains("judge", "connection refused");
    }

    @Test
    public void shouldPassSetupWhenTheCredentialsAreSetAndTheEndpointsAnswer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        try {
            fixture.extra = "setup:\n  env: [DAY0_TEST_TOKEN]\n  endpoints:\n    - {name: mlflow, url: "
                    + "\"http://127.0.0.1:" + server.getAddress().getPort() + "/\"}\n";

            CliRun run = release(ReleaseFixture.env("DAY0_TEST_TOKEN", "tok-1234567890"));

            assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
            assertThat(state().path("stages").path("setup").path("result").path("checks")
                    .path("credentials_present").get(0).asText()).isEqualTo("DAY0_TEST_TOKEN");
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void shouldNeverWriteACredentialOrSecretShapedOutputAnywhere() throws Exception {
        String token = "s3cr3t-value-for-the-judge";
        String hfToken = "hf_" + "abcdefghijklmnopqrstuvwxyz0123";
        fixture.extra = "setup: {env: [JUDGE_API_TOKEN]}\n";
        fixture.ptq = fixture.ptq.replace("timeout_seconds: 60", "timeout_seconds: 60\n    env: {SAY: \"using "
                + hfToken + "\"}");
        fixture.file("leak.sh", "echo \"token is $JUDGE_API_TOKEN\"\n");
        fixture.baseline = fixture.baseline.replace("command: [sh, stage.sh,", "command: [sh, -c, \"sh leak.sh; sh stage.sh "
                + "baseline/run-summary.json baseline/scores.json\"]\n    #");

        CliRun run = release(ReleaseFixture.env("JUDGE_API_TOKEN", token));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.err()).contains("token is [REDACTED]").doesNotContain(token).doesNotContain(hfToken);
        try (var files = Files.walk(fixture.workdir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file);
                assertThat(text).as(file.toString()).doesNotContain(token).doesNotContain(hfToken);
            }
        }
    }

    @Test
    public void shouldJudgeMissingEvidenceAsNeedingAPerson() {
        fixture.baseline = fixture.baseline.replace(", baseline/scores.json]", "]");

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("detail").asText()).contains("scores.json does not exist");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1");
    }

    @Test
    public void shouldRefuseScoresThatLeaveOutAPlannedTask() {
        fixture.file("baseline/scores.json", "{\"mmlu\": 70.0}\n");
        fixture.file("quantized/scores.json", "{\"mmlu\": 69.8}\n");

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("failure_class").asText()).isEqualTo("SAMPLE_ACCOUNTING_FAILED");
        assertThat(decision().path("detail").asText()).contains("no score for the plan's tasks gsm8k");
    }

    @Test
    public void shouldRefuseAValidationSummaryForAnotherRecipe() {
        fixture.file("summary.json", ReleaseFixture.GOOD_SUMMARY.replace("\"nvfp4\"", "\"fp8\"")
                .replace("\"NVFP4\"", "\"FP8\""));

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isNotZero();
        assertThat(decision().path("decision").asText()).isNotEqualTo("ACCEPT");
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    @Test
    public void shouldNotJudgeEvidenceLeftByAnEarlierRun() {
        assertThat(release().exitCode()).isEqualTo(0);
        fixture.quantized = fixture.quantized.replace(", quantized/scores.json]", "]");

        CliRun second = release();

        assertThat(second.exitCode()).as(second.toString()).isEqualTo(5);
        assertThat(decision().path("detail").asText()).contains("does not exist");
    }

    @Test
    public void shouldCompareTheBaselineWithThePublishedScores() {
        fixture.file("published.json", "{\"mmlu\": 78.0, \"gsm8k\": 80.0}\n");
        fixture.extra = "published: published.json\n";

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(decision().path("failure_class").asText()).isEqualTo("EXTERNAL_BASELINE_MISMATCH");
    }

    @Test
    public void shouldJudgeNoisyDropsByTheirIntervalsWhenThePlanAsks() throws Exception {
        fixture.file("baseline/stderr.json", "{\"mmlu\": 0.9, \"gsm8k\": 0.05}\n");
        fixture.file("quantized/stderr.json", "{\"mmlu\": 0.9, \"gsm8k\": 0.05}\n");
        fixture.baseline = fixture.baseline.replace("baseline/scores.json]", "baseline/scores.json, baseline/stderr.json]");
        fixture.quantized = fixture.quantized.replace("quantized/scores.json]",
                "quantized/scores.json, quantized/stderr.json]");
        fixture.extra = "noise: {mode: unpaired, baseline_stderr: \"{stage_dir}/stderr.json\", "
                + "candidate_stderr: \"{stage_dir}/stderr.json\"}\n";

        CliRun run = release();

        JsonNode rows = decision().path("tasks");
        assertThat(rows).hasSize(2);
        for (JsonNode row : rows) {
            assertThat(row.path("interval").path("lower").isNumber()).as(row.toString()).isTrue();
            assertThat(row.path("verdict").isTextual()).as(row.toString()).isTrue();
        }
        assertThat(rows.get(0).path("task").asText()).isEqualTo("gsm8k");
        assertThat(rows.get(0).path("verdict").asText()).isEqualTo("PASS");
        assertThat(rows.get(1).path("verdict").asText()).isEqualTo("INSUFFICIENT_EVIDENCE");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(Files.readString(fixture.workdir().resolve("report/report.html"))).contains("<line class=\"ci\"");
    }

    @Test
    public void shouldRefuseAChangedPlanOnResume() {
        fixture.file("fail.quantized_eval", "");
        assertThat(release().exitCode()).isEqualTo(5);
        fixture.header = fixture.header.replace("tasks: [gsm8k, mmlu]", "tasks: [gsm8k, mmlu]\nthreshold: 0.05");

        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
        assertThat(resumed.err().trim()).startsWith(fixture.plan().toString() + ": changed since the run in");
        assertThat(resumed.err().trim().lines().count()).isEqualTo(1);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldAcceptAPlanWhoseCommentsAndLayoutChangedOnResume() {
        fixture.file("fail.quantized_eval", "");
        assertThat(release().exitCode()).isEqualTo(5);
        fixture.header = "# a comment added later\n" + fixture.header;
        fixture.delete("fail.quantized_eval");

        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(0);
    }

    @Test
    public void shouldRefuseToStartOverAnUnfinishedRun() {
        fixture.file("fail.ptq", "");
        assertThat(release().exitCode()).isEqualTo(5);

        CliRun again = release();

        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("an unfinished run is here", "--resume");
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    @Test
    public void shouldRefuseToResumeWhereNoRunWasStarted() {
        CliRun run = release("--resume");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no run to resume here");
    }

    @Test
    public void shouldReportAFinishedRunAgainOnResumeWithoutRunningAnything() {
        fixture.run("quantized", 60.0, 80.0);
        assertThat(release().exitCode()).isEqualTo(1);

        CliRun again = release("--resume");

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already finished", "decision: REGRESSION");
        assertThat(fixture.runs()).hasSize(3);
    }

    @Test
    public void shouldStartAFreshRunOverAFinishedOne() {
        assertThat(release().exitCode()).isEqualTo(0);

        CliRun again = release();

        assertThat(again.exitCode()).isEqualTo(0);
        assertThat(fixture.runs()).hasSize(6);
    }

    @Test
    public void shouldRefuseAWorkDirectoryDay0DidNotMake() throws Exception {
        Files.createDirectories(fixture.workdir().resolve("logs"));

        CliRun run = release();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not a day0 work directory");
        assertThat(fixture.workdir().resolve("logs")).isDirectory();
    }

    @Test
    public void shouldResumeAfterEveryStageWithoutRunningAnyStageTwice() {
        // Every stage this plan runs (it has no canary and no verbosity gate: those are skipped, never run).
        for (Stage stop : Stage.chain().stream().filter(stage -> !stage.optional()).toList()) {
            ReleaseFixture local = new ReleaseFixture(fixture.dir.resolve("stop-" + stop));
            Path plan = local.plan();
            assertThatThrownBy(() -> conductor(plan, local.workdir(), false, stop).run())
                    .isInstanceOf(Killed.class);
            Conductor.Outcome outcome = conductor(plan, local.workdir(), true, null).run();

            assertThat(outcome.exitCode()).as(stop.key()).isEqualTo(0);
            assertThat(local.runs()).as(stop.key()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
        }
    }

    @Test
    public void shouldResumeAfterEveryStageOfAFailingRunWithTheSameVerdict() {
        // The stages this plan runs: one it leaves out after compare is skipped by the verdict, not reached.
        for (Stage stop : Stage.chain().stream().filter(stage -> !stage.optional()).toList()) {
            ReleaseFixture local = new ReleaseFixture(fixture.dir.resolve("regression-stop-" + stop));
            local.run("quantized", 67.0, 79.9);
            Path plan = local.plan();
            assertThatThrownBy(() -> conductor(plan, local.workdir(), false, stop).run())
                    .isInstanceOf(Killed.class);
            Conductor.Outcome outcome = conductor(plan, local.workdir(), true, null).run();

            assertThat(outcome.exitCode()).as(stop.key()).isEqualTo(1);
            assertThat(outcome.decision().name()).as(stop.key()).isEqualTo("REGRESSION");
            assertThat(local.runs()).as(stop.key()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
        }
    }

    // ------------------------------------------------------------------------- state is evidence, not verdicts

    @Test
    public void shouldNotAcceptAFinishedRegressionWhoseStateWasEditedToAccept() throws Exception {
        fixture.run("quantized", 67.0, 79.9);
        assertThat(release().exitCode()).isEqualTo(1);
        Path stateFile = fixture.workdir().resolve("state.json");
        ObjectNode edited = (ObjectNode) Json.read(stateFile);
        ObjectNode decision = (ObjectNode) edited.path("decision");
        decision.put("decision", "ACCEPT").put("publish_recommendation", "publish").put("exit_code", 0)
                .putNull("failure_class").put("detail", "edited");
        ObjectNode compare = (ObjectNode) edited.path("stages").path("compare").path("result");
        compare.put("pass", true).put("decision", "ACCEPT").putNull("failure_class");
        Files.writeString(stateFile, Json.write(edited));

        CliRun again = release("--resume");

        assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
        assertThat(Json.parse(again.out(), "stdout").path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(again.err()).doesNotContain("decision: ACCEPT").contains("decision: REGRESSION");
        assertThat(decision().path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldJudgeAGateResultEditedIntoAPassAgainOnResume() throws Exception {
        fixture.file("summary.json", """
                {"source_bytes": 16000, "output_bytes": 16100, "recipe": "nvfp4",
                 "layer_precision_counts": {"NVFP4": 0, "excluded": 15}, "metadata_diffs": []}
                """);
        assertThat(release().exitCode()).isEqualTo(4);
        Path stateFile = fixture.workdir().resolve("state.json");
        ObjectNode edited = (ObjectNode) Json.read(stateFile);
        ((ObjectNode) edited.path("stages").path("ptq_gate").path("result")).put("pass", true)
                .putNull("failure_class");
        Files.writeString(stateFile, Json.write(edited));

        CliRun again = release("--resume");

        assertThat(again.exitCode()).as(again.toString()).isEqualTo(4);
        assertThat(decision().path("decision").asText()).isEqualTo("INFEASIBLE");
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    @Test
    public void shouldRecordEveryEvidenceFileOfAStageBySha256() {
        assertThat(release().exitCode()).isEqualTo(0);

        JsonNode evidence = state().path("stages").path("baseline_gate").path("evidence");
        Path source = fixture.workdir().resolve("stages/baseline_eval/scores.json");
        Path copy = fixture.workdir().resolve("evidence/baseline_gate/scores.json");
        assertThat(evidence.path("inputs").path(source.toString()).asText()).isEqualTo(FileDigest.sha256(source));
        assertThat(evidence.path("outputs").path(copy.toString()).asText()).isEqualTo(FileDigest.sha256(copy));
        assertThat(state().path("stages").path("compare").path("evidence").path("inputs").size()).isEqualTo(2);
    }

    @Test
    public void shouldRefuseToResumeWhenAnEvidenceFileWasEditedAfterItsStage() throws Exception {
        Path plan = fixture.plan();
        assertThatThrownBy(() -> conductor(plan, fixture.workdir(), false, Stage.QUANTIZED_GATE).run())
                .isInstanceOf(Killed.class);
        Path scores = fixture.workdir().resolve("stages/baseline_eval/scores.json");
        Files.writeString(scores, "{\"mmlu\": 99.0, \"gsm8k\": 99.0}\n");

        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
        assertThat(resumed.err()).containsPattern("(?m)^" + Pattern.quote(scores.toString()) + ": has changed "
                + "\\(sha256 [0-9a-f]{12}\\.\\.\\. then\\) since stage baseline_gate recorded it as evidence")
                .doesNotContain("Exception");
        assertThat(Json.parse(resumed.out(), "stdout").path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldRefuseToResumeAFinishedRunWhoseEvidenceCopyWasEdited() throws Exception {
        fixture.run("quantized", 67.0, 79.9);
        assertThat(release().exitCode()).isEqualTo(1);
        Path copy = fixture.workdir().resolve("evidence/quantized_gate/scores.json");
        Files.writeString(copy, "{\"mmlu\": 70.0, \"gsm8k\": 80.0}\n");

        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
        assertThat(resumed.err()).contains(copy + ": has changed (sha256 ").contains("since stage quantized_gate");
        assertThat(resumed.err()).doesNotContain("decision: ACCEPT");
    }

    @Test
    public void shouldStillRefuseEditedEvidenceAfterAResumeThatDiedBeforeJudgingItAgain() throws Exception {
        fixture.run("quantized", 67.0, 79.9);
        Path plan = fixture.plan();
        assertThat(conductor(plan, fixture.workdir(), false, null).run().exitCode()).isEqualTo(1);
        assertThatThrownBy(() -> conductor(plan, fixture.workdir(), true, Stage.PTQ_GATE).run())
                .isInstanceOf(Killed.class);
        Path scores = fixture.workdir().resolve("stages/quantized_eval/scores.json");
        Files.writeString(scores, "{\"mmlu\": 70.0, \"gsm8k\": 80.0}\n");

        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
        assertThat(resumed.err()).contains(scores + ": has changed").contains("since stage quantized_gate");
    }

    @Test
    public void shouldRefuseToResumeWhenAnEvidenceFileIsMissing() throws Exception {
        Path plan = fixture.plan();
        assertThatThrownBy(() -> conductor(plan, fixture.workdir(), false, Stage.PTQ_GATE).run())
                .isInstanceOf(Killed.class);
        Path summary = fixture.workdir().resolve("evidence/ptq_gate/validation-summary.json");
        Files.delete(summary);

        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
        assertThat(resumed.err()).contains(summary + ": is missing since stage ptq_gate recorded it as evidence");
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    @Test
    public void shouldRefuseToResumeAJudgementWhoseEvidenceRecordWasRemoved() throws Exception {
        Path plan = fixture.plan();
        assertThatThrownBy(() -> conductor(plan, fixture.workdir(), false, Stage.BASELINE_GATE).run())
                .isInstanceOf(Killed.class);
        Path stateFile = fixture.workdir().resolve("state.json");
        ObjectNode edited = (ObjectNode) Json.read(stateFile);
        ((ObjectNode) edited.path("stages").path("baseline_gate")).remove("evidence");
        Files.writeString(stateFile, Json.write(edited));

        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(2);
        assertThat(resumed.err()).contains("stages.baseline_gate completed but records no evidence digests");
    }

    /** Thrown by the stop hook: the process "dies" right after state.json was written. */
    static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private static Conductor conductor(Path plan, Path workdir, boolean resume, Stage stopAfter) {
        Conductor.StopHook hook = stage -> {
            if (stage == stopAfter) {
                throw new Killed();
            }
        };
        Conductor.Options options = new Conductor.Options(workdir, resume, Map.of(), Terminal.NONE, hook,
                seconds -> { });
        return new Conductor(ReleasePlan.load(plan), options, ReleaseFixture.env(), Redactor.patternsOnly(),
                new PrintWriter(new StringWriter()), "test");
    }
}
