package dev.day0.release;

import static dev.day0.rockie.RockieTestServer.finished;
import static dev.day0.rockie.RockieTestServer.json;
import static dev.day0.rockie.RockieTestServer.poll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.rockie.RockieTestServer;
import dev.day0.testing.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The release conductor with a GPU stage on the loopback Rockie platform. */
public class ReleaseRockieTest {
    static final String TOKEN = "rkt_live_Rl3aseT3stT0kenQ9x";
    static final String JOB = "rj_quantized_1";
    static final Path MARKET = Path.of("src", "test", "resources", "reference", "rockie",
            "budget-term-sheet-fixtures", "market_available.json");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private RockieTestServer rockie;
    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        rockie = RockieTestServer.start();
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
        fixture.file("job.sh", "#!/usr/bin/env bash\nset -euo pipefail\necho evaluating\necho JOB_DONE\n");
        fixture.quantized = rockieStage("A100_80GB");
        quote();
    }

    @After
    public void tearDown() {
        rockie.close();
    }

    static String rockieStage(String gpu) {
        return "  quantized_eval:\n    runner: rockie\n    script: job.sh\n    gpu_type: " + gpu + "\n"
                + "    gpu_count: 1\n    region: us\n    tier: spot\n    timeout_seconds: 3600\n"
                + "    term_sheet: quote.json\n    poll_interval_seconds: 0.01\n"
                + "    evidence: {run_summary: \"{stage_dir}/artifacts/run-summary.json\", "
                + "scores: \"{stage_dir}/artifacts/scores.json\"}\n";
    }

    private Map<String, String> env() {
        Map<String, String> env = ReleaseFixture.env();
        env.putAll(rockie.env(TOKEN, "tenant-release"));
        env.put("DAY0_ROCKIE_LEDGER_DIR", fixture.dir.resolve("ledger").toString());
        env.put("USER", "alice");
        env.put(dev.day0.rockie.ApprovalKey.ENV, dev.day0.testing.ApprovalKeys.KEY);
        return env;
    }

    /** A pending quote for A100_80GB x1, 60 minutes, from the reference market answer. */
    private void quote() {
        fixture.file("spec.json", "{\"job_shape\": \"ptq_eval\", \"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, "
                + "\"region\": \"us\", \"tier\": \"spot\", \"wallclock_minutes\": 60}");
        CliRun quote = CliRun.run(env(), "rockie", "quote", "--job-spec", fixture.dir.resolve("spec.json").toString(),
                "--market-json", MARKET.toString(), "--out", fixture.dir.resolve("quote.json").toString());
        assertThat(quote.exitCode()).as(quote.toString()).isEqualTo(0);
    }

    private Path approved(String name) {
        Path sheet = fixture.dir.resolve(name);
        CliRun approve = CliRun.run(env(), "rockie", "approve", "--term-sheet", fixture.dir.resolve("quote.json")
                .toString(), "--approver", "alice@example.com", "--out", sheet.toString());
        assertThat(approve.exitCode()).as(approve.toString()).isEqualTo(0);
        return sheet;
    }

    private void jobSucceeds() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("run-summary.json", ReleaseFixture.runSummary("SUCCESS", 69.5, 79.6, "[]")
                .getBytes(StandardCharsets.UTF_8));
        files.put("scores.json", "{\"mmlu\": 69.5, \"gsm8k\": 79.6}\n".getBytes(StandardCharsets.UTF_8));
        rockie.acceptSubmit(JOB, 17500)
                .jobStates(JOB, poll("QUEUED", null, 0), poll("RUNNING", "evaluating", 120),
                        finished("DONE", "JOB_DONE", 900, null))
                .artifacts(JOB, files);
    }

    private CliRun release(String... more) {
        List<String> args = new ArrayList<>(List.of("release", "run", "--plan", fixture.plan().toString(),
                "--workdir", fixture.workdir().toString()));
        args.addAll(List.of(more));
        return CliRun.run(env(), args.toArray(new String[0]));
    }

    private JsonNode decision() {
        return Json.read(fixture.workdir().resolve("report/decision.json"));
    }

    @Test
    public void shouldRunAGpuStageUnderAnApprovalAndJudgeItsArtifacts() {
        jobSucceeds();

        CliRun run = release("--approve", approved("approved.json").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1");
        assertThat(run.err()).contains("quantized_eval | rockie: submitted job " + JOB, "verdict: ACCEPT");
        assertThat(fixture.workdir().resolve("stages/quantized_eval/artifacts/scores.json")).isRegularFile();
        JsonNode body = rockie.requests("POST", "/api/jobs/submit").get(0).json();
        assertThat(body.path("env").path("DAY0_MODEL").asText()).isEqualTo("test-org/tiny-model");
        assertThat(body.path("spec").path("gpu_type").asText()).isEqualTo("A100_80GB");
    }

    @Test
    public void shouldAskForTheGpuStageApprovalJustBeforeItRunsWhenSteppingThrough() {
        jobSucceeds();
        Path plan = fixture.plan();
        List<String> ran = new ArrayList<>();
        StepReport report;
        do {
            report = conductor(plan, false, Map.of(), stage -> { }).step();
            if (report.ran() != null) {
                ran.add(report.ran().key());
            }
        } while (report.termSheet() == null && !report.done());

        assertThat(ran).containsExactly("setup", "ptq", "ptq_gate", "baseline_eval", "baseline_gate");
        assertThat(report.next()).isEqualTo(Stage.QUANTIZED_EVAL);
        assertThat(report.termSheet()).isEqualTo(fixture.dir.resolve("quote.json"));
        assertThat(report.termSheetText()).contains("A100_80GB");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isZero();
        StepReport unanswered = conductor(plan, false, Map.of(), stage -> { }).step();
        assertThat(unanswered.termSheet()).isNotNull();
        assertThat(rockie.count("POST", "/api/jobs/submit")).isZero();

        StepReport gpu = conductor(plan, false, Map.of("quantized_eval", approved("approved.json")),
                stage -> { }).step();

        assertThat(gpu.ran()).isEqualTo(Stage.QUANTIZED_EVAL);
        assertThat(gpu.result().pass()).as(gpu.result().detail()).isTrue();
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
        do {
            report = conductor(plan, false, Map.of(), stage -> { }).step();
        } while (!report.done());
        assertThat(report.outcome().decision().name()).isEqualTo("ACCEPT");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldRefuseARehashedApprovalWithARaisedBudgetBeforeAnythingRunsOrIsSent() {
        jobSucceeds();
        ObjectNode forged = (ObjectNode) Json.read(approved("approved.json"));
        forged.put("user_budget_cents", forged.path("user_budget_cents").longValue() * 10);
        ((ObjectNode) forged.get("decision")).put("quote_sha256", dev.day0.rockie.TermSheet.quoteSha256(forged));
        fixture.file("forged.json", Json.write(forged));
        Path forgedFile = fixture.dir.resolve("forged.json");

        CliRun run = release("--approve", forgedFile.toString());

        assertThat(run.exitCode()).as(run.toString()).isNotZero();
        assertThat(decision().path("decision").asText()).isNotEqualTo("ACCEPT");
        assertThat(decision().path("detail").asText())
                .contains("approval signature does not match: the sheet was changed after approval");
        assertThat(fixture.runs()).isEmpty();
        assertThat(rockie.requests("POST", "/api")).as("a reachability probe at most, no API call").isEmpty();
    }

    @Test
    public void shouldStopForAPersonBeforeSpendingAnythingWithoutAnApprovalOffATerminal() {
        jobSucceeds();

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("decision").asText()).isEqualTo("NEEDS_HUMAN");
        assertThat(decision().path("detail").asText()).contains("needs an approved term sheet", "--approve");
        assertThat(fixture.runs()).isEmpty();
        assertThat(rockie.count("POST", "/api/jobs/submit")).isZero();
        assertThat(Json.read(fixture.workdir().resolve("state.json")).path("status").asText()).isEqualTo("stopped");
    }

    @Test
    public void shouldContinueAfterTheApprovalArrivesOnResume() {
        jobSucceeds();
        assertThat(release().exitCode()).isEqualTo(5);

        CliRun resumed = release("--resume", "--approve", "quantized_eval=" + approved("approved.json"));

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldRefuseBeforeAnySpendAnApprovalForAnotherShape() {
        jobSucceeds();
        Path sheet = approved("approved.json");
        fixture.quantized = rockieStage("H100_SXM");

        CliRun run = release("--approve", sheet.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("detail").asText()).contains("SHAPE_MISMATCH", "H100_SXM");
        assertThat(fixture.runs()).isEmpty();
        assertThat(rockie.count("POST", "/api/jobs/submit")).isZero();
    }

    @Test
    public void shouldRefuseAnApprovalThatWasAlreadyUsed() throws Exception {
        jobSucceeds();
        Path sheet = approved("approved.json");
        assertThat(release("--approve", sheet.toString()).exitCode()).isEqualTo(0);
        Path otherPlan = fixture.dir.resolve("again");
        Files.createDirectories(otherPlan);

        CliRun again = CliRun.run(env(), "release", "run", "--plan", fixture.plan().toString(), "--workdir",
                otherPlan.resolve("work").toString(), "--approve", sheet.toString());

        assertThat(again.exitCode()).as(again.toString()).isEqualTo(5);
        assertThat(again.err()).contains("already used");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldReattachInsteadOfSubmittingAgainWhenThePlatformDropsOut() {
        rockie.acceptSubmit(JOB, 17500).on("GET", "/api/jobs/" + JOB, json(503, "{\"error\": \"maintenance\"}"));

        CliRun first = release("--approve", approved("approved.json").toString());

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(6);
        assertThat(Json.read(fixture.workdir().resolve("state.json")).path("stages").path("quantized_eval")
                .path("runs").asInt()).isEqualTo(2);
        assertThat(first.err()).contains("re-attaching");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);

        jobSucceeds();
        CliRun resumed = release("--resume");

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1");
    }

    @Test
    public void shouldPostAgainAfterAnUnclearSubmitOnlyWhenAPersonConfirms() {
        rockie.on("POST", "/api/jobs/submit", json(500, "{\"error\": \"gateway timeout\"}"));

        CliRun first = release("--approve", approved("approved.json").toString());
        CliRun resumed = release("--resume");

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(5);
        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(5);
        assertThat(resumed.err()).contains("--confirm-resubmit");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);

        jobSucceeds();
        CliRun confirmed = release("--resume", "--confirm-resubmit");

        assertThat(confirmed.exitCode()).as(confirmed.toString()).isEqualTo(0);
        List<RockieTestServer.Recorded> posts = rockie.requests("POST", "/api/jobs/submit");
        assertThat(posts).hasSize(2);
        assertThat(posts.get(1).header("Idempotency-Key")).isEqualTo(posts.get(0).header("Idempotency-Key"));
    }

    @Test
    public void shouldNeverCallAJobWithoutJobDoneASuccess() {
        rockie.acceptSubmit(JOB, 17500).jobStates(JOB, finished("DONE", "wrote results", 900, null))
                .artifacts(JOB, Map.of("scores.json", "{}".getBytes(StandardCharsets.UTF_8)));

        CliRun run = release("--approve", approved("approved.json").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("detail").asText()).contains("COULD_NOT_JUDGE");
    }

    @Test
    public void shouldApproveAtTheTerminalOnlyWithTheWordApprove() {
        jobSucceeds();
        Path plan = fixture.plan();
        StringWriter said = new StringWriter();
        StringWriter shown = new StringWriter();

        Conductor.Outcome refused = conductor(plan, answering("yes", said), false, shown).run();

        assertThat(refused.exitCode()).isEqualTo(5);
        assertThat(said.toString()).contains("Type approve to approve this term sheet for stage quantized_eval");
        assertThat(shown.toString()).contains("Rockie GPU term sheet", "1 x A100_80GB", "was not approved");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isZero();
        assertThat(fixture.runs()).isEmpty();

        Conductor.Outcome approved = conductor(plan, answering("approve", said), true, shown).run();

        assertThat(approved.exitCode()).isEqualTo(0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
        JsonNode sheet = Json.read(fixture.workdir().resolve("rockie/quantized_eval/approved-term-sheet.json"));
        assertThat(sheet.path("decision").path("approved_by").asText()).isEqualTo("alice at a terminal");
    }

    @Test
    public void shouldNeverSubmitASecondGpuJobWhenKilledAtAnyStageBoundary() throws Exception {
        // Every stage this plan runs: the canary and the verbosity gate it leaves out are skipped, never run.
        for (Stage stop : Stage.chain().stream().filter(stage -> !stage.optional()).toList()) {
            fixture = new ReleaseFixture(temp.newFolder("killed-after-" + stop).toPath());
            fixture.file("job.sh", "#!/usr/bin/env bash\nset -euo pipefail\necho evaluating\necho JOB_DONE\n");
            fixture.quantized = rockieStage("A100_80GB");
            quote();
            Path sheet = approved("approved.json");
            rockie.close();
            rockie = RockieTestServer.start();
            jobSucceeds();
            Path plan = fixture.plan();
            Conductor.StopHook kill = stage -> {
                if (stage == stop) {
                    throw new ConductorTest.Killed();
                }
            };

            assertThatThrownBy(() -> conductor(plan, false, Map.of("quantized_eval", sheet), kill).run())
                    .as(stop.key()).isInstanceOf(ConductorTest.Killed.class);
            Conductor.Outcome resumed = conductor(plan, true, Map.of(), stage -> { }).run();

            assertThat(resumed.exitCode()).as(stop.key()).isEqualTo(0);
            assertThat(rockie.count("POST", "/api/jobs/submit")).as(stop.key()).isEqualTo(1);
            assertThat(fixture.runs()).as(stop.key()).containsExactly("ptq 1", "baseline_eval 1");
        }
    }

    private Conductor conductor(Path plan, boolean resume, Map<String, Path> approvals, Conductor.StopHook hook) {
        Conductor.Options options = new Conductor.Options(fixture.workdir(), resume, approvals, Terminal.NONE,
                hook, pause -> { });
        return new Conductor(ReleasePlan.load(plan), options, new HashMap<>(env()), Redactor.fromEnvironment(env()),
                new PrintWriter(new StringWriter(), true), "test");
    }

    private Conductor conductor(Path plan, Terminal terminal, boolean resume, StringWriter err) {
        Conductor.Options options = new Conductor.Options(fixture.workdir(), resume, Map.of(), terminal,
                stage -> { }, seconds -> { });
        return new Conductor(ReleasePlan.load(plan), options, new HashMap<>(env()), Redactor.fromEnvironment(env()),
                new PrintWriter(err, true), "test");
    }

    private static Terminal answering(String answer, StringWriter said) {
        return new Terminal() {
            @Override
            public boolean liveProgress() {
                return false;
            }

            @Override
            public boolean interactive() {
                return true;
            }

            @Override
            public String ask(String text) {
                said.write(text);
                return answer;
            }
        };
    }
}
