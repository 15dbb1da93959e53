package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.FailureClass;
import dev.day0.core.Stage;
import dev.day0.io.Json;
import dev.day0.io.LineLog;
import dev.day0.io.RedactingWriter;
import dev.day0.io.VerbatimFiles;
import dev.day0.redact.Redactor;
import dev.day0.rockie.Approval;
import dev.day0.rockie.ApprovalKey;
import dev.day0.rockie.ApprovalLedger;
import dev.day0.rockie.Events;
import dev.day0.rockie.GpuType;
import dev.day0.rockie.Outcome;
import dev.day0.rockie.Preflight;
import dev.day0.rockie.Render;
import dev.day0.rockie.RockieClient;
import dev.day0.rockie.RockieConfig;
import dev.day0.rockie.RockieException;
import dev.day0.rockie.RockieExit;
import dev.day0.rockie.SubmissionState;
import dev.day0.rockie.SubmitFlow;
import dev.day0.rockie.SubmitRequest;
import dev.day0.rockie.SubmitResult;
import dev.day0.rockie.TermSheet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code rockie} stage: the approval before anything is spent, then one submission through the Rockie submit
 * flow, with every check {@code day0 rockie submit} makes (approval, hash, shape, wall-clock, budget, ledger,
 * at-most-once state file). A re-run finds the stage's state file and re-attaches to the job instead of
 * submitting again.
 *
 * <p>Files, under {@code WORKDIR/rockie/STAGE/}: {@code approved-term-sheet.json} (the approval this stage
 * submits under) and {@code submission.json} (the rockie state file). Artifacts go to {@code STAGE_DIR/artifacts}.
 */
final class RockieJobRunner implements StageRunner {
    static final String APPROVED_SHEET = "approved-term-sheet.json";
    static final String SUBMISSION = "submission.json";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    /** Outcomes after which a new approval may start a new submission for the stage. */
    private static final Set<String> ENDED_WITHOUT_SUCCESS = Set.of(Outcome.FAILED.name(),
            Outcome.CANCELLED.name(), Outcome.COULD_NOT_JUDGE.name());
    /** Exit codes of a refusal a person has to act on (usage, credit, missing or wrong approval, budget). */
    private static final Set<Integer> REFUSED = Set.of(RockieExit.USAGE.code(), RockieExit.CREDIT.code(),
            RockieExit.NO_TERM_SHEET.code(), RockieExit.NOT_APPROVED.code(), RockieExit.BUDGET.code());

    private final ReleasePlan.StageSpec spec;

    RockieJobRunner(ReleasePlan.StageSpec spec) {
        this.spec = spec;
    }

    @Override
    public StepResult run(StageContext ctx) {
        return submit(ctx, ctx.state().runs(spec.stage()), ctx.options().confirmResubmit());
    }

    Path dir(StageContext ctx) {
        return ctx.workdir().resolve("rockie").resolve(spec.key());
    }

    Path approvedSheet(StageContext ctx) {
        return dir(ctx).resolve(APPROVED_SHEET);
    }

    Path stateFile(StageContext ctx) {
        return dir(ctx).resolve(SUBMISSION);
    }

    private Path stageDir(StageContext ctx) {
        return ctx.stageDir(spec.stage());
    }

    private Path script(StageContext ctx) {
        return spec.rockie().script().resolve(ctx.plan().dir(), ctx.workdir(), stageDir(ctx));
    }

    // ------------------------------------------------------------------------------------------ approval

    /**
     * Makes sure this stage has an approval to submit under, before any stage of the run spends anything: a sheet
     * given with --approve, one approved earlier in this run, a submission to re-attach to, or a person approving
     * the quote at this terminal. Returns null when the stage is ready, else why not.
     */
    StepResult prepareApproval(StageContext ctx, Path given, Terminal terminal) {
        try {
            SubmissionState existing = SubmissionState.readIfExists(stateFile(ctx));
            if (given != null) {
                return adopt(ctx, given, existing);
            }
            if (Files.isRegularFile(approvedSheet(ctx))) {
                check(ctx, TermSheet.read(approvedSheet(ctx), ctx.redactor()));
                return null;
            }
            if (existing != null) {
                return failed(FailureClass.USER_CONFIG_ERROR, stateFile(ctx) + " records a submission but its "
                        + "approved sheet " + approvedSheet(ctx) + " is gone: a person must look");
            }
            if (terminal.interactive()) {
                return approveAtTerminal(ctx, terminal);
            }
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + " runs on Rockie and needs an "
                    + "approved term sheet before anything is spent: run this command on a terminal to approve the "
                    + "quote" + (spec.rockie().termSheet() == null ? " (set stages." + spec.key() + ".term_sheet)"
                    : "") + ", or pass --approve " + spec.key() + "=APPROVED.json (day0 rockie approve); nothing "
                    + "was run");
        } catch (RockieException e) {
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + ": refused (" + e.reason()
                    + "): " + e.getMessage());
        }
    }

    /**
     * The stage's quote when it waits for a person's approval: nothing approved for it in this run, no submission to
     * re-attach to, and a quote in the plan to approve. Null when the stage can go on (or fail) without asking.
     */
    Path quoteAwaitingApproval(StageContext ctx) {
        if (Files.isRegularFile(approvedSheet(ctx)) || Files.exists(stateFile(ctx))
                || spec.rockie().termSheet() == null) {
            return null;
        }
        return spec.rockie().termSheet().resolve(ctx.plan().dir(), ctx.workdir(), stageDir(ctx));
    }

    /** The quote as a person reads it ({@code day0 rockie render}). */
    String render(StageContext ctx, Path quote) {
        return Render.text(TermSheet.read(quote, ctx.redactor()));
    }

    private StepResult adopt(StageContext ctx, Path given, SubmissionState existing) {
        TermSheet sheet = TermSheet.read(given, ctx.redactor());
        check(ctx, sheet);
        String sha = sheet.recordedSha256();
        if (existing != null && !existing.quoteSha256().equals(sha)) {
            if (existing.outcome() != null && ENDED_WITHOUT_SUCCESS.contains(existing.outcome())
                    || SubmissionState.REJECTED.equals(existing.phase())) {
                Path archived = dir(ctx).resolve("submission." + Instant.now().toEpochMilli() + ".json");
                move(stateFile(ctx), archived);
                ctx.progress().line("  " + spec.key() + ": the earlier submission ended " + (existing.outcome() == null
                        ? existing.phase() : existing.outcome()) + " (kept as " + archived + "); the new "
                        + "approval starts a new one");
                existing = null;
            } else {
                return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + " has a submission in "
                        + stateFile(ctx) + " (phase " + existing.phase() + ", job " + existing.jobId() + ", outcome "
                        + existing.outcome() + ") under another approval: resume without a new --approve for "
                        + spec.key() + " to re-attach to it");
            }
        }
        if (existing == null && new ApprovalLedger(ApprovalLedger.defaultDir(ctx.env())).use(sha) != null) {
            return failed(FailureClass.USER_CONFIG_ERROR, given + ": this approval was already used for a "
                    + "submission (one approved sheet covers one submission): quote and approve again");
        }
        write(ctx, approvedSheet(ctx), Json.write(sheet.json()) + "\n");
        ctx.progress().line("  " + spec.key() + ": approved term sheet " + sheet.quoteId() + " by "
                + sheet.approvedBy() + " (" + given + ")");
        return null;
    }

    private StepResult approveAtTerminal(StageContext ctx, Terminal terminal) {
        if (spec.rockie().termSheet() == null) {
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + " has no quote to approve: set "
                    + "stages." + spec.key() + ".term_sheet (day0 rockie quote), or pass --approve");
        }
        Path quoteFile = spec.rockie().termSheet().resolve(ctx.plan().dir(), ctx.workdir(), stageDir(ctx));
        TermSheet quote = TermSheet.read(quoteFile, ctx.redactor());
        Progress progress = ctx.progress();
        progress.line("");
        progress.line("Stage " + spec.key() + " runs on Rockie and spends GPU money. The quote:");
        Render.text(quote).lines().forEach(line -> progress.line("  " + line));
        String answer = terminal.ask("Type approve to approve this term sheet for stage " + spec.key()
                + " (one submission, within its budget); anything else stops the run: ");
        if (answer == null || !answer.trim().equals("approve")) {
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + ": the term sheet was not "
                    + "approved at the terminal (only the word approve approves); nothing was run");
        }
        ObjectNode approved = Approval.approve(quote, approver(ctx), null, Instant.now(),
                ApprovalKey.forApproving(ctx.env()));
        write(ctx, approvedSheet(ctx), Json.write(approved) + "\n");
        check(ctx, TermSheet.read(approvedSheet(ctx), ctx.redactor()));
        progress.line("  " + spec.key() + ": approved by " + approver(ctx) + " at the terminal");
        return null;
    }

    private static String approver(StageContext ctx) {
        for (String name : List.of("USER", "LOGNAME")) {
            String value = ctx.env().get(name);
            if (value != null && value.matches("[\\p{L}\\p{N}][\\p{L}\\p{N}._@+-]{0,60}")) {
                return value + " at a terminal";
            }
        }
        return "unnamed terminal user";
    }

    /** The submit flow's own checks, made now so a wrong sheet stops the run before anything is spent. */
    private void check(StageContext ctx, TermSheet sheet) {
        Preflight.check(sheet, request(ctx).scriptFile(script(ctx)).build());
        Approval.verify(sheet, ApprovalKey.forChecking(ctx.env()));
        // A job of a candidate's sheet (docs/release.md, "Recipe ladder") is signed for one plan's stage only.
        var covers = sheet.json().path(TermSheet.DECISION).path(Approval.COVERS_FIELD);
        if (!covers.isMissingNode() && !(ctx.plan().name().equals(covers.path("plan").asText())
                && spec.key().equals(covers.path("stage").asText()))) {
            throw new RockieException(RockieExit.NOT_APPROVED.code(), "NOT_COVERED", sheet.source() + ": this "
                    + "approval covers stage " + covers.path("stage").asText() + " of plan "
                    + covers.path("plan").asText() + ", not stage " + spec.key() + " of plan " + ctx.plan().name()
                    + "; approve this job's own quote");
        }
    }

    /** The request as far as the plan says it: shape, approval, state file, polling. */
    private SubmitRequest.Builder request(StageContext ctx) {
        ReleasePlan.RockieSpec rockie = spec.rockie();
        return SubmitRequest.builder()
                .shape(GpuType.parse(rockie.gpuType()).orElseThrow(), rockie.gpuCount(), rockie.timeoutSeconds(),
                        rockie.region(), rockie.tier())
                .termSheet(approvedSheet(ctx)).stateFile(stateFile(ctx))
                .pollIntervalSeconds(rockie.pollIntervalSeconds());
    }

    // ---------------------------------------------------------------------------------------- submission

    /** Submits (or re-attaches) and follows the job to its end; the stage's result. */
    StepResult submit(StageContext ctx, int run, boolean confirmResubmit) {
        if (!Files.isRegularFile(approvedSheet(ctx))) {
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + " has no approved term sheet ("
                    + approvedSheet(ctx) + "); nothing was submitted");
        }
        boolean reattach = Files.exists(stateFile(ctx));
        ReleasePlan.RockieSpec rockie = spec.rockie();
        Progress progress = ctx.progress();
        Path log = ctx.logFile(spec.stage());
        progress.stage(spec.stage(), (reattach ? "rockie: re-attaching to the submission in "
                : "rockie: submitting " + script(ctx).getFileName() + " on " + rockie.gpuCount() + " x "
                + rockie.gpuType() + ", state in ") + stateFile(ctx) + " (run " + run + ", log " + log + ")");
        progress.waiting(spec.key() + " on Rockie");
        try (LineLog logWriter = new RedactingWriter(ctx.redactor()).appendLog(log)) {
            try {
                return result(ctx, submitUnderApproval(ctx, confirmResubmit, logWriter));
            } catch (RockieException e) {
                String line = logWriter.append("day0 rockie submit: " + e.getMessage());
                progress.output(spec.key(), line);
                String where = "Rockie refused (exit " + e.exitCode() + "): " + e.getMessage();
                return failed(REFUSED.contains(e.exitCode()) ? FailureClass.USER_CONFIG_ERROR : FailureClass.UNKNOWN,
                        where);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed(FailureClass.UNKNOWN, "Rockie (exit " + RockieExit.CANCELLED.code() + "): interrupted; "
                        + "the state file " + stateFile(ctx) + " is kept: resume to re-attach");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log + ": " + e.getMessage(), e);
        } finally {
            progress.doneWaiting();
        }
    }

    private SubmitResult submitUnderApproval(StageContext ctx, boolean confirmResubmit, LineLog log)
            throws InterruptedException {
        ReleasePlan.RockieSpec rockie = spec.rockie();
        Map<String, String> jobEnv = new LinkedHashMap<>();
        ReleasePlan plan = ctx.plan();
        jobEnv.put("DAY0_MODEL", plan.model());
        jobEnv.put("DAY0_RECIPE", plan.recipe());
        jobEnv.put("DAY0_TASKS", String.join(",", plan.tasks()));
        jobEnv.put("DAY0_STAGE", spec.key());
        jobEnv.putAll(rockie.env());
        Set<String> passedByName = new LinkedHashSet<>();
        for (String name : rockie.envFrom()) {
            String value = ctx.env().get(name);
            if (value == null) {
                throw usage(plan.file() + ": stages." + spec.key() + ".env_from: " + name
                        + " is not set in this environment");
            }
            jobEnv.put(name, value);
            passedByName.add(value);
        }
        if (jobEnv.containsKey(RockieConfig.TENANT_TOKEN)) {
            throw usage(plan.file() + ": stages." + spec.key() + ": the tenant token never goes "
                    + "into a job");
        }
        Set<String> namedSecrets = new LinkedHashSet<>();
        jobEnv.forEach((name, value) -> {
            if (SubmitRequest.SECRET_NAME.matcher(name).matches()) {
                namedSecrets.add(value);
            }
        });
        String notebook = ctx.env().get("ROCKIELAB_NOTEBOOK_ID");
        notebook = notebook == null || notebook.isBlank() ? null : notebook;
        String profile = rockie.monitoringProfileId();
        if (profile != null && !SubmitRequest.MONITORING_PROFILES.contains(profile)) {
            throw usage(plan.file() + ": stages." + spec.key() + ".monitoring_profile_id: unknown "
                    + "profile \"" + profile + "\" (known: " + String.join(", ",
                    SubmitRequest.MONITORING_PROFILES.stream().sorted().toList()) + ")");
        }
        if (notebook == null && profile != null) {
            throw usage(plan.file() + ": stages." + spec.key() + ".monitoring_profile_id goes "
                    + "into the dashboard block, which needs a notebook: set ROCKIELAB_NOTEBOOK_ID");
        }
        SubmitRequest request = request(ctx).readScript(script(ctx)).jobEnv(jobEnv)
                .originSkill(rockie.originSkill() == null ? "day0-release" : rockie.originSkill())
                .dashboard(notebook, profile, null).artifactsDir(stageDir(ctx).resolve("artifacts"))
                .ledgerDir(ApprovalLedger.defaultDir(ctx.env())).confirmResubmit(confirmResubmit)
                .httpTimeoutSeconds(HTTP_TIMEOUT.toSeconds()).build();
        Redactor base = ctx.redactor();
        Redactor scriptCheck = base.and(namedSecrets);
        if (scriptCheck.containsSecret(request.script())) {
            throw usage(request.scriptFile() + ": the script carries a secret-shaped value; pass "
                    + "secrets with env_from so they come from the environment, never from the script text");
        }
        Set<String> secrets = new LinkedHashSet<>(namedSecrets);
        secrets.addAll(passedByName);
        Redactor redactor = base.and(secrets);
        LineLog runLog = log.redactingWith(redactor);
        Events events = Events.to(runLog::append, line -> {
            runLog.append(line);
            ctx.progress().output(spec.key(), line);
        }, redactor);
        RockieConfig config = RockieConfig.fromEnvironment(ctx.env());
        // The sheet is read with the base redactor only: its hash must not depend on this run's env values.
        TermSheet sheet = TermSheet.read(approvedSheet(ctx), base);
        Preflight.check(sheet, request);
        ApprovalKey approvalKey = ApprovalKey.forChecking(ctx.env());
        Approval.verify(sheet, approvalKey);
        return new SubmitFlow(request, new RockieClient(config, HTTP_TIMEOUT), events,
                new ApprovalLedger(request.ledgerDir()), approvalKey).submit(sheet);
    }

    private StepResult result(StageContext ctx, SubmitResult result) {
        int code = result.exitCode();
        String jobId = result.jobId();
        String detail = result.detail() != null ? result.detail() : "day0 rockie submit exited " + code;
        String where = (jobId == null ? "" : "job " + jobId + ": ") + detail;
        if (code == RockieExit.DONE.code()) {
            return StepResult.ok("Rockie job " + jobId + " DONE with JOB_DONE and its artifacts checked ("
                    + stageDir(ctx).resolve("artifacts") + ")" + cost(result.costActualCents()));
        }
        if (code == RockieExit.NETWORK.code() && result.outcome() == Outcome.INFRA_TRANSIENT) {
            return failed(FailureClass.INFRA_TRANSIENT, "Rockie: " + where);
        }
        if (REFUSED.contains(code)) {
            return failed(FailureClass.USER_CONFIG_ERROR, "Rockie refused (exit " + code + "): " + where);
        }
        return failed(FailureClass.UNKNOWN, "Rockie (exit " + code + (result.outcome() == null ? ""
                : ", " + result.outcome()) + "): " + where);
    }

    private static String cost(Long cents) {
        return cents == null ? "" : String.format(Locale.ROOT, ", cost $%.2f", cents / 100.0);
    }

    /** A request the plan cannot make, refused as {@code day0 rockie submit} refuses a usage error. */
    private static RockieException usage(String message) {
        return new RockieException(RockieExit.USAGE.code(), "USAGE", message);
    }

    /** The Rockie platform's environment this stage needs. */
    static List<String> credentials() {
        return List.of(RockieConfig.API_URL, RockieConfig.TENANT_TOKEN, RockieConfig.TENANT_ID);
    }

    private static StepResult failed(FailureClass failureClass, String detail) {
        return StepResult.failed(failureClass, detail);
    }

    private static void write(StageContext ctx, Path file, String text) {
        new RedactingWriter(ctx.redactor()).text(file, text);
    }

    private static void move(Path from, Path to) {
        try {
            VerbatimFiles.rename(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + ": " + e.getMessage(), e);
        }
    }

}
