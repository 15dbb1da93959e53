package dev.day0.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
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

    private static final String JUDGE_AGAIN = WorkdirState.JUDGE_AGAIN;

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
        this.progress = new Progress(err, this.redactor, options.terminal().liveProgress(),
                Stage.chain().stream().filter(plan::runs).toList());
        this.toolVersion = toolVersion;
        this.workdir = options.workdir().toAbsolutePath().normalize();
        this.ctx = new StageContext(plan, options, env, this.redactor, progress, workdir, toolVersion);
    }

    public Outcome run() {
        try (progress) {
            state = WorkdirState.open(workdir, plan, progress, toolVersion, options.resume());
            ctx.state(state);
            if (state.status() == ReleaseState.Status.FINISHED) {
                progress.line("day0 release: the run in " + workdir + " already finished; judging its recorded "
                        + "evidence again (no work is redone)");
            }
            if (options.resume()) {
                prepareResume();
            }
            state.status(ReleaseState.Status.RUNNING);
            save();
            if (options.resume() && !setupStillHolds()) {
                return closeout();
            }
            return loop();
        }
    }

    /**
     * Runs exactly the next pending stage of the run in the work directory, starting the run when there is none,
     * and says what comes next: {@link #run()}'s loop one stage per call, so a caller (the Jenkins step
     * {@code day0Release}) can show each stage and ask a person before each GPU spend. State stays in the work
     * directory between calls: a call after a killed one continues it (a running job is re-attached to, never
     * submitted again), a call over a stopped or finished run starts a new round as {@code --resume} does.
     * Evidence recorded by earlier calls is verified on every call, and the closeout call judges every completed
     * gate again in its own process before it writes the decision, as closeout always does.
     *
     * <p>Rockie stages are approved one at a time, just before each spends: setup does not ask for their
     * approvals, and a call whose next stage has neither an approval nor a submission to re-attach to runs nothing
     * and returns the stage's quote to approve (then call again with the approved sheet).
     */
    public StepReport step() {
        try (progress) {
            ctx.approvalsPerStage(true);
            state = openStep();
            ctx.state(state);
            state.status(ReleaseState.Status.RUNNING);
            save();
            Stage stage = upcoming();
            if (stage == Stage.CLOSEOUT) {
                judgeEverythingAgain();
                return new StepReport(Stage.CLOSEOUT, null, null, null, null, loop());
            }
            StageRunner runner = runnerFor(stage);
            if (stage.isWork() && ctx.spec(stage).runner() == ReleasePlan.Runner.ROCKIE) {
                RockieJobRunner rockie = new RockieJobRunner(ctx.spec(stage));
                Path given = options.approvals().get(stage.key());
                Path quote = given == null ? rockie.quoteAwaitingApproval(ctx) : null;
                if (quote != null) {
                    progress.stage(stage, "runs on Rockie and spends GPU money: waiting for an approved term "
                            + "sheet (nothing was run)");
                    return new StepReport(null, null, stage, quote, rockie.render(ctx, quote), null);
                }
                StepResult problem = rockie.prepareApproval(ctx, given, Terminal.NONE);
                if (problem != null) {
                    runner = c -> problem;
                }
            }
            StepResult result = advance(stage, runner);
            return new StepReport(stage, result, upcoming(), null, null, null);
        }
    }

    /**
     * The stage the next {@link #step()} runs, without running or writing anything: a pipeline names its stage
     * before the step runs in it.
     */
    public Stage peek() {
        try (progress) {
            if (!Files.exists(ReleaseState.fileIn(workdir))) {
                return Stage.chain().get(0);
            }
            state = WorkdirState.open(workdir, plan, progress, toolVersion, true);
            if (state.status() != ReleaseState.Status.RUNNING) {
                prepareResume();
            }
            return upcoming();
        }
    }

    /** On a resume: setup's checks (credentials, endpoints, approvals) made again; false when they now fail. */
    private boolean setupStillHolds() {
        if (state.stageStatus(Stage.SETUP) != ReleaseState.StageStatus.COMPLETED) {
            return true;
        }
        ctx.begin(Stage.SETUP, false);
        StepResult preflight = new SetupChecks().run(ctx);
        if (!preflight.pass()) {
            progress.stage(Stage.SETUP, "re-checked on resume: " + preflight.detail());
            state.end(Stage.SETUP, ReleaseState.StageStatus.FAILED, preflight.result(), 0);
            save();
            return false;
        }
        progress.stage(Stage.SETUP, "re-checked on resume: ok");
        return true;
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
            case CANARY -> new CanaryRunner(plan.canary());
            case CANARY_GATE -> new CanaryGateRunner();
            case BASELINE_GATE, QUANTIZED_GATE -> new RunGateRunner();
            case COMPARE -> new CompareRunner();
            case VERBOSITY -> new VerbosityRunner(plan.verbosity());
            case CLOSEOUT -> new CloseoutRunner();
        };
    }

    private Outcome loop() {
        for (Stage stage = upcoming(); stage != Stage.CLOSEOUT; stage = upcoming()) {
            advance(stage, runnerFor(stage));
        }
        return closeout();
    }

    /**
     * The stage to run next: closeout once every stage completed or was skipped, or as soon as a stage failed to
     * produce evidence (that stops the run).
     */
    private Stage upcoming() {
        Stage stage = state.nextStage();
        while (stage != null && !plan.runs(stage)) {
            // A stage the plan leaves out (the canary, the verbosity gate) is skipped, never run.
            state.stageStatus(stage, ReleaseState.StageStatus.SKIPPED);
            stage = state.nextStage();
        }
        return stage == null || state.stageStatus(stage) == ReleaseState.StageStatus.FAILED ? Stage.CLOSEOUT : stage;
    }

    /** Runs one stage, records how it ended and what triage makes of a failure. */
    private StepResult advance(Stage stage, StageRunner runner) {
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
            result = runner.run(ctx);
        } catch (InputException e) {
            result = StepResult.failed(FailureClass.USER_CONFIG_ERROR, e.getMessage());
        } catch (UncheckedIOException e) {
            result = StepResult.failed(FailureClass.UNKNOWN, "I/O error: " + e.getMessage());
        }
        ctx.seal();
        state.clearNote(stage, JUDGE_AGAIN);
        double elapsed = (System.nanoTime() - start) / 1e9;
        progress.verdict(stage, result, elapsed);
        if (result.pass()) {
            state.end(stage, ReleaseState.StageStatus.COMPLETED, result.result(), elapsed);
            saveAndHook(stage);
            return result;
        }
        StageTriage.Retry retry = again ? null : StageTriage.after(ctx, state, stage, result);
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
            return result;
        }
        if (!stage.judges()) {
            state.end(stage, ReleaseState.StageStatus.FAILED, result.result(), elapsed);
            saveAndHook(stage);
            return result;
        }
        state.end(stage, ReleaseState.StageStatus.COMPLETED, result.result(), elapsed);
        for (Stage later : stage.laterUntilCloseout()) {
            state.stageStatus(later, ReleaseState.StageStatus.SKIPPED);
        }
        saveAndHook(stage);
        return result;
    }

    // ---------------------------------------------------------------------------------------------- state

    /**
     * A resume: the evidence the completed stages recorded is verified first; every completed judgement (gate,
     * compare) and whatever a verdict skipped is made again; a stopped stage runs again with a fresh retry
     * budget; a killed stage runs again. The stored decision is dropped, never reported.
     */
    private void prepareResume() {
        WorkdirState.verifyEvidence(state, workdir);
        for (Stage stage : Stage.chain()) {
            ReleaseState.StageStatus status = state.stageStatus(stage);
            if (status == ReleaseState.StageStatus.FAILED) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
                state.resetTries(stage);
            } else if (WorkdirState.judgedBefore(state, stage)) {
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
     * The run a step continues: a new one when the work directory has none; the one in progress, its evidence
     * verified and a stage a killed call left running made pending again; or, over a stopped or finished run, a
     * new round as {@code --resume} starts it. Judgements an earlier call reset are made again from their evidence.
     */
    private ReleaseState openStep() {
        if (!Files.exists(ReleaseState.fileIn(workdir))) {
            return WorkdirState.open(workdir, plan, progress, toolVersion, false);
        }
        state = WorkdirState.open(workdir, plan, progress, toolVersion, true);
        if (state.status() == ReleaseState.Status.RUNNING) {
            WorkdirState.verifyEvidence(state, workdir);
            for (Stage stage : Stage.chain()) {
                if (state.stageStatus(stage) == ReleaseState.StageStatus.RUNNING) {
                    state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
                }
            }
        } else {
            prepareResume();
            ctx.state(state);
            if (!setupStillHolds()) {
                state.stageStatus(Stage.CLOSEOUT, ReleaseState.StageStatus.PENDING);
            }
        }
        for (Stage stage : Stage.chain()) {
            if (state.note(stage, JUDGE_AGAIN) != null) {
                rejudging.add(stage);
            }
        }
        return state;
    }

    /**
     * Before a step's closeout: every completed judgement is made again in this process from its recorded evidence
     * (closeout never takes a verdict from state.json), and what a verdict skipped is reconsidered.
     */
    private void judgeEverythingAgain() {
        for (Stage stage : Stage.chain()) {
            if (WorkdirState.judgedBefore(state, stage)) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
                state.note(stage, JUDGE_AGAIN, "true");
                rejudging.add(stage);
            } else if (state.stageStatus(stage) == ReleaseState.StageStatus.SKIPPED) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
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
