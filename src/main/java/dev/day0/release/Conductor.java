package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.FileDigest;
import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import dev.day0.triage.TriageTable;
import dev.day0.triage.TriageVerdict;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The release conductor: drives one plan through its stages in chain order, one {@link StageRunner} per stage,
 * writing {@code state.json} after every stage, triaging each failure from the engine's table, and never
 * advancing past a failed gate.
 *
 * <p>Outcomes come in two kinds. A verdict on evidence (a gate that failed) is final: the remaining stages are
 * skipped and the run is finished. A failure to produce evidence (a command that failed or timed out after its
 * retries, setup that found no credentials, a GPU stage without approval) stops the run; {@code --resume} tries
 * that stage again once a person has fixed the cause. Either way closeout writes the decision and the reports.
 *
 * <p>State is evidence, not verdicts: a resume never takes a gate result or the decision from state.json. It
 * verifies the sha256 of every file the completed stages recorded, refuses a changed or missing one, and judges
 * every gate and the decision again from that evidence. Completed work is never redone.
 */
public final class Conductor {
    /** Called right after state.json is written for a stage; the test hook ends the process there. */
    public interface StopHook {
        void afterStage(Stage stage);
    }

    /** Waits between retries (triage's, and MLflow's back-offs); tests wait no time. */
    public interface Sleeper {
        void sleep(Duration pause) throws InterruptedException;
    }

    /**
     * @param workdir where state, logs, evidence and reports go
     * @param resume continue the run recorded in the work directory
     * @param approvals approved term sheets given with --approve, by stage
     * @param terminal the person in front of the run, if any
     */
    public record Options(Path workdir, boolean resume, Map<String, Path> approvals, Terminal terminal,
                          StopHook stopHook, Sleeper sleeper, boolean confirmResubmit) {
        public Options(Path workdir, boolean resume, Map<String, Path> approvals, Terminal terminal,
                       StopHook stopHook, Sleeper sleeper) {
            this(workdir, resume, approvals, terminal, stopHook, sleeper, false);
        }
    }

    /** What the run ended with: the decision, the exit code and the JSON summary printed on stdout. */
    public record Outcome(Decision decision, int exitCode, ObjectNode summary) {
    }

    /** State note on a judgement that a resume reset to be made again: its recorded evidence stays binding. */
    private static final String JUDGE_AGAIN = "judge_again";
    private static final List<String> OWN_DIRECTORIES = List.of("logs", "stages", "evidence", "gates", "report",
            "rockie", "slurm");

    private final ReleasePlan plan;
    private final Options options;
    private final Progress progress;
    private final String toolVersion;
    private final Path workdir;
    private final Redactor redactor;
    private final StageContext ctx;
    /** Judgements completed in an earlier process and made again now, from their recorded evidence. */
    private final Set<Stage> rejudging = EnumSet.noneOf(Stage.class);
    private ReleaseState state;

    public Conductor(ReleasePlan plan, Options options, Map<String, String> env, Redactor redactor,
                     java.io.PrintWriter err, String toolVersion) {
        this.plan = plan;
        this.options = options;
        Set<String> planSecrets = new LinkedHashSet<>();
        for (String name : plan.setup().env()) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                planSecrets.add(value.trim());
            }
        }
        this.redactor = redactor.and(planSecrets);
        this.progress = new Progress(err, this.redactor, options.terminal().liveProgress());
        this.toolVersion = toolVersion;
        this.workdir = options.workdir().toAbsolutePath().normalize();
        this.ctx = new StageContext(plan, options, env, this.redactor, progress, workdir, toolVersion);
    }

    public Outcome run() {
        try (progress) {
            state = openState();
            ctx.state(state);
            if (state.status() == ReleaseState.Status.FINISHED) {
                progress.line("day0 release: the run in " + workdir + " already finished; judging its recorded "
                        + "evidence again (no work is redone)");
            }
            prepareResume();
            state.status(ReleaseState.Status.RUNNING);
            save();
            if (state.stageStatus(Stage.SETUP) == ReleaseState.StageStatus.COMPLETED) {
                ctx.begin(Stage.SETUP, false);
                StepResult preflight = new SetupChecks().run(ctx);
                if (!preflight.pass()) {
                    progress.stage(Stage.SETUP, "re-checked on resume: " + preflight.detail());
                    state.end(Stage.SETUP, ReleaseState.StageStatus.FAILED, preflight.result(), 0);
                    save();
                    return closeout();
                }
                progress.stage(Stage.SETUP, "re-checked on resume: ok");
            }
            return loop();
        }
    }

    /** The runner for a stage. A new stage is a constant in {@link Stage}, a case here and its runner class. */
    private StageRunner runnerFor(Stage stage) {
        return switch (stage) {
            case SETUP -> c -> {
                progress.stage(stage, "checking credentials and endpoints before anything is spent");
                return new SetupChecks().run(c);
            };
            case PTQ, BASELINE_EVAL, QUANTIZED_EVAL -> ctx.spec(stage).stageRunner();
            case PTQ_GATE -> new PtqGateRunner();
            case BASELINE_GATE, QUANTIZED_GATE -> new RunGateRunner();
            case COMPARE -> new CompareRunner();
            case CLOSEOUT -> new CloseoutRunner();
        };
    }

    private Outcome loop() {
        while (true) {
            Stage stage = state.nextStage();
            if (stage == null || stage == Stage.CLOSEOUT) {
                return closeout();
            }
            boolean again = rejudging.remove(stage);
            ctx.begin(stage, again);
            if (!again) {
                state.clearEvidence(stage);
            }
            state.begin(stage);
            save();
            long start = System.nanoTime();
            StepResult result;
            try {
                result = runnerFor(stage).run(ctx);
            } catch (InputException e) {
                result = StepResult.failed(FailureClass.USER_CONFIG_ERROR, e.getMessage());
            } catch (UncheckedIOException e) {
                result = StepResult.failed(FailureClass.UNKNOWN, "I/O error: " + e.getMessage());
            }
            ctx.seal();
            state.clearNote(stage, JUDGE_AGAIN);
            double elapsed = (System.nanoTime() - start) / 1e9;
            announce(stage, result, elapsed);
            if (result.pass()) {
                state.end(stage, ReleaseState.StageStatus.COMPLETED, result.result(), elapsed);
                saveAndHook(stage);
                continue;
            }
            Retry retry = again ? null : triage(stage, result);
            if (retry != null) {
                state.remember(stage, result.result());
                state.end(stage, ReleaseState.StageStatus.PENDING, result.result(), elapsed);
                if (retry.stage() != stage) {
                    state.stageStatus(retry.stage(), ReleaseState.StageStatus.PENDING);
                }
                saveAndHook(stage);
                progress.line("  triage: " + result.failureClass() + ": " + retry.action() + " (" + retry.stage()
                        + " try " + (state.tries(retry.stage()) + 1) + " of " + retry.maxTries() + ")");
                pause(retry.waitSeconds(), "waiting before retrying " + retry.stage());
                continue;
            }
            if (!stage.judges()) {
                state.end(stage, ReleaseState.StageStatus.FAILED, result.result(), elapsed);
                saveAndHook(stage);
                return closeout();
            }
            state.end(stage, ReleaseState.StageStatus.COMPLETED, result.result(), elapsed);
            for (Stage later : stage.laterUntilCloseout()) {
                state.stageStatus(later, ReleaseState.StageStatus.SKIPPED);
            }
            saveAndHook(stage);
        }
    }

    // ---------------------------------------------------------------------------------------------- state

    private ReleaseState openState() {
        Path stateFile = ReleaseState.fileIn(workdir);
        boolean exists = Files.exists(stateFile);
        if (options.resume()) {
            if (!exists) {
                throw new InputException(stateFile.toString(), "", "no run to resume here (run without --resume "
                        + "to start one)");
            }
            ReleaseState loaded = ReleaseState.load(workdir);
            if (!loaded.planSha256().equals(plan.sha256())) {
                throw new InputException(plan.file().toString(), "", "changed since the run in " + workdir
                        + " started (plan sha256 " + loaded.planSha256().substring(0, 12) + "... then, "
                        + plan.sha256().substring(0, 12) + "... now): resuming would mix two plans; restore the "
                        + "plan, or start a new run with another --workdir");
            }
            progress.line("day0 release: resuming " + plan.name() + " in " + workdir + " (last completed stage: "
                    + (loaded.lastCompleted() == null ? "none" : loaded.lastCompleted()) + ")");
            return loaded;
        }
        if (exists) {
            ReleaseState existing = ReleaseState.load(workdir);
            if (existing.status() != ReleaseState.Status.FINISHED) {
                throw new InputException(stateFile.toString(), "", "an unfinished run is here ("
                        + existing.status().name().toLowerCase(Locale.ROOT) + ", last completed stage: "
                        + (existing.lastCompleted() == null ? "none" : existing.lastCompleted())
                        + "): continue it with --resume, or choose another --workdir");
            }
            progress.line("day0 release: replacing the finished run in " + workdir);
        }
        clearOwnDirectories(exists);
        ReleaseState created = ReleaseState.create(workdir, plan, toolVersion);
        progress.line("day0 release: " + plan.name() + " (" + plan.model() + ", recipe " + plan.recipe() + ", "
                + plan.tasks().size() + " tasks, threshold " + plan.threshold() + ") in " + workdir);
        return created;
    }

    /**
     * A resume: the evidence the completed stages recorded is verified first; every completed judgement (gate,
     * compare) and whatever a verdict skipped is made again; a stopped stage runs again with a fresh retry
     * budget; a killed stage runs again. The stored decision is dropped, never reported.
     */
    private void prepareResume() {
        if (!options.resume()) {
            return;
        }
        verifyEvidence();
        for (Stage stage : Stage.chain()) {
            ReleaseState.StageStatus status = state.stageStatus(stage);
            if (status == ReleaseState.StageStatus.FAILED) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
                state.resetTries(stage);
            } else if (judgedBefore(stage)) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
                state.note(stage, JUDGE_AGAIN, "true");
                rejudging.add(stage);
            } else if (status == ReleaseState.StageStatus.RUNNING || status == ReleaseState.StageStatus.SKIPPED) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
            }
        }
        state.stageStatus(Stage.CLOSEOUT, ReleaseState.StageStatus.PENDING);
        state.decision(null);
    }

    /**
     * A judgement made before: completed, or reset by an earlier resume to be made again and not made yet (that
     * process ended first). Either way its recorded evidence is what it must judge.
     */
    private boolean judgedBefore(Stage stage) {
        return stage.judges() && (state.stageStatus(stage) == ReleaseState.StageStatus.COMPLETED
                || state.note(stage, JUDGE_AGAIN) != null);
    }

    /** Refuses to resume when a file a completed stage recorded is missing or differs from its recorded sha256. */
    private void verifyEvidence() {
        for (Stage stage : Stage.chain()) {
            if (state.stageStatus(stage) != ReleaseState.StageStatus.COMPLETED && !judgedBefore(stage)) {
                continue;
            }
            if (stage.judges() && !state.hasEvidence(stage)) {
                throw ReleaseState.refuse(workdir, "stages." + stage + " completed but records no evidence "
                        + "digests, so its judgement cannot be made again: start a new run with another --workdir");
            }
            for (Map.Entry<Path, String> entry : state.evidence(stage).entrySet()) {
                Path file = entry.getKey();
                String problem = !Files.isRegularFile(file) ? "is missing"
                        : !FileDigest.sha256(file).equals(entry.getValue()) ? "has changed (sha256 "
                        + entry.getValue().substring(0, Math.min(12, entry.getValue().length())) + "... then)" : null;
                if (problem != null) {
                    throw new InputException(file.toString(), "", problem + " since stage " + stage + " recorded "
                            + "it as evidence: a resume judges only the evidence the run recorded; restore the "
                            + "file, or start a new run with another --workdir");
                }
            }
        }
    }

    /**
     * Empties the directories a previous run of this work directory wrote, so no stale evidence can be judged as
     * new. Without a state.json the directory is not known to be day0's: then nothing is deleted, and a
     * directory that already holds those names is refused.
     */
    private void clearOwnDirectories(boolean ownedByDay0) {
        for (String dir : OWN_DIRECTORIES) {
            Path path = workdir.resolve(dir);
            if (ownedByDay0) {
                StageContext.deleteTree(path);
            } else if (Files.exists(path)) {
                throw new InputException(workdir.toString(), "", "holds " + dir + "/ but no state.json: not a "
                        + "day0 work directory; choose a new or empty --workdir");
            }
        }
    }

    private void save() {
        state.save(redactor);
    }

    private void saveAndHook(Stage stage) {
        save();
        options.stopHook().afterStage(stage);
    }

    // ------------------------------------------------------------------------------------------- triage

    /** A retry triage allows: which stage runs again, after how long, and why. */
    private record Retry(Stage stage, long waitSeconds, int maxTries, String action) {
    }

    private Retry triage(Stage stage, StepResult result) {
        FailureClass failureClass = result.failureClass();
        if (failureClass == null || stage.kind() == Stage.Kind.VERDICT) {
            return null;
        }
        Stage work = stage == Stage.SETUP || stage.isWork() ? stage : stage.work();
        if (work == null) {
            return null;
        }
        if (!stage.isWork() && work.isWork() && ctx.spec(work).runner() == ReleasePlan.Runner.REUSE) {
            // Given evidence judged again is the same evidence: only a lookup (MLflow) is worth retrying.
            return null;
        }
        int tries = state.tries(work);
        if (failureClass == FailureClass.INFRA_TRANSIENT) {
            TriageVerdict verdict = TriageTable.after(failureClass, tries);
            return verdict.retry() ? new Retry(work, plan.retry().transientWaitSeconds(),
                    verdict.rule().maxAttempts(), verdict.rule().action()) : null;
        }
        if (failureClass == FailureClass.EVAL_JUDGE_FAILED) {
            return tries < plan.retry().judgeAttempts() ? new Retry(work, plan.retry().judgeWaitSeconds(),
                    plan.retry().judgeAttempts(), TriageTable.rule(failureClass).action()) : null;
        }
        return null;
    }

    private void pause(long seconds, String why) {
        if (seconds <= 0) {
            return;
        }
        progress.waiting(why + " " + seconds + " s");
        try {
            options.sleeper().sleep(Duration.ofSeconds(seconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            progress.doneWaiting();
        }
    }

    private void announce(Stage stage, StepResult result, double elapsed) {
        String took = String.format(Locale.ROOT, " (%.1f s, total %s)", elapsed, progress.elapsedTotal());
        if (stage.kind() == Stage.Kind.VERDICT) {
            progress.line("  verdict: " + result.result().path("decision").asText("ANOMALOUS") + ": "
                    + result.detail() + took);
        } else if (stage.kind() == Stage.Kind.GATE) {
            progress.line("  verdict: " + (result.pass() ? "PASS" : "FAIL " + result.failureClass()) + ": "
                    + result.detail() + took);
        } else {
            progress.line("  " + (result.pass() ? "done" : "failed " + result.failureClass()) + ": "
                    + result.detail() + took);
        }
    }

    // ------------------------------------------------------------------------------------------ closeout

    private Outcome closeout() {
        ctx.begin(Stage.CLOSEOUT, false);
        state.begin(Stage.CLOSEOUT);
        long start = System.nanoTime();
        ObjectNode decision = runnerFor(Stage.CLOSEOUT).run(ctx).result();
        boolean stopped = decision.path("resumable").asBoolean(false);
        state.decision(decision);
        state.end(Stage.CLOSEOUT, ReleaseState.StageStatus.COMPLETED, null, (System.nanoTime() - start) / 1e9);
        state.status(stopped ? ReleaseState.Status.STOPPED : ReleaseState.Status.FINISHED);
        save();
        options.stopHook().afterStage(Stage.CLOSEOUT);
        return CloseoutRunner.outcome(ctx, decision);
    }
}
