package dev.day0.release.ladder;

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
import dev.day0.release.Conductor;
import dev.day0.release.ReleaseFixture;
import dev.day0.release.Terminal;
import dev.day0.rockie.ApprovalKey;
import dev.day0.rockie.RockieTestServer;
import dev.day0.rockie.TermSheet;
import dev.day0.testing.ApprovalKeys;
import dev.day0.testing.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A ladder whose second candidate runs its PTQ and its quantized eval on the loopback Rockie platform: one signed
 * sheet approving both jobs, the hostile uses of such a sheet, and the spend counted from the platform's bills.
 */
public class LadderApprovalTest {
    private static final Path MARKET = Path.of("src", "test", "resources", "reference", "rockie",
            "budget-term-sheet-fixtures", "market_available.json").toAbsolutePath();
    private static final String PTQ_JOB = "rj_ptq_b";
    private static final String EVAL_JOB = "rj_eval_b";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private RockieTestServer rockie;
    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        rockie = RockieTestServer.start();
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
        fixture.file("job.sh", "#!/usr/bin/env bash\nset -euo pipefail\necho working\necho JOB_DONE\n");
        fixture.file("summary-a.json", ReleaseFixture.GOOD_SUMMARY.replace("4600", "4000"));
        fixture.run("q-a", 67.0, 80.0);
        quote("quote-ptq.json");
        quote("quote-eval.json");
        String a = "  - name: a\n    recipe: nvfp4\n    ptq:\n      runner: local\n"
                + "      command: [sh, stage.sh, summary-a.json]\n      timeout_seconds: 60\n"
                + "      evidence: {summary: \"{stage_dir}/summary-a.json\"}\n"
                + "    quantized_eval:\n      runner: local\n      command: [sh, stage.sh, q-a/run-summary.json, "
                + "q-a/scores.json]\n      timeout_seconds: 60\n"
                + "      evidence: {run_summary: \"{stage_dir}/run-summary.json\", scores: \"{stage_dir}/scores.json\"}\n";
        String b = "  - name: b\n    recipe: fp8\n    ptq:\n" + rockie("quote-ptq.json")
                + "      evidence: {summary: \"{stage_dir}/artifacts/summary.json\"}\n"
                + "    quantized_eval:\n" + rockie("quote-eval.json")
                + "      evidence: {run_summary: \"{stage_dir}/artifacts/run-summary.json\", "
                + "scores: \"{stage_dir}/artifacts/scores.json\"}\n";
        fixture.file("release.yaml", fixture.header.replace("recipe: nvfp4\n", "") + "ladder: {mode: first}\n"
                + "candidates:\n" + a + b + "stages:\n" + fixture.baseline);
    }

    @After
    public void tearDown() {
        rockie.close();
    }

    private static String rockie(String quote) {
        return "      runner: rockie\n      script: job.sh\n      gpu_type: A100_80GB\n      gpu_count: 1\n"
                + "      region: us\n      tier: spot\n      timeout_seconds: 3600\n      term_sheet: " + quote + "\n"
                + "      poll_interval_seconds: 0.01\n";
    }

    private Map<String, String> env() {
        Map<String, String> env = ReleaseFixture.env();
        env.putAll(rockie.env("rkt_live_L4dderT3stT0kenQ9x", "tenant-ladder"));
        env.put("DAY0_ROCKIE_LEDGER_DIR", fixture.dir.resolve("ledger").toString());
        env.put(ApprovalKey.ENV, ApprovalKeys.KEY);
        return env;
    }

    private void quote(String name) {
        fixture.file("spec.json", "{\"job_shape\": \"ptq_eval\", \"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, "
                + "\"region\": \"us\", \"tier\": \"spot\", \"wallclock_minutes\": 60}");
        CliRun quote = CliRun.run(ReleaseFixture.env(), "rockie", "quote", "--job-spec",
                fixture.dir.resolve("spec.json").toString(), "--market-json", MARKET.toString(), "--out",
                fixture.dir.resolve(name).toString());
        assertThat(quote.exitCode()).as(quote.toString()).isEqualTo(0);
    }

    private Path plan() {
        return fixture.dir.resolve("release.yaml");
    }

    /** Both of candidate b's jobs succeed; the platform bills 900 and 700 cents. */
    private void jobsSucceed() {
        ObjectNode ptq = Json.object();
        ptq.put("job_id", PTQ_JOB);
        ptq.put("estimated_cost_cents", 17500);
        ObjectNode eval = Json.object();
        eval.put("job_id", EVAL_JOB);
        eval.put("estimated_cost_cents", 17500);
        rockie.on("POST", "/api/jobs/submit", json(200, ptq), json(200, eval));
        rockie.jobStates(PTQ_JOB, poll("RUNNING", "working", 100), finished("DONE", "JOB_DONE", 900, null))
                .artifacts(PTQ_JOB, Map.of("summary.json", ReleaseFixture.GOOD_SUMMARY.replace("4600", "8000")
                        .replace("NVFP4", "FP8").replace("nvfp4", "fp8").getBytes(StandardCharsets.UTF_8)));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("run-summary.json", ReleaseFixture.runSummary("SUCCESS", 69.9, 79.9, "[]")
                .getBytes(StandardCharsets.UTF_8));
        files.put("scores.json", "{\"mmlu\": 69.9, \"gsm8k\": 79.9}\n".getBytes(StandardCharsets.UTF_8));
        rockie.jobStates(EVAL_JOB, poll("RUNNING", "working", 100), finished("DONE", "JOB_DONE", 700, null))
                .artifacts(EVAL_JOB, files);
    }

    private Path approveCandidate(String name, String out) {
        Path sheet = fixture.dir.resolve(out);
        CliRun approve = CliRun.run(env(), "release", "approve", "--plan", plan().toString(), "--candidate", name,
                "--approver", "alice@example.com", "--workdir", fixture.workdir().toString(), "--out",
                sheet.toString());
        assertThat(approve.exitCode()).as(approve.toString()).isEqualTo(0);
        return sheet;
    }

    private CliRun release(Path workdir, String... more) {
        List<String> args = new ArrayList<>(List.of("release", "run", "--plan", plan().toString(), "--workdir",
                workdir.toString()));
        args.addAll(List.of(more));
        return CliRun.run(env(), args.toArray(new String[0]));
    }

    private JsonNode decision() {
        return Json.read(fixture.workdir().resolve("decision.json"));
    }

    private int submissions() {
        return rockie.count("POST", "/api/jobs/submit");
    }

    @Test
    public void shouldRunEveryJobOfACandidateUnderOneSignedSheetAndCountWhatThePlatformBilled() {
        jobsSucceed();
        Path sheet = approveCandidate("b", "b-approved.json");

        CliRun run = release(fixture.workdir(), "--approve", "b=" + sheet);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(decision().path("chosen").path("name").asText()).isEqualTo("b");
        assertThat(submissions()).as("one submission per listed job").isEqualTo(2);
        JsonNode spend = decision().path("candidates").get(1).path("spend");
        assertThat(spend.path("cents").asLong()).as("the bills, not the quotes").isEqualTo(1600);
        assertThat(spend.path("billed_cents").asLong()).isEqualTo(1600);
        assertThat(spend.path("jobs").findValuesAsText("basis")).containsExactly("billed", "billed");
        assertThat(spend.path("jobs").findValuesAsText("job_id")).containsExactly(PTQ_JOB, EVAL_JOB);
        assertThat(fixture.workdir().resolve("report.md")).content().contains("$16.00 billed");
        assertThat(run.err()).contains("approves 2 job(s) of candidate b: ptq, quantized_eval");
    }

    @Test
    public void shouldCountTheQuoteOfAJobThatEndedWithoutABill() {
        ObjectNode ptq = Json.object();
        ptq.put("job_id", PTQ_JOB);
        rockie.on("POST", "/api/jobs/submit", json(200, ptq));
        rockie.jobStates(PTQ_JOB, poll("RUNNING", "working", 100), poll("FAILED", "out of memory", 400));
        Path sheet = approveCandidate("b", "b-approved.json");
        long quoted = TermSheet.read(fixture.dir.resolve("quote-ptq.json"), Redactor.patternsOnly())
                .userBudgetCents();

        CliRun run = release(fixture.workdir(), "--approve", "b=" + sheet);

        assertThat(run.exitCode()).as(run.toString()).isNotEqualTo(0);
        JsonNode jobs = decision().path("candidates").get(1).path("spend").path("jobs");
        assertThat(jobs.get(0).path("basis").asText()).as("no cost_actual_cents: the quote counts")
                .isEqualTo("quoted");
        assertThat(jobs.get(0).path("cents").asLong()).isEqualTo(quoted);
        assertThat(jobs.get(1).path("basis").asText()).as("never posted").isEqualTo("not submitted");
    }

    @Test
    public void shouldRefuseACandidatesSheetGivenForAnotherCandidate() {
        Path sheet = approveCandidate("b", "b-approved.json");

        CliRun run = release(fixture.workdir(), "--approve", "a=" + sheet);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(sheet + ": candidate: approves candidate b of ladder fixture, not a");
        assertThat(submissions()).isZero();
        assertThat(fixture.runs()).as("nothing ran").isEmpty();
    }

    @Test
    public void shouldRefuseASignedSheetWithAJobAddedOrARehashedBudget() throws Exception {
        Path sheet = approveCandidate("b", "b-approved.json");
        ObjectNode doc = (ObjectNode) Json.read(sheet);
        ObjectNode added = doc.deepCopy();
        ObjectNode extra = ((ObjectNode) added.get("jobs").get(1)).deepCopy();
        extra.put("stage", "baseline_eval");
        ((com.fasterxml.jackson.databind.node.ArrayNode) added.get("jobs")).add(extra);
        Path addedFile = fixture.dir.resolve("added.json");
        Files.writeString(addedFile, Json.write(added));
        ObjectNode rehashed = doc.deepCopy();
        ObjectNode job = (ObjectNode) rehashed.get("jobs").get(0).get("term_sheet");
        job.put("user_budget_cents", job.path("user_budget_cents").asLong() * 10);
        ObjectNode withoutDecision = job.deepCopy();
        withoutDecision.remove(TermSheet.DECISION);
        ((ObjectNode) job.get(TermSheet.DECISION)).put("quote_sha256", TermSheet.quoteSha256(withoutDecision));
        Path rehashedFile = fixture.dir.resolve("rehashed.json");
        Files.writeString(rehashedFile, Json.write(rehashed));

        CliRun withAdded = release(fixture.workdir(), "--approve", "b=" + addedFile);
        CliRun withRehashed = release(fixture.dir.resolve("work2"), "--approve", "b=" + rehashedFile);

        assertThat(withAdded.exitCode()).as(withAdded.toString()).isEqualTo(2);
        assertThat(withAdded.err()).contains(addedFile + ": decision.approval_hmac: approval signature does not "
                + "match: the sheet was changed after approval");
        assertThat(withRehashed.exitCode()).as(withRehashed.toString()).isEqualTo(2);
        assertThat(withRehashed.err()).contains("approval signature does not match");
        assertThat(submissions()).isZero();
    }

    @Test
    public void shouldRefuseACandidatesSheetReusedOnASecondLadderRun() {
        jobsSucceed();
        Path sheet = approveCandidate("b", "b-approved.json");
        assertThat(release(fixture.workdir(), "--approve", "b=" + sheet).exitCode()).isEqualTo(0);

        CliRun again = release(fixture.dir.resolve("work-again"), "--approve", "b=" + sheet);

        assertThat(again.exitCode()).as(again.toString()).isEqualTo(5);
        assertThat(again.err()).contains("this approval was already used for a submission");
        assertThat(submissions()).as("no job submitted twice").isEqualTo(2);
    }

    @Test
    public void shouldRefuseAJobSheetMovedToAnotherStage() throws Exception {
        Path sheet = approveCandidate("b", "b-approved.json");
        Path ptqSheet = fixture.dir.resolve("ptq-job.json");
        Files.writeString(ptqSheet, Json.write(Json.read(sheet).path("jobs").get(0).path("term_sheet")));

        Path single = fixture.dir.resolve("ptq-single.json");
        assertThat(CliRun.run(env(), "rockie", "approve", "--term-sheet", fixture.dir.resolve("quote-ptq.json")
                .toString(), "--approver", "alice", "--out", single.toString()).exitCode()).isZero();

        CliRun run = release(fixture.workdir(), "--approve", "b:ptq=" + single, "--approve",
                "b:quantized_eval=" + ptqSheet);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("detail").asText()).contains("this approval covers stage ptq of plan "
                + "fixture-b, not stage quantized_eval");
        assertThat(submissions()).isZero();
    }

    @Test
    public void shouldLeaveAStageTheSheetDoesNotListToItsOwnApproval() throws Exception {
        jobsSucceed();
        LadderPlan plan = LadderPlan.load(plan());
        LadderPlan.Candidate b = plan.candidates().get(1);
        Map<String, Path> onlyPtq = new LinkedHashMap<>(CandidateApproval.quotes(plan, b, fixture.workdir()));
        onlyPtq.remove("quantized_eval");
        ObjectNode doc = CandidateApproval.approve(plan, b, onlyPtq, "alice", Instant.now(),
                ApprovalKey.forApproving(env()), Redactor.patternsOnly());
        Path sheet = fixture.dir.resolve("ptq-only.json");
        Files.writeString(sheet, Json.write(doc));

        CliRun run = release(fixture.workdir(), "--approve", "b=" + sheet);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("detail").asText()).contains("quantized_eval runs on Rockie and needs an "
                + "approved term sheet");
        assertThat(submissions()).as("the setup refuses before anything is spent").isZero();
    }

    @Test
    public void shouldResumeUnderTheSameSheetWithoutSubmittingAJobTwice() {
        jobsSucceed();
        Path sheet = approveCandidate("b", "b-approved.json");
        LadderPlan plan = LadderPlan.load(plan());
        Conductor.StopHook killAfterPtq = stage -> {
            if (stage == Stage.PTQ && Files.exists(fixture.workdir().resolve("candidates/1-b"))) {
                throw new IllegalStateException("killed after b's ptq");
            }
        };
        assertThatThrownBy(() -> ladder(plan, false, sheet, killAfterPtq)).hasMessageContaining("killed");
        assertThat(submissions()).isEqualTo(1);

        Conductor.Outcome resumed = ladder(plan, true, sheet, stage -> { });

        assertThat(resumed.exitCode()).as(resumed.summary().toString()).isEqualTo(0);
        assertThat(submissions()).as("ptq is not submitted again").isEqualTo(2);
    }

    @Test
    public void shouldPreviewACandidatesJobsAsApprovingWouldWithoutTheKey() {
        Map<String, String> noKey = env();
        noKey.remove(ApprovalKey.ENV);
        CliRun preview = CliRun.run(noKey, "release", "approve", "--plan", plan().toString(), "--candidate", "b",
                "--workdir", fixture.workdir().toString(), "--preview");

        assertThat(preview.exitCode()).as(preview.toString()).isEqualTo(0);
        JsonNode shown = Json.parse(preview.out(), "stdout");
        assertThat(shown.path("schema").asText()).isEqualTo("day0.release-candidate-preview/1");
        assertThat(shown.path("jobs").findValuesAsText("stage")).containsExactly("ptq", "quantized_eval");
        assertThat(shown.path("jobs").get(0).path("text").asText()).startsWith("Rockie GPU term sheet ");
        assertThat(shown.path("jobs").get(0).path("gpu_type").asText()).isEqualTo("A100_80GB");
        assertThat(preview.err()).contains("2 job(s) (ptq, quantized_eval)", "nothing signed");
        assertThat(preview.out()).doesNotContain("approval_hmac");

        Path sheet = approveCandidate("b", "b-approved.json");
        assertThat(shown.path("total_budget_cents").asLong()).as("the total a signature then covers")
                .isEqualTo(Json.read(sheet).path("total_budget_cents").asLong());
    }

    @Test
    public void shouldRefuseToPreviewAQuoteThatCannotBeApprovedOrAPreviewWithAnApprover() throws Exception {
        CliRun both = CliRun.run(env(), "release", "approve", "--plan", plan().toString(), "--candidate", "b",
                "--workdir", fixture.workdir().toString(), "--preview", "--approver", "alice");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--approver: is not taken with --preview");

        CliRun none = CliRun.run(env(), "release", "approve", "--plan", plan().toString(), "--candidate", "b",
                "--workdir", fixture.workdir().toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--approver: is missing");

        ObjectNode decided = (ObjectNode) Json.read(fixture.dir.resolve("quote-eval.json"));
        ((ObjectNode) decided.path(TermSheet.DECISION)).put("state", "reject");
        Files.writeString(fixture.dir.resolve("quote-eval.json"), Json.write(decided));
        CliRun preview = CliRun.run(env(), "release", "approve", "--plan", plan().toString(), "--candidate", "b",
                "--workdir", fixture.workdir().toString(), "--preview");
        assertThat(preview.exitCode()).as(preview.toString()).isEqualTo(10);
        assertThat(preview.err()).contains("quote-eval.json: decision.state is \"reject\"");
        assertThat(preview.out()).doesNotContain("\"jobs\"");
    }

    @Test
    public void shouldRefuseACandidateWhoseBudgetsAddUpPastWhatASheetCanHold() throws Exception {
        for (String name : new String[] {"quote-ptq.json", "quote-eval.json"}) {
            ObjectNode quote = (ObjectNode) Json.read(fixture.dir.resolve(name));
            quote.put("user_budget_cents", Long.MAX_VALUE / 2 + 1);
            Files.writeString(fixture.dir.resolve(name), Json.write(quote));
        }
        for (String how : new String[] {"--preview", "--approver=alice"}) {
            CliRun approve = CliRun.run(env(), "release", "approve", "--plan", plan().toString(), "--candidate", "b",
                    "--workdir", fixture.workdir().toString(), how);

            assertThat(approve.exitCode()).as(how + ": " + approve).isEqualTo(2);
            assertThat(approve.err()).as(how).contains("quote-eval.json: user_budget_cents: takes the candidate's "
                    + "total budget past the largest number of cents");
            assertThat(approve.out()).as(how).doesNotContain("\"jobs\"");
        }
    }

    @Test
    public void shouldRefuseACandidatesSheetAsUnusableInputWhenNoKeyCanCheckIt() {
        Path sheet = approveCandidate("b", "b-approved.json");
        Map<String, String> noKey = env();
        noKey.remove(ApprovalKey.ENV);
        noKey.put(ApprovalKey.FILE_ENV, fixture.dir.resolve("no-such.key").toString());

        CliRun run = CliRun.run(noKey, "release", "step", "--plan", plan().toString(), "--workdir",
                fixture.workdir().toString(), "--approve", "b=" + sheet);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--approve: no approval key to check the sheet's signature with; set "
                + "DAY0_APPROVAL_KEY").doesNotContain("internal error").doesNotContain("[REDACTED]");
        assertThat(submissions()).isZero();
    }

    private Conductor.Outcome ladder(LadderPlan plan, boolean resume, Path sheet, Conductor.StopHook hook) {
        Map<String, String> env = env();
        LadderRun.Options options = new LadderRun.Options(fixture.workdir(), resume, Map.of(), Map.of("b", sheet),
                Terminal.NONE, hook, pause -> { }, false, index -> { });
        return new LadderRun(plan, options, env, Redactor.fromEnvironment(env),
                new PrintWriter(new StringWriter(), true), "test").run();
    }
}
