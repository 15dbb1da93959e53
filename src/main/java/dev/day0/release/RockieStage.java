package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.Day0;
import dev.day0.io.AtomicFiles;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.rockie.Approval;
import dev.day0.rockie.ApprovalKey;
import dev.day0.rockie.ApprovalLedger;
import dev.day0.rockie.GpuType;
import dev.day0.rockie.Outcome;
import dev.day0.rockie.Preflight;
import dev.day0.rockie.Render;
import dev.day0.rockie.RockieConfig;
import dev.day0.rockie.RockieException;
import dev.day0.rockie.RockieExitCodes;
import dev.day0.rockie.SubmissionState;
import dev.day0.rockie.SubmitRequest;
import dev.day0.rockie.TermSheet;
import dev.day0.triage.FailureClass;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@code rockie} stage: the approval before anything is spent, then one submission through
 * {@code day0 rockie submit} run in this process, so every check of that command (approval, hash, shape,
 * wall-clock, budget, ledger, at-most-once state file) applies unchanged. A re-run finds the stage's state file and
 * re-attaches to the job instead of submitting again.
 *
 * <p>Files, under {@code WORKDIR/rockie/STAGE/}: {@code approved-term-sheet.json} (the approval this stage
 * submits under) and {@code submission.json} (the rockie state file). Artifacts go to {@code STAGE_DIR/artifacts}.
 */
final class RockieStage {
    static final String APPROVED_SHEET = "approved-term-sheet.json";
    static final String SUBMISSION = "submission.json";
    /** Outcomes after which a new approval may start a new submission for the stage. */
    private static final Set<String> ENDED_WITHOUT_SUCCESS = Set.of(Outcome.FAILED.name(),
            Outcome.CANCELLED.name(), Outcome.COULD_NOT_JUDGE.name());

    private final ReleasePlan plan;
    private final ReleasePlan.StageSpec spec;
    private final Path workdir;
    private final Path stageDir;
    private final Map<String, String> env;
    private final Redactor redactor;
    private final Progress progress;

    RockieStage(ReleasePlan plan, ReleasePlan.StageSpec spec, Path workdir, Path stageDir, Map<String, String> env,
                Redactor redactor, Progress progress) {
        this.plan = plan;
        this.spec = spec;
        this.workdir = workdir;
        this.stageDir = stageDir;
        this.env = env;
        this.redactor = redactor;
        this.progress = progress;
    }

    Path dir() {
        return workdir.resolve("rockie").resolve(spec.key());
    }

    Path approvedSheet() {
        return dir().resolve(APPROVED_SHEET);
    }

    Path stateFile() {
        return dir().resolve(SUBMISSION);
    }

    private Path script() {
        return spec.rockie().script().resolve(plan.dir(), workdir, stageDir);
    }

    // ------------------------------------------------------------------------------------------ approval

    /**
     * Makes sure this stage has an approval to submit under, before any stage of the run spends anything: a sheet
     * given with --approve, one approved earlier in this run, a submission to re-attach to, or a person approving
     * the quote at this terminal. Returns null when the stage is ready, else why not.
     */
    StepResult prepareApproval(Path given, Terminal terminal) {
        try {
            SubmissionState existing = SubmissionState.readIfExists(stateFile());
            if (given != null) {
                return adopt(given, existing);
            }
            if (Files.isRegularFile(approvedSheet())) {
                check(TermSheet.read(approvedSheet(), redactor));
                return null;
            }
            if (existing != null) {
                return failed(FailureClass.USER_CONFIG_ERROR, stateFile() + " records a submission but its "
                        + "approved sheet " + approvedSheet() + " is gone: a person must look");
            }
            if (terminal.interactive()) {
                return approveAtTerminal(terminal);
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

    private StepResult adopt(Path given, SubmissionState existing) {
        TermSheet sheet = TermSheet.read(given, redactor);
        check(sheet);
        String sha = sheet.recordedSha256();
        if (existing != null && !existing.quoteSha256().equals(sha)) {
            if (existing.outcome() != null && ENDED_WITHOUT_SUCCESS.contains(existing.outcome())
                    || SubmissionState.REJECTED.equals(existing.phase())) {
                Path archived = dir().resolve("submission." + Instant.now().toEpochMilli() + ".json");
                move(stateFile(), archived);
                progress.line("  " + spec.key() + ": the earlier submission ended " + (existing.outcome() == null
                        ? existing.phase() : existing.outcome()) + " (kept as " + archived + "); the new "
                        + "approval starts a new one");
                existing = null;
            } else {
                return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + " has a submission in "
                        + stateFile() + " (phase " + existing.phase() + ", job " + existing.jobId() + ", outcome "
                        + existing.outcome() + ") under another approval: resume without a new --approve for "
                        + spec.key() + " to re-attach to it");
            }
        }
        if (existing == null && new ApprovalLedger(ApprovalLedger.defaultDir(env)).use(sha) != null) {
            return failed(FailureClass.USER_CONFIG_ERROR, given + ": this approval was already used for a "
                    + "submission (one approved sheet covers one submission): quote and approve again");
        }
        write(approvedSheet(), Json.write(sheet.json()) + "\n");
        progress.line("  " + spec.key() + ": approved term sheet " + sheet.quoteId() + " by "
                + sheet.approvedBy() + " (" + given + ")");
        return null;
    }

    private StepResult approveAtTerminal(Terminal terminal) {
        if (spec.rockie().termSheet() == null) {
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + " has no quote to approve: set "
                    + "stages." + spec.key() + ".term_sheet (day0 rockie quote), or pass --approve");
        }
        Path quoteFile = spec.rockie().termSheet().resolve(plan.dir(), workdir, stageDir);
        TermSheet quote = TermSheet.read(quoteFile, redactor);
        progress.line("");
        progress.line("Stage " + spec.key() + " runs on Rockie and spends GPU money. The quote:");
        Render.text(quote).lines().forEach(line -> progress.line("  " + line));
        String answer = terminal.ask("Type approve to approve this term sheet for stage " + spec.key()
                + " (one submission, within its budget); anything else stops the run: ");
        if (answer == null || !answer.trim().equals("approve")) {
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + ": the term sheet was not "
                    + "approved at the terminal (only the word approve approves); nothing was run");
        }
        ObjectNode approved = Approval.approve(quote, approver(), null, Instant.now(),
                ApprovalKey.forApproving(env));
        write(approvedSheet(), Json.write(approved) + "\n");
        check(TermSheet.read(approvedSheet(), redactor));
        progress.line("  " + spec.key() + ": approved by " + approver() + " at the terminal");
        return null;
    }

    private String approver() {
        for (String name : List.of("USER", "LOGNAME")) {
            String value = env.get(name);
            if (value != null && value.matches("[\\p{L}\\p{N}][\\p{L}\\p{N}._@+-]{0,60}")) {
                return value + " at a terminal";
            }
        }
        return "unnamed terminal user";
    }

    /** The submit command's own checks, made now so a wrong sheet stops the run before anything is spent. */
    private void check(TermSheet sheet) {
        ReleasePlan.RockieSpec rockie = spec.rockie();
        GpuType type = GpuType.parse(rockie.gpuType()).orElseThrow();
        SubmitRequest request = new SubmitRequest(script(), null, null, type, rockie.gpuCount(),
                rockie.timeoutSeconds(), rockie.region(), rockie.tier(), approvedSheet(), Map.of(), null, null, null,
                null, null, stateFile(), null, null, false, false, rockie.pollIntervalSeconds(), 30, 5, 1800);
        Preflight.check(sheet, request);
        Approval.verify(sheet, ApprovalKey.forChecking(env));
    }

    // ---------------------------------------------------------------------------------------- submission

    /** Submits (or re-attaches) and follows the job to its end; the stage's result. */
    StepResult submit(int run, boolean confirmResubmit) {
        if (!Files.isRegularFile(approvedSheet())) {
            return failed(FailureClass.USER_CONFIG_ERROR, "stage " + spec.key() + " has no approved term sheet ("
                    + approvedSheet() + "); nothing was submitted");
        }
        boolean reattach = Files.exists(stateFile());
        ReleasePlan.RockieSpec rockie = spec.rockie();
        List<String> args = new ArrayList<>(List.of("rockie", "submit", "--script", script().toString(),
                "--gpu-type", rockie.gpuType(), "--gpu-count", Integer.toString(rockie.gpuCount()),
                "--timeout", Long.toString(rockie.timeoutSeconds()), "--region", rockie.region(),
                "--tier", rockie.tier(), "--term-sheet", approvedSheet().toString(),
                "--state-file", stateFile().toString(), "--artifacts-dir", stageDir.resolve("artifacts").toString(),
                "--origin-skill", rockie.originSkill() == null ? "day0-release" : rockie.originSkill(),
                "--poll-interval", Double.toString(rockie.pollIntervalSeconds())));
        if (confirmResubmit) {
            args.add("--confirm-resubmit");
        }
        if (rockie.monitoringProfileId() != null) {
            args.addAll(List.of("--monitoring-profile-id", rockie.monitoringProfileId()));
        }
        for (Map.Entry<String, String> entry : Map.of("DAY0_MODEL", plan.model(), "DAY0_RECIPE", plan.recipe(),
                "DAY0_TASKS", String.join(",", plan.tasks()), "DAY0_STAGE", spec.key()).entrySet()) {
            args.addAll(List.of("--env", entry.getKey() + "=" + entry.getValue()));
        }
        rockie.env().forEach((name, value) -> args.addAll(List.of("--env", name + "=" + value)));
        rockie.envFrom().forEach(name -> args.addAll(List.of("--env", name)));

        Path log = workdir.resolve("logs").resolve(spec.key() + ".log");
        progress.stage(spec.key(), (reattach ? "rockie: re-attaching to the submission in " : "rockie: submitting "
                + script().getFileName() + " on " + rockie.gpuCount() + " x " + rockie.gpuType() + ", state in ")
                + stateFile() + " (run " + run + ", log " + log + ")");
        progress.waiting(spec.key() + " on Rockie");
        int code;
        try (BufferedWriter logWriter = openLog(log);
             PrintWriter out = new PrintWriter(new LineWriter(line -> append(logWriter, line)), true);
             PrintWriter err = new PrintWriter(new LineWriter(line -> {
                 append(logWriter, line);
                 progress.output(spec.key(), line);
             }), true)) {
            code = Day0.execute(args.toArray(new String[0]), out, err, env);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log + ": " + e.getMessage(), e);
        } finally {
            progress.doneWaiting();
        }
        return result(code);
    }

    private StepResult result(int code) {
        JsonNode recorded = Files.isRegularFile(stateFile()) ? Json.read(stateFile()) : Json.object();
        String jobId = recorded.path("job_id").asText(null);
        String outcome = recorded.path("outcome").asText(null);
        String detail = recorded.path("detail").isTextual() ? recorded.path("detail").asText()
                : "day0 rockie submit exited " + code;
        String where = (jobId == null ? "" : "job " + jobId + ": ") + detail;
        if (code == RockieExitCodes.DONE) {
            return StepResult.ok("Rockie job " + jobId + " DONE with JOB_DONE and its artifacts checked ("
                    + stageDir.resolve("artifacts") + ")" + cost(recorded));
        }
        if (code == RockieExitCodes.NETWORK && Outcome.INFRA_TRANSIENT.name().equals(outcome)) {
            return failed(FailureClass.INFRA_TRANSIENT, "Rockie: " + where);
        }
        if (code == RockieExitCodes.USAGE || code == RockieExitCodes.CREDIT || code == RockieExitCodes.NO_TERM_SHEET
                || code == RockieExitCodes.NOT_APPROVED || code == RockieExitCodes.BUDGET) {
            return failed(FailureClass.USER_CONFIG_ERROR, "Rockie refused (exit " + code + "): " + where);
        }
        return failed(FailureClass.UNKNOWN, "Rockie (exit " + code + (outcome == null ? "" : ", " + outcome)
                + "): " + where);
    }

    private static String cost(JsonNode recorded) {
        JsonNode cents = recorded.path("cost_actual_cents");
        return cents.isNumber() ? String.format(Locale.ROOT, ", cost $%.2f", cents.longValue() / 100.0) : "";
    }

    /** The Rockie platform's environment this stage needs. */
    static List<String> credentials() {
        return List.of(RockieConfig.API_URL, RockieConfig.TENANT_TOKEN, RockieConfig.TENANT_ID);
    }

    private static StepResult failed(FailureClass failureClass, String detail) {
        return StepResult.failed(failureClass, detail);
    }

    private void write(Path file, String text) {
        AtomicFiles.write(file, redactor.redact(text));
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + ": " + e.getMessage(), e);
        }
    }

    private static BufferedWriter openLog(Path log) throws IOException {
        Files.createDirectories(log.getParent());
        return Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private void append(BufferedWriter log, String line) {
        synchronized (log) {
            try {
                log.write(redactor.redact(line));
                log.newLine();
                log.flush();
            } catch (IOException e) {
                // The console still shows the line; a full disk must not end a job that is being paid for.
            }
        }
    }

    /** A Writer that hands over whole lines. */
    private static final class LineWriter extends Writer {
        private final Consumer<String> onLine;
        private final StringBuilder line = new StringBuilder();

        LineWriter(Consumer<String> onLine) {
            this.onLine = onLine;
        }

        @Override
        public synchronized void write(char[] buffer, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                char ch = buffer[i];
                if (ch == '\n') {
                    onLine.accept(line.toString());
                    line.setLength(0);
                } else if (ch != '\r') {
                    line.append(ch);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public synchronized void close() {
            if (line.length() > 0) {
                onLine.accept(line.toString());
                line.setLength(0);
            }
        }
    }
}
