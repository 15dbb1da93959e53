package dev.day0.rockie;

import static dev.day0.rockie.RockieFixture.ENV_SECRET;
import static dev.day0.rockie.RockieFixture.TENANT;
import static dev.day0.rockie.RockieFixture.TOKEN;
import static dev.day0.rockie.RockieFixture.event;
import static dev.day0.rockie.RockieFixture.events;
import static dev.day0.rockie.RockieFixture.files;
import static dev.day0.rockie.RockieFixture.read;
import static dev.day0.rockie.RockieFixture.submit;
import static dev.day0.rockie.RockieTestServer.delayed;
import static dev.day0.rockie.RockieTestServer.finished;
import static dev.day0.rockie.RockieTestServer.json;
import static dev.day0.rockie.RockieTestServer.jobBody;
import static dev.day0.rockie.RockieTestServer.poll;
import static dev.day0.rockie.RockieTestServer.reset;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.Test;

/** {@code day0 rockie submit} against the loopback platform: what is sent, what is followed, what is kept. */
public class SubmitFlowTest {
    private static final RockieFixture FIXTURE = new RockieFixture();

    private RockieTestServer rockie;
    private RockieTestServer storage;
    private Path dir;
    private Map<String, String> env;
    private Path sheet;

    @Before
    public void setUp() {
        rockie = RockieTestServer.start();
        storage = RockieTestServer.start();
        dir = FIXTURE.newDir();
        env = RockieFixture.env(rockie, dir);
        sheet = FIXTURE.approvedSheet(dir);
    }

    @After
    public void tearDown() {
        rockie.close();
        storage.close();
    }

    @AfterClass
    public static void shouldHaveLeakedNoSecretInAnyOutputOrFile() {
        try {
            FIXTURE.assertNoSecretLeaked();
        } finally {
            FIXTURE.delete();
        }
    }

    private CliRun submitRun(String... extra) {
        return FIXTURE.run(env, submit(dir, sheet, extra));
    }

    private JsonNode state() {
        return read(dir.resolve("state.json"));
    }

    private void scriptDoneJob(String jobId) {
        rockie.acceptSubmit(jobId, 17500)
                .jobStates(jobId, poll("QUEUED", null, 0), poll("RUNNING", "step 10 loss=2.31", 120),
                        finished("DONE", "JOB_DONE", 900, null))
                .artifacts(jobId, files("metrics.json", "{\"acc\": 0.71}", "logs/train.log", "step 10\n"), storage);
    }

    @Test
    public void shouldSendTheExactHeadersAndBodyOnSubmit() {
        scriptDoneJob("rj_1");

        CliRun run = submitRun("--notebook-id", "nb-7", "--run-name", "lora-r1", "--monitoring-profile-id",
                "experiment.ml_baseline.v1", "--origin-skill", "sota", "--run-id", "run-42");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        List<RockieTestServer.Recorded> posts = rockie.requests("POST", "/api/jobs/submit");
        assertThat(posts).hasSize(1);
        RockieTestServer.Recorded post = posts.get(0);
        JsonNode approved = read(sheet);
        String quoteSha = approved.path("decision").path("quote_sha256").asText();
        assertThat(post.header("X-Tenant-Token")).isEqualTo(TOKEN);
        assertThat(post.header("X-Tenant-Id")).isEqualTo(TENANT);
        assertThat(post.header("Accept")).isEqualTo("application/json");
        assertThat(post.header("Content-Type")).isEqualTo("application/json");
        assertThat(post.header("User-Agent")).startsWith("day0-rockie/");
        assertThat(post.header("Idempotency-Key"))
                .isEqualTo(SubmitFlow.idempotencyKey(TermSheet.of(approved, "approved.json")));

        ObjectNode expected = Json.object();
        expected.put("tenant_id", TENANT);
        expected.putObject("spec").put("gpu_type", "A100_80GB").put("gpu_count", 1).put("region", "us")
                .put("tier", "spot");
        expected.put("script", RockieFixture.SCRIPT);
        expected.putObject("env").put("SEED", "42").put("HF_TOKEN", ENV_SECRET);
        expected.put("timeout_seconds", 3600);
        expected.put("budget_cents", 27000);
        ObjectNode posted = approved.deepCopy();
        ((ObjectNode) posted.get("decision")).remove(Approval.HMAC_FIELD);
        expected.set("budget_term_sheet", posted);
        expected.putObject("dashboard").put("notebook_id", "nb-7").put("run_name", "lora-r1")
                .put("origin_skill", "sota").put("monitoring_profile_id", "experiment.ml_baseline.v1")
                .put("quote_id", approved.path("quote_id").asText());
        JsonNode dashboard = post.json().path("dashboard");
        assertThat(dashboard.path("software").asText()).isEqualTo("pytorch");
        JsonNode snapshot = dashboard.path("monitoring_profile_snapshot");
        assertThat(snapshot.path("profile_id").asText()).isEqualTo("experiment.ml_baseline.v1");
        assertThat(snapshot.path("run_name").asText()).isEqualTo("lora-r1");
        assertThat(snapshot.path("cadence_bounds").path("cadence_seconds").asInt()).isEqualTo(240);
        assertThat(snapshot.path("budget_term_sheet").path("quote_id").asText())
                .isEqualTo(approved.path("quote_id").asText());
        ObjectNode rest = post.json().deepCopy();
        ((ObjectNode) rest.get("dashboard")).remove(java.util.List.of("software", "monitoring_profile_snapshot"));
        assertThat(rest).isEqualTo(expected);
        assertThat(post.path()).isEqualTo("/api/jobs/submit");
    }

    @Test
    public void shouldSendTheTenantHeadersOnEveryApiRequestAndNoneToSignedUrls() {
        scriptDoneJob("rj_1");

        CliRun run = submitRun();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(rockie.requests()).isNotEmpty().allSatisfy(request -> {
            assertThat(request.header("X-Tenant-Token")).isEqualTo(TOKEN);
            assertThat(request.header("X-Tenant-Id")).isEqualTo(TENANT);
            assertThat(request.header("Accept")).isEqualTo("application/json");
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("User-Agent")).startsWith("day0-rockie/");
        });
        assertThat(storage.requests()).hasSize(2).allSatisfy(request -> {
            assertThat(request.header("X-Tenant-Token")).isNull();
            assertThat(request.header("X-Tenant-Id")).isNull();
            assertThat(request.query()).contains("X-Amz-Signature=");
        });
    }

    @Test
    public void shouldLeaveTheDashboardOutWithoutANotebook() {
        scriptDoneJob("rj_1");

        submitRun();

        assertThat(rockie.requests("POST", "/api/jobs/submit").get(0).json().has("dashboard")).isFalse();
    }

    @Test
    public void shouldFollowTheJobToDoneAndRecordEverythingInTheStateFile() throws Exception {
        scriptDoneJob("rj_1");

        CliRun run = submitRun();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode state = state();
        assertThat(state.path("schema").asText()).isEqualTo(SubmissionState.SCHEMA);
        assertThat(state.path("idempotency_key").asText()).hasSize(64)
                .isEqualTo(rockie.requests("POST", "/api/jobs/submit").get(0).header("Idempotency-Key"));
        assertThat(state.path("quote_sha256").asText())
                .isEqualTo(read(sheet).path("decision").path("quote_sha256").asText());
        assertThat(state.path("job_id").asText()).isEqualTo("rj_1");
        assertThat(state.path("phase").asText()).isEqualTo("submitted");
        assertThat(state.path("state").asText()).isEqualTo("DONE");
        assertThat(state.path("job_done").asBoolean()).isTrue();
        assertThat(state.path("outcome").asText()).isEqualTo("DONE");
        assertThat(state.path("exit_code").asInt()).isEqualTo(0);
        assertThat(state.path("cost_actual_cents").asLong()).isEqualTo(900);
        assertThat(state.path("estimated_cost_cents").asLong()).isEqualTo(17500);
        assertThat(state.path("dashboard_note_id").asText()).isEqualTo("note-rj_1");
        Path artifacts = Path.of(state.path("artifacts_dir").asText());
        assertThat(Files.readString(artifacts.resolve("metrics.json"))).isEqualTo("{\"acc\": 0.71}");
        assertThat(Files.readString(artifacts.resolve("logs/train.log"))).isEqualTo("step 10\n");
        assertThat(state.path("artifacts")).hasSize(2);
        assertThat(state.path("artifacts").get(0).path("size_bytes").asLong()).isEqualTo(13);

        assertThat(events(run)).extracting(e -> e.path("event").asText())
                .containsSubsequence("submitted", "job_state", "job_state", "job_state", "artifact", "artifact",
                        "result");
        JsonNode result = event(run, "result");
        assertThat(result.path("outcome").asText()).isEqualTo("DONE");
        assertThat(result.path("exit_code").asInt()).isEqualTo(0);
        assertThat(run.err()).contains("rj_1 RUNNING | elapsed 0:00:").contains("cost so far $1.20")
                .contains("step 10 loss=2.31");
    }

    @Test
    public void shouldPrintEachStateChangeWithTheRedactedLastLogLine() {
        List<String> lines = RockieFixture.secretLogLines();
        RockieTestServer.Poll[] polls = new RockieTestServer.Poll[lines.size() + 1];
        for (int i = 0; i < lines.size(); i++) {
            polls[i] = poll("RUNNING", lines.get(i), 10L * i);
        }
        polls[lines.size()] = finished("DONE", "JOB_DONE", 4200, null);
        rockie.acceptSubmit("rj_logs", 17500).jobStates("rj_logs", polls)
                .artifacts("rj_logs", files("metrics.json", "{}"), storage);

        CliRun run = submitRun();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.err()).contains("[REDACTED]");
        assertThat(events(run).stream().filter(e -> e.path("event").asText().equals("job_state")).count())
                .isGreaterThanOrEqualTo(lines.size());
    }

    @Test
    public void shouldAppendToAndFinalizeTheJobsDashboardNote() {
        scriptDoneJob("rj_dash");
        rockie.on("POST", "/api/notes/note-rj_dash/dashboard/append", json(200, "{\"ok\": true}"));
        rockie.on("POST", "/api/notes/note-rj_dash/dashboard/finalize", json(200, "{\"ok\": true}"));

        CliRun run = submitRun("--notebook-id", "nb-7");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        List<RockieTestServer.Recorded> appends = rockie.requests("POST", "/api/notes/note-rj_dash/dashboard/append");
        List<RockieTestServer.Recorded> finals = rockie.requests("POST", "/api/notes/note-rj_dash/dashboard/finalize");
        assertThat(appends).hasSizeBetween(1, 2);
        JsonNode first = appends.get(0).json();
        assertThat(first.path("writer").path("job_backend").asText()).isEqualTo("gpu_job");
        assertThat(first.path("writer").path("job_id").asText()).isEqualTo("rj_dash");
        assertThat(first.path("verdicts").get(0).path("reason_code").asText()).isEqualTo("poll_heartbeat");
        assertThat(first.path("events").get(0).path("kind").asText()).isEqualTo("state");
        assertThat(appends.get(0).header("X-Tenant-Token")).isEqualTo(TOKEN);
        assertThat(finals).hasSize(1);
        JsonNode last = finals.get(0).json();
        assertThat(last.path("outcome").asText()).isEqualTo("success");
        assertThat(last.path("verdict").path("reason_code").asText()).isEqualTo("job_completed");
        assertThat(last.path("status_patch").path("job_state").asText()).isEqualTo("DONE");
        assertThat(last.path("summary").asText()).startsWith("Job reached terminal state DONE.");
    }

    @Test
    public void shouldOnlyWarnWhenTheDashboardCannotBeUpdated() {
        scriptDoneJob("rj_nodash");

        CliRun run = submitRun("--notebook-id", "nb-7");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.err()).contains("rockie: warning: dashboard finalize failed (HTTP 404)");
    }

    @Test
    public void shouldNotCallDoneWithoutAJobDoneLineASuccess() {
        rockie.acceptSubmit("rj_2", 17500).jobStates("rj_2", finished("DONE", "exiting", 500, null))
                .artifacts("rj_2", files("metrics.json", "{}"), storage);

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.FAILED.code());
        assertThat(state().path("outcome").asText()).isEqualTo("COULD_NOT_JUDGE");
        assertThat(state().path("job_done").asBoolean()).isFalse();
        assertThat(run.err()).contains("could not be judged");
    }

    @Test
    public void shouldReportAFailedJobWithExit1AndItsRedactedComputeError() {
        rockie.acceptSubmit("rj_3", 17500)
                .jobStates("rj_3", finished("FAILED", "Traceback ...", 300,
                        "CUDA OOM while fetching https://user:pa55w0rdZ@mirror.example.com/weights.bin"))
                .artifacts("rj_3", files("logs/train.log", "oom\n"), storage);

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.FAILED.code());
        assertThat(state().path("outcome").asText()).isEqualTo("FAILED");
        assertThat(state().path("compute_error").asText()).contains("CUDA OOM").contains("[REDACTED]");
    }

    @Test
    public void shouldReportACancelledJobWithExit130() {
        rockie.acceptSubmit("rj_4", 17500).jobStates("rj_4", poll("RUNNING", null, 5),
                finished("CANCELLED", "terminated", 50, null));

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.CANCELLED.code());
        assertThat(state().path("outcome").asText()).isEqualTo("CANCELLED");
    }

    @Test
    public void shouldPrintACreditGateEventOn402WhateverShapeTheCreditErrorHas() {
        String[] bodies = {
            "{\"detail\": {\"error\": {\"code\": \"insufficient_credit\", \"balance_cents\": 1200, "
                    + "\"needed_cents\": 27000, \"message\": \"Top up to continue\"}}}",
            "{\"detail\": {\"error\": {\"code\": \"insufficient_credit\", \"balance\": 1200, \"needed\": 27000, "
                    + "\"message\": \"Top up to continue\"}}}",
            "{\"detail\": {\"code\": \"insufficient_credit\", \"balance\": 1200, \"needed\": 27000, "
                    + "\"message\": \"Top up to continue\"}}",
            "{\"error\": {\"code\": \"insufficient_credit\", \"balance\": 1200, \"needed\": 27000, "
                    + "\"message\": \"Top up to continue\"}}"};
        for (int i = 0; i < bodies.length; i++) {
            String body = bodies[i];
            if (i > 0) {
                tearDown();
                setUp();
            }
            rockie.rejectSubmit(402, body);

            CliRun run = submitRun();

            assertThat(run.exitCode()).as(body).isEqualTo(RockieExit.CREDIT.code());
            JsonNode credit = event(run, "credit_gate");
            assertThat(credit.path("code").asText()).isEqualTo("insufficient_credit");
            assertThat(credit.path("balance_cents").asLong()).isEqualTo(1200);
            assertThat(credit.path("needed_cents").asLong()).isEqualTo(27000);
            assertThat(credit.path("message").asText()).isEqualTo("Top up to continue");
            assertThat(credit.path("checkout").path("skus").toString())
                    .isEqualTo("[\"compute:20\",\"compute:50\",\"compute:200\",\"compute:1000\"]");
            assertThat(state().path("outcome").asText()).isEqualTo("NEEDS_HUMAN");
            assertThat(state().path("phase").asText()).isEqualTo("rejected");
            assertThat(state().path("credit_error").path("needed_cents").asLong()).isEqualTo(27000);
            assertThat(rockie.count("GET", "/api/jobs/")).isZero();
        }
    }

    @Test
    public void shouldRetryABurstOf5xxWhilePolling() {
        ObjectNode running = jobBody("rj_5", poll("RUNNING", "step 1", 10));
        ObjectNode done = jobBody("rj_5", finished("DONE", "JOB_DONE", 90, null));
        rockie.acceptSubmit("rj_5", 17500)
                .on("GET", "/api/jobs/rj_5", json(503, "{}"), json(502, "bad gateway"), json(500, "{}"),
                        json(200, running), reset(), json(200, done))
                .artifacts("rj_5", files("metrics.json", "{}"), storage);

        CliRun run = submitRun();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(rockie.count("GET", "/api/jobs/rj_5")).isGreaterThanOrEqualTo(6);
        assertThat(run.err()).contains("HTTP 503; retry 1 of 3").contains("HTTP 500; retry 3 of 3");
    }

    @Test
    public void shouldReportInfraTransientWhenTheErrorsOutlastTheRetries() {
        rockie.acceptSubmit("rj_6", 17500).on("GET", "/api/jobs/rj_6", json(503, "{}"));

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.NETWORK.code());
        assertThat(state().path("outcome").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(rockie.count("GET", "/api/jobs/rj_6")).isEqualTo(4);
    }

    @Test
    public void shouldRetrySlowResponsesThatTimeOut() {
        ObjectNode done = jobBody("rj_7", finished("DONE", "JOB_DONE", 90, null));
        rockie.acceptSubmit("rj_7", 17500)
                .on("GET", "/api/jobs/rj_7", delayed(Duration.ofMillis(1500), json(200, done)),
                        delayed(Duration.ofMillis(1500), json(200, done)), json(200, done))
                .artifacts("rj_7", files("metrics.json", "{}"), storage);

        CliRun run = submitRun("--http-timeout", "0.3");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(run.err()).contains("HttpTimeoutException");
    }

    @Test
    public void shouldStopWithExit6WhenThePlatformDoesNotKnowTheJob() {
        rockie.acceptSubmit("rj_8", 17500).on("GET", "/api/jobs/rj_8", json(404, "{\"detail\": \"no such job\"}"));

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.JOB_NOT_FOUND.code());
        assertThat(state().path("outcome").asText()).isEqualTo("NEEDS_HUMAN");
    }

    @Test
    public void shouldStopWithExit7OnAnotherJobReadError() {
        rockie.acceptSubmit("rj_9", 17500).on("GET", "/api/jobs/rj_9", json(401, "{\"detail\": \"bad token\"}"));

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.JOB_READ_ERROR.code());
    }

    @Test
    public void shouldStopWithNeedsHumanWhenTheSubmitAnswerHasNoJobId() {
        rockie.on("POST", "/api/jobs/submit", json(200, "{\"estimated_cost_cents\": 17500}"));

        CliRun first = submitRun();
        CliRun second = submitRun();

        assertThat(first.exitCode()).isEqualTo(RockieExit.NO_JOB_ID.code());
        assertThat(second.exitCode()).isEqualTo(RockieExit.NO_JOB_ID.code());
        assertThat(state().path("outcome").asText()).isEqualTo("NEEDS_HUMAN");
        assertThat(state().path("job_id").isNull()).isTrue();
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldNotPostAgainAfterTheSubmitTimedOutUnlessConfirmed() {
        rockie.on("POST", "/api/jobs/submit", delayed(Duration.ofMillis(1500),
                json(200, "{\"job_id\": \"rj_10\"}")), json(200, "{\"job_id\": \"rj_10\"}"));
        rockie.jobStates("rj_10", finished("DONE", "JOB_DONE", 90, null))
                .artifacts("rj_10", files("metrics.json", "{}"), storage);

        CliRun timedOut = submitRun("--http-timeout", "0.3");
        CliRun rerun = submitRun();

        assertThat(timedOut.exitCode()).isEqualTo(RockieExit.NETWORK.code());
        assertThat(rerun.exitCode()).isEqualTo(RockieExit.NO_JOB_ID.code());
        assertThat(rerun.err()).contains("--confirm-resubmit");
        assertThat(state().path("phase").asText()).isEqualTo("posting");
        assertThat(state().path("outcome").asText()).isEqualTo("NEEDS_HUMAN");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);

        CliRun confirmed = submitRun("--confirm-resubmit");

        assertThat(confirmed.exitCode()).as(confirmed.toString()).isEqualTo(0);
        List<RockieTestServer.Recorded> posts = rockie.requests("POST", "/api/jobs/submit");
        assertThat(posts).hasSize(2);
        assertThat(posts.get(1).header("Idempotency-Key")).isEqualTo(posts.get(0).header("Idempotency-Key"));
        assertThat(posts.get(1).body()).isEqualTo(posts.get(0).body());
    }

    @Test
    public void shouldTreatA5xxOnSubmitAsAPossiblyCreatedJob() {
        rockie.on("POST", "/api/jobs/submit", json(500, "{\"detail\": \"upstream error\"}"));

        CliRun first = submitRun();
        CliRun second = submitRun();

        assertThat(first.exitCode()).isEqualTo(RockieExit.SUBMIT_ERROR.code());
        assertThat(second.exitCode()).isEqualTo(RockieExit.NO_JOB_ID.code());
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldPostAgainOnlyAfterADefiniteRefusal() {
        rockie.on("POST", "/api/jobs/submit", json(400, "{\"detail\": \"script too large\"}"));

        CliRun refused = submitRun();

        assertThat(refused.exitCode()).isEqualTo(RockieExit.SUBMIT_ERROR.code());
        assertThat(refused.err()).contains("script too large");
        assertThat(state().path("phase").asText()).isEqualTo("rejected");

        scriptDoneJob("rj_11");
        CliRun retried = submitRun();

        assertThat(retried.exitCode()).as(retried.toString()).isEqualTo(0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(2);
    }

    @Test
    public void shouldRetryARefusedConnectionAndRecordThatNothingWasSubmitted() {
        RockieTestServer gone = RockieTestServer.start();
        Map<String, String> deadEnv = RockieFixture.env(gone, dir);
        gone.close();

        CliRun run = FIXTURE.run(deadEnv, submit(dir, sheet));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(RockieExit.NETWORK.code());
        assertThat(state().path("outcome").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(state().path("phase").asText()).isEqualTo("prepared");
        assertThat(run.err()).contains("nothing was submitted");

        scriptDoneJob("rj_12");
        CliRun later = submitRun();

        assertThat(later.exitCode()).as(later.toString()).isEqualTo(0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldReattachAfterAFinishedSubmitInsteadOfPostingAgain() {
        scriptDoneJob("rj_13");

        CliRun first = submitRun();
        CliRun second = submitRun();

        assertThat(first.exitCode()).isEqualTo(0);
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(0);
        assertThat(event(second, "reattached").path("job_id").asText()).isEqualTo("rj_13");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
        assertThat(state().path("outcome").asText()).isEqualTo("DONE");
    }

    @Test
    public void shouldReattachAfterANoWaitSubmit() {
        scriptDoneJob("rj_14");

        CliRun noWait = submitRun("--no-wait");

        assertThat(noWait.exitCode()).isEqualTo(0);
        assertThat(state().path("job_id").asText()).isEqualTo("rj_14");
        assertThat(state().path("outcome").isNull()).isTrue();
        assertThat(rockie.count("GET", "/api/jobs/")).isZero();

        CliRun follow = submitRun();

        assertThat(follow.exitCode()).isEqualTo(0);
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
        assertThat(state().path("outcome").asText()).isEqualTo("DONE");

        CliRun look = submitRun("--no-wait");

        assertThat(look.exitCode()).isEqualTo(0);
        assertThat(state().path("outcome").asText()).as("a --no-wait re-run keeps the outcome").isEqualTo("DONE");
        assertThat(rockie.count("POST", "/api/jobs/submit")).isEqualTo(1);
    }

    @Test
    public void shouldKeepAFailedOutcomeAndItsExitCodeOnANoWaitReattach() {
        rockie.acceptSubmit("rj_19", 17500).jobStates("rj_19", finished("FAILED", "boom", 300, "exit 1"));
        assertThat(submitRun().exitCode()).isEqualTo(RockieExit.FAILED.code());

        CliRun look = submitRun("--no-wait");

        assertThat(look.exitCode()).isEqualTo(RockieExit.FAILED.code());
        assertThat(event(look, "result").path("outcome").asText()).isEqualTo("FAILED");
    }

    @Test
    public void shouldNotJudgeAJobWhoseArtifactHasTheWrongSize() {
        ObjectNode list = Json.object();
        list.putArray("artifacts").addObject().put("name", "metrics.json").put("size_bytes", 100)
                .put("url", storage.url() + "/storage/rj_15/metrics.json?X-Amz-Signature=abc123def456");
        storage.on("GET", "/storage/rj_15/metrics.json", RockieTestServer.bytes(200,
                "{\"acc\": 1}".getBytes(StandardCharsets.UTF_8)));
        rockie.acceptSubmit("rj_15", 17500).jobStates("rj_15", finished("DONE", "JOB_DONE", 90, null))
                .on("GET", "/api/jobs/rj_15/artifacts", json(200, list));

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.JOB_READ_ERROR.code());
        assertThat(state().path("outcome").asText()).isEqualTo("COULD_NOT_JUDGE");
        assertThat(state().path("detail").asText()).contains("the platform declared 100");
        assertThat(Path.of(state().path("artifacts_dir").asText()).resolve("metrics.json")).doesNotExist();
    }

    @Test
    public void shouldNotJudgeAJobWhoseArtifactHasNoSize() {
        ObjectNode list = Json.object();
        list.putArray("artifacts").addObject().put("name", "metrics.json")
                .put("url", storage.url() + "/storage/rj_16/metrics.json");
        rockie.acceptSubmit("rj_16", 17500).jobStates("rj_16", finished("DONE", "JOB_DONE", 90, null))
                .on("GET", "/api/jobs/rj_16/artifacts", json(200, list));

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.JOB_READ_ERROR.code());
        assertThat(state().path("detail").asText()).contains("no size");
    }

    @Test
    public void shouldRefuseAnArtifactNameThatLeavesTheArtifactsDirectory() {
        rockie.acceptSubmit("rj_17", 17500).jobStates("rj_17", finished("DONE", "JOB_DONE", 90, null))
                .artifacts("rj_17", files("../../escaped.txt", "x"), storage);

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(RockieExit.JOB_READ_ERROR.code());
        assertThat(state().path("detail").asText()).contains("unsafe name");
        assertThat(dir.resolve("escaped.txt")).doesNotExist();
        assertThat(storage.requests()).isEmpty();
    }

    @Test
    public void shouldMaskTheJobSecretWhenTheJobEchoesIt() {
        rockie.acceptSubmit("rj_18", 17500)
                .jobStates("rj_18", poll("RUNNING", "debug: HF token is " + ENV_SECRET, 5),
                        finished("DONE", "JOB_DONE", 50, null))
                .artifacts("rj_18", files("metrics.json", "{}"), storage);

        CliRun run = submitRun();

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.err()).contains("debug: HF token is [REDACTED]");
    }

    @Test
    public void shouldNotMistakeAPlainValuePassedByNameForASecretInTheScriptOrSheet() throws Exception {
        Path script = dir.resolve("named.sh");
        Files.writeString(script, "#!/usr/bin/env bash\necho lora_finetune on A100_80GB\necho JOB_DONE\n");
        Map<String, String> withShape = new java.util.HashMap<>(env);
        withShape.put("JOB_SHAPE", "lora_finetune");
        rockie.acceptSubmit("rj_20", 17500).jobStates("rj_20", finished("DONE", "JOB_DONE", 50, null))
                .artifacts("rj_20", files("metrics.json", "{}"), storage);

        CliRun run = FIXTURE.run(withShape, submit(dir, sheet, "--script", script.toString(), "--env",
                "JOB_SHAPE"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(rockie.requests("POST", "/api/jobs/submit").get(0).json().path("budget_term_sheet")
                .path("job_shape").asText()).isEqualTo("lora_finetune");
    }
}
