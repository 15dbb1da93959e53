package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.ExitCode;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One submission from an approved term sheet to a judged outcome: at most one POST, then polling, then artifacts.
 *
 * <p>At most once: the state file is written before the POST (phase {@code prepared}, then {@code posting}) and
 * updated with the job id after it ({@code submitted}). A re-run reads it: with a job id it re-attaches; with a
 * POST that may have reached the platform but no job id it stops with NEEDS_HUMAN (exit 8) unless
 * {@code --confirm-resubmit}, and then posts again with the same {@code Idempotency-Key}. The POST itself is only
 * retried when the connection was never made (nothing was sent).
 *
 * <p>The approval's signature is checked before anything else, before any network call; the
 * {@code Idempotency-Key} is derived from the signed approval alone, so every POST made under one approval (from
 * any state file, ledger or agent) carries the same key and a platform that honours it creates one job.
 */
public final class SubmitFlow {
    static final Set<String> TERMINAL = Set.of("DONE", "FAILED", "CANCELLED");
    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    static final Pattern JOB_DONE = Pattern.compile("(?m)^\\s*JOB_DONE\\b");
    static final int MAX_LOG_LINE = 400;

    private final SubmitRequest request;
    private final RockieClient client;
    private final Events out;
    private final Redactor redactor;
    private final ApprovalLedger ledger;
    private final ApprovalKey approvalKey;
    private final Random random = new Random();

    private final TransientRetry retry;
    private final ArtifactDownloads artifacts;
    private DashboardNote dashboard;
    private SubmissionState state;
    private String lastProblem;

    public SubmitFlow(SubmitRequest request, RockieClient client, Events out, ApprovalLedger ledger,
                      ApprovalKey approvalKey) {
        this.request = request;
        this.client = client;
        this.out = out;
        this.redactor = out.redactor();
        this.retry = new TransientRetry(out, request.maxRetries(), request.pollIntervalSeconds(), this::jitter);
        this.artifacts = new ArtifactDownloads(request, client, out, retry);
        this.ledger = ledger;
        this.approvalKey = approvalKey;
    }

    /**
     * Submits (or re-attaches) under an exclusive lock on {@code <state file>.lock}, so two submissions never share
     * one state file, and returns the typed result. A refusal before anything is posted is a RockieException.
     */
    public SubmitResult submit(TermSheet sheet) throws InterruptedException {
        int exitCode = StateFileLock.holding(request.stateFile(), () -> run(sheet));
        return SubmitResult.of(exitCode, state);
    }

    /**
     * The idempotency key: a hash of the signed approval alone (its HMAC covers the quote, the budget, the
     * approver and the time), not of the run id or state file, so one approval always posts with one key.
     */
    public static String idempotencyKey(TermSheet approved) {
        String material = "day0-rockie-submit/v2\n" + approved.approvalHmac();
        return FileDigest.sha256(material.getBytes(StandardCharsets.UTF_8));
    }

    public int run(TermSheet sheet) throws InterruptedException {
        Approval.verify(sheet, approvalKey);
        ledger.requireWritable();
        String quoteSha = sheet.recordedSha256();
        String key = idempotencyKey(sheet);
        state = SubmissionState.readIfExists(request.stateFile());
        if (state == null) {
            String runId = request.runId() != null ? request.runId() : UUID.randomUUID().toString();
            ledger.requireUnusedOrSame(quoteSha, runId);
            state = SubmissionState.prepare(key, sheet, quoteSha, request, runId);
            save();
            return post(sheet);
        }
        if (!state.quoteSha256().equals(quoteSha)) {
            throw RockieException.usage(request.stateFile() + " belongs to another term sheet (quote_sha256 "
                    + state.quoteSha256() + "); give this submission its own --state-file");
        }
        if (!state.scriptSha256().equals(request.scriptSha256())) {
            throw RockieException.notApproved("SHEET_ALREADY_USED", "this approved term sheet was used with "
                    + "another script (script_sha256 " + state.scriptSha256() + " in " + request.stateFile()
                    + "); one approval covers one submission: quote and approve again");
        }
        if (request.runId() != null && !request.runId().equals(state.runId())) {
            throw RockieException.notApproved("SHEET_ALREADY_USED", "this approved term sheet was used by run "
                    + state.runId() + " (" + request.stateFile() + "); one approval covers one submission");
        }
        if (!key.equals(state.idempotencyKey())) {
            throw RockieException.usage(request.stateFile() + ": idempotency_key does not match the approval it "
                    + "records (it was edited, or written by an older day0); a person must look at it");
        }
        ledger.requireUnusedOrSame(quoteSha, state.runId());
        switch (state.phase()) {
            case SubmissionState.SUBMITTED -> {
                String jobId = state.jobId();
                if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
                    return finish(Outcome.NEEDS_HUMAN, RockieExit.NO_JOB_ID.code(), request.stateFile()
                            + " says submitted but holds no usable job id: a person must look");
                }
                out.say("rockie: re-attaching to job " + jobId + " (from " + request.stateFile() + "); nothing is "
                        + "submitted again");
                ObjectNode event = event("reattached");
                event.put("job_id", jobId);
                event.put("idempotency_key", state.idempotencyKey());
                out.event(event);
                if (request.noWait()) {
                    // Not following the job: report what the state file knows and leave its outcome as it is.
                    Outcome known = state.outcome() == null ? null : Outcome.valueOf(state.outcome());
                    int code = state.json().path("exit_code").isInt() ? state.json().get("exit_code").intValue()
                            : RockieExit.DONE.code();
                    return finish(known, code, state.json().path("detail").isTextual()
                            ? state.json().get("detail").textValue() : null);
                }
                state.clearOutcome();
                save();
                return watch();
            }
            case SubmissionState.PREPARED, SubmissionState.REJECTED -> {
                return post(sheet);
            }
            case SubmissionState.POSTING -> {
                if (!request.confirmResubmit()) {
                    return finish(Outcome.NEEDS_HUMAN, RockieExit.NO_JOB_ID.code(), "a submission was started ("
                            + request.stateFile() + ", posted_at " + state.json().path("posted_at").asText("?")
                            + ", Idempotency-Key " + state.idempotencyKey() + ") but no job id was recorded: the "
                            + "platform may have created the job. Look for it on the platform; if there is none, "
                            + "re-run with --confirm-resubmit to post again with the same Idempotency-Key");
                }
                out.say("rockie: --confirm-resubmit: posting again with the same Idempotency-Key "
                        + state.idempotencyKey());
                return post(sheet);
            }
            default -> throw RockieException.usage(request.stateFile() + ": unknown phase \"" + state.phase()
                    + "\"");
        }
    }

    private int post(TermSheet sheet) throws InterruptedException {
        ledger.claim(state.quoteSha256(), sheet.quoteId(), state.idempotencyKey(), state.runId(), request.stateFile(),
                redactor);
        state.phase(SubmissionState.POSTING);
        state.clearOutcome();
        state.posted();
        save();
        String body = Json.writeLine(body(sheet));
        RockieClient.Response response;
        int refusedConnections = 0;
        while (true) {
            try {
                response = client.submit(body, state.idempotencyKey());
            } catch (ConnectException | HttpConnectTimeoutException e) {
                // The connection was never made, so nothing was sent: trying again cannot submit twice.
                refusedConnections++;
                if (refusedConnections > request.maxRetries()) {
                    state.phase(SubmissionState.PREPARED);
                    return finish(Outcome.INFRA_TRANSIENT, RockieExit.NETWORK.code(), "cannot connect to "
                            + client.config().apiUrl() + " (" + describe(e) + ") after " + refusedConnections
                            + " attempts; nothing was submitted");
                }
                retry.pause("POST /api/jobs/submit: " + describe(e), refusedConnections);
                continue;
            } catch (IOException e) {
                return finish(Outcome.NEEDS_HUMAN, RockieExit.NETWORK.code(), "POST /api/jobs/submit: "
                        + describe(e) + " after the request was sent: the platform may have created the job. "
                        + "Look for it; re-run with --confirm-resubmit to post again with the same "
                        + "Idempotency-Key");
            }
            break;
        }
        int status = response.status();
        JsonNode answer = parseQuietly(response.body());
        if (response.ok() || status == 409 && answer != null && answer.path("job_id").isTextual()) {
            String jobId = answer == null ? null : answer.path("job_id").asText(null);
            if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
                return finish(Outcome.NEEDS_HUMAN, RockieExit.NO_JOB_ID.code(), "the platform answered the submit "
                        + "with HTTP " + status + " but no usable job_id: a job may exist. Look for it "
                        + "(Idempotency-Key " + state.idempotencyKey() + ")");
            }
            Path dir = request.artifactsDir() != null ? request.artifactsDir()
                    : request.stateFile().toAbsolutePath().getParent().resolve("rockie-artifacts")
                            .resolve(jobId.replace(':', '_'));
            state.submitted(jobId, answer, dir);
            save();
            ObjectNode event = event("submitted");
            event.put("job_id", jobId);
            event.set("estimated_cost_cents", answer.path("estimated_cost_cents").isNumber()
                    ? answer.get("estimated_cost_cents") : null);
            event.put("dashboard_note_id", answer.path("dashboard_note_id").asText(null));
            event.put("idempotency_key", state.idempotencyKey());
            event.put("state_file", request.stateFile().toString());
            out.event(event);
            out.say("rockie: submitted job " + jobId + " (estimated " + Money.format(answer.path(
                    "estimated_cost_cents").isNumber() ? answer.get("estimated_cost_cents").longValue() : null)
                    + ", budget " + Money.format(state.json().path("budget_cents").longValue()) + ")");
            return afterSubmit();
        }
        String message = platformMessage(answer, response.body());
        if (status == 402) {
            ObjectNode credit = CreditError.event(response.body());
            state.phase(SubmissionState.REJECTED);
            ObjectNode recorded = credit.deepCopy();
            recorded.remove("event");
            state.creditError(recorded);
            out.event(credit);
            return finish(Outcome.NEEDS_HUMAN, RockieExit.CREDIT.code(), "HTTP 402: not enough credit ("
                    + credit.path("message").asText("") + "); nothing was submitted. Add credit, then re-run");
        }
        if (status >= 400 && status < 500 && status != 408 && status != 409) {
            state.phase(SubmissionState.REJECTED);
            return finish(Outcome.NEEDS_HUMAN, RockieExit.SUBMIT_ERROR.code(), "the platform refused the submit: "
                    + "HTTP " + status + (message.isEmpty() ? "" : ": " + message) + "; nothing was submitted");
        }
        return finish(Outcome.NEEDS_HUMAN, RockieExit.SUBMIT_ERROR.code(), "the submit answered HTTP " + status
                + (message.isEmpty() ? "" : ": " + message) + ": the platform may have created the job. Look for "
                + "it; re-run with --confirm-resubmit to post again with the same Idempotency-Key");
    }

    private ObjectNode body(TermSheet sheet) {
        ObjectNode body = Json.object();
        body.put("tenant_id", client.config().tenantId());
        ObjectNode spec = body.putObject("spec");
        spec.put("gpu_type", request.gpuType().name());
        spec.put("gpu_count", request.gpuCount());
        spec.put("region", request.region());
        spec.put("tier", request.tier());
        body.put("script", request.script());
        ObjectNode env = body.putObject("env");
        request.jobEnv().forEach(env::put);
        body.put("timeout_seconds", request.timeoutSeconds());
        body.put("budget_cents", sheet.userBudgetCents());
        ObjectNode termSheet = sheet.json();
        // The platform needs the approval, not its signature: the HMAC stays on this side.
        ((ObjectNode) termSheet.path(TermSheet.DECISION)).remove(Approval.HMAC_FIELD);
        body.set("budget_term_sheet", termSheet);
        if (request.notebookId() != null) {
            ObjectNode dashboard = body.putObject("dashboard");
            dashboard.put("notebook_id", request.notebookId());
            dashboard.put("run_name", request.runName() != null ? request.runName()
                    : sheet.jobShape() + "-" + state.runId().substring(0, Math.min(8, state.runId().length())));
            dashboard.put("origin_skill", request.originSkill());
            String software = MonitoringProfiles.inferSoftware(request.script(), null);
            String profileId = MonitoringProfiles.profileId(request.monitoringProfileId(), software);
            dashboard.put("software", software);
            dashboard.put("monitoring_profile_id", profileId);
            ObjectNode snapshot = MonitoringProfiles.snapshot(profileId, dashboard.path("run_name").asText(),
                    request.originSkill(), software, request.monitoringProfileId() != null);
            snapshot.set("budget_term_sheet", sheet.json());
            dashboard.set("monitoring_profile_snapshot", snapshot);
            dashboard.put("quote_id", sheet.quoteId());
        }
        return body;
    }

    private int afterSubmit() throws InterruptedException {
        if (request.noWait()) {
            out.say("rockie: --no-wait: not following the job; re-run the same command to re-attach");
            return finish(null, RockieExit.DONE.code(), null);
        }
        return watch();
    }

    private int watch() throws InterruptedException {
        String jobId = state.jobId();
        Instant since = parseInstant(state.submittedAt());
        Instant deadline = since.plusSeconds(request.timeoutSeconds() + request.graceSeconds());
        while (true) {
            RockieClient.Response response = withRetries("GET /api/jobs/" + jobId, () -> client.getJob(jobId));
            if (response == null) {
                return finish(Outcome.INFRA_TRANSIENT, RockieExit.NETWORK.code(), "reading job " + jobId + ": "
                        + lastProblem + ", still failing after " + request.maxRetries() + " retries; the job "
                        + "may still be running: re-run to re-attach");
            }
            if (response.status() == 404) {
                return finish(Outcome.NEEDS_HUMAN, RockieExit.JOB_NOT_FOUND.code(), "job " + jobId
                        + " is not known to the platform (HTTP 404)");
            }
            JsonNode job = parseQuietly(response.body());
            if (!response.ok() || job == null || !job.isObject() || !job.path("state").isTextual()) {
                return finish(Outcome.NEEDS_HUMAN, RockieExit.JOB_READ_ERROR.code(), "reading job " + jobId
                        + ": HTTP " + response.status() + (response.ok() ? ", no state in the answer" : ": "
                        + platformMessage(job, response.body())));
            }
            String logLine = job.path("last_log_line").isTextual() ? job.get("last_log_line").textValue() : null;
            boolean sawJobDone = logLine != null && JOB_DONE.matcher(logLine).find();
            String shown = logLine == null ? null : oneLine(redactor.redact(logLine));
            if (state.observe(job, shown, sawJobDone)) {
                report(jobId, since);
            }
            save();
            String platformState = job.get("state").textValue();
            String noteId = state.json().path("dashboard_note_id").asText(null);
            if (noteId != null && !noteId.isBlank()) {
                if (dashboard == null) {
                    dashboard = new DashboardNote(jobId, redactor);
                }
                if (TERMINAL.contains(platformState)) {
                    postDashboard(noteId, "finalize", dashboard.finalize(job));
                } else {
                    ObjectNode append = dashboard.append(job);
                    if (append != null && postDashboard(noteId, "append", append)) {
                        dashboard.appended(append);
                    }
                }
            }
            if (TERMINAL.contains(platformState)) {
                return terminal(platformState);
            }
            if (Instant.now().isAfter(deadline)) {
                return finish(Outcome.NEEDS_HUMAN, RockieExit.JOB_READ_ERROR.code(), "job " + jobId + " is still "
                        + platformState + " " + request.graceSeconds() + " s past its timeout of "
                        + request.timeoutSeconds() + " s: the platform should have stopped it; a person must look");
            }
            sleep(jitter(request.pollIntervalSeconds()));
        }
    }

    /** One dashboard update; a failure is a warning, never the job's outcome. Returns whether it landed. */
    private boolean postDashboard(String noteId, String action, ObjectNode body) throws InterruptedException {
        try {
            RockieClient.Response response = client.postDashboard(noteId, action, Json.writeLine(body));
            if (response.ok()) {
                return true;
            }
            out.say("rockie: warning: dashboard " + action + " failed (HTTP " + response.status() + "): "
                    + oneLine(redactor.redact(response.body())));
        } catch (IOException e) {
            out.say("rockie: warning: dashboard " + action + " failed: " + describe(e));
        }
        return false;
    }

    private void report(String jobId, Instant since) {
        long elapsed = Math.max(0, Duration.between(since, Instant.now()).getSeconds());
        Long cost = state.costSoFarCents();
        String log = state.json().path("last_log_line").isNull() ? null
                : state.json().path("last_log_line").asText();
        out.say("rockie: job " + jobId + " " + state.platformState() + " | elapsed " + clock(elapsed)
                + " | cost so far " + Money.format(cost) + (log == null ? "" : " | " + log));
        ObjectNode event = event("job_state");
        event.put("job_id", jobId);
        event.put("state", state.platformState());
        event.put("elapsed_seconds", elapsed);
        if (cost == null) {
            event.putNull("cost_so_far_cents");
        } else {
            event.put("cost_so_far_cents", cost);
        }
        event.put("last_log_line", log);
        out.event(event);
    }

    private int terminal(String platformState) throws InterruptedException {
        String jobId = state.jobId();
        String computeError = state.json().path("compute_error").isNull() ? null
                : state.json().path("compute_error").asText();
        switch (platformState) {
            case "CANCELLED" -> {
                return finish(Outcome.CANCELLED, RockieExit.CANCELLED.code(), "job " + jobId + " was cancelled");
            }
            case "FAILED" -> {
                List<String> problems = artifacts.fetch(state, this::save);
                return finish(Outcome.FAILED, RockieExit.FAILED.code(), "job " + jobId + " failed"
                        + (computeError == null ? "" : ": " + computeError)
                        + (problems.isEmpty() ? "" : " (artifacts: " + String.join("; ", problems) + ")"));
            }
            default -> {
                List<String> problems = artifacts.fetch(state, this::save);
                if (!state.jobDone()) {
                    return finish(Outcome.COULD_NOT_JUDGE, RockieExit.FAILED.code(), "job " + jobId + " ended DONE "
                            + "but no JOB_DONE line was seen in its log: the run could not be judged, it is not a "
                            + "success" + (problems.isEmpty() ? "" : " (artifacts: " + String.join("; ", problems)
                            + ")"));
                }
                if (!problems.isEmpty()) {
                    return finish(Outcome.COULD_NOT_JUDGE, RockieExit.JOB_READ_ERROR.code(), "job " + jobId
                            + " ended DONE but its artifacts could not be checked: " + String.join("; ", problems));
                }
                return finish(Outcome.DONE, RockieExit.DONE.code(), "job " + jobId + " DONE with JOB_DONE; "
                        + state.json().path("artifacts").size() + " artifact(s) downloaded and size-checked");
            }
        }
    }

    /** An idempotent GET with retries; null when failures persist ({@link #lastProblem} says what it was). */
    private RockieClient.Response withRetries(String what, TransientRetry.Call call) throws InterruptedException {
        RockieClient.Response response = retry.run(what, call);
        if (response == null) {
            lastProblem = retry.lastProblem();
        }
        return response;
    }

    /** Spreads clients out: the delay times a factor between 0.8 and 1.2. */
    private double jitter(double seconds) {
        return seconds * (0.8 + 0.4 * random.nextDouble());
    }

    private static void sleep(double seconds) throws InterruptedException {
        Thread.sleep(Math.max(1L, Math.round(seconds * 1000)));
    }

    /** The {@code exit} object of a result or refusal event: the code, its name and meaning from {@link RockieExit}. */
    static ObjectNode exitJson(int exitCode) {
        return ExitCode.of(RockieExit.class, exitCode).map(ExitCode::toJson).orElseGet(() -> {
            ObjectNode unknown = Json.object();
            unknown.put("code", exitCode);
            unknown.put("name", "UNKNOWN");
            unknown.put("meaning", "exit code " + exitCode);
            return unknown;
        });
    }

    private int finish(Outcome outcome, int exitCode, String detail) {
        state.finish(outcome, exitCode, detail);
        save();
        if (detail != null) {
            out.say("rockie: " + (outcome == null ? "" : outcome + ": ") + detail);
        }
        ObjectNode event = event("result");
        event.put("outcome", outcome == null ? null : outcome.name());
        event.put("exit_code", exitCode);
        event.put("job_id", state.jobId());
        event.put("state", state.platformState());
        event.put("job_done", state.jobDone());
        JsonNode cost = state.json().get("cost_actual_cents");
        event.set("cost_actual_cents", cost == null ? null : cost);
        event.put("artifacts_dir", state.artifactsDir() == null ? null : state.artifactsDir().toString());
        event.put("state_file", request.stateFile().toString());
        event.put("detail", detail);
        event.set("exit", exitJson(exitCode));
        out.event(event);
        return exitCode;
    }

    private void save() {
        state.write(request.stateFile(), redactor);
    }

    private static ObjectNode event(String name) {
        ObjectNode event = Json.object();
        event.put("event", name);
        return event;
    }

    static JsonNode parseQuietly(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return Json.mapper().readTree(body);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String platformMessage(JsonNode answer, String body) {
        if (answer != null && answer.isObject()) {
            for (String field : List.of("detail", "error", "message")) {
                JsonNode value = answer.get(field);
                if (value != null && value.isTextual()) {
                    return oneLine(value.textValue());
                }
                if (value != null && value.isObject() && value.path("message").isTextual()) {
                    return oneLine(value.path("message").textValue());
                }
            }
        }
        return body == null ? "" : oneLine(body);
    }

    static String text(JsonNode item, String first, String second) {
        JsonNode value = item.has(first) ? item.get(first) : item.get(second);
        return value != null && value.isTextual() && !value.textValue().isBlank() ? value.textValue() : null;
    }

    static String oneLine(String text) {
        String line = text.strip().replace("\r\n", "\n").replace('\r', '\n').replace("\n", " | ");
        return line.length() > MAX_LOG_LINE ? line.substring(0, MAX_LOG_LINE) + "..." : line;
    }

    static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    private static Instant parseInstant(String text) {
        try {
            return text == null ? Instant.now() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return Instant.now();
        }
    }

    static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null || e.getMessage().isBlank() ? name : name + ": " + oneLine(e.getMessage());
    }
}
