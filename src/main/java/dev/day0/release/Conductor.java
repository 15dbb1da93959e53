package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.evidence.checkpoint.CheckpointInspector;
import dev.day0.evidence.eval.EvalInspector;
import dev.day0.evidence.eval.TaskMap;
import dev.day0.gates.CompareGate;
import dev.day0.gates.PtqGate;
import dev.day0.gates.RunGate;
import dev.day0.io.AtomicFiles;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.mlflow.BaselineFinder;
import dev.day0.mlflow.MlflowClient;
import dev.day0.mlflow.MlflowException;
import dev.day0.noise.NoiseJudge;
import dev.day0.noise.NoiseMode;
import dev.day0.noise.NoisePolicy;
import dev.day0.noise.SampleCounts;
import dev.day0.noise.SampleFiles;
import dev.day0.noise.StandardErrors;
import dev.day0.rockie.RockieConfig;
import dev.day0.redact.Redactor;
import dev.day0.report.DecisionRecord;
import dev.day0.report.ReportWriter;
import dev.day0.triage.Decision;
import dev.day0.triage.FailureClass;
import dev.day0.triage.TriageTable;
import dev.day0.triage.TriageVerdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The release conductor: drives one plan through setup, PTQ, the gates, both evals, the comparison and closeout,
 * writing {@code state.json} after every stage, triaging each failure from the engine's table, and never
 * advancing past a failed gate.
 *
 * <p>Outcomes come in two kinds. A verdict on evidence (a gate that failed) is final: the remaining stages are
 * skipped and the run is finished. A failure to produce evidence (a command that failed or timed out after its
 * retries, setup that found no credentials, a GPU stage without approval) stops the run; {@code --resume} tries
 * that stage again once a person has fixed the cause. Either way closeout writes the decision and the reports.
 */
public final class Conductor {
    /** Called right after state.json is written for a stage; the test hook ends the process there. */
    public interface StopHook {
        void afterStage(String stage);
    }

    /** Waits between retries; tests wait no time. */
    public interface Sleeper {
        void sleep(long seconds) throws InterruptedException;
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

    static final String REPORT_HTML = "report.html";
    private static final String REUSED_RUN = "reused_mlflow_run";
    private static final String MLFLOW_SCORES = "mlflow-baseline-scores.json";
    private static final List<String> OWN_DIRECTORIES = List.of("logs", "stages", "evidence", "gates", "report",
            "rockie");

    private final ReleasePlan plan;
    private final Options options;
    private final Map<String, String> env;
    private final Redactor redactor;
    private final Progress progress;
    private final String toolVersion;
    private final Path workdir;
    private ReleaseState state;

    public Conductor(ReleasePlan plan, Options options, Map<String, String> env, Redactor redactor,
                     java.io.PrintWriter err, String toolVersion) {
        this.plan = plan;
        this.options = options;
        this.env = env;
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
    }

    public Outcome run() {
        try (progress) {
            state = openState();
            if (state.status() == ReleaseState.Status.FINISHED) {
                progress.line("day0 release: the run in " + workdir + " already finished; nothing to do");
                return finishedOutcome();
            }
            prepareResume();
            state.status(ReleaseState.Status.RUNNING);
            save();
            if (state.stageStatus(Stages.SETUP) == ReleaseState.StageStatus.COMPLETED) {
                StepResult preflight = setupChecks();
                if (!preflight.pass()) {
                    progress.stage(Stages.SETUP, "re-checked on resume: " + preflight.detail());
                    state.end(Stages.SETUP, ReleaseState.StageStatus.FAILED, preflight.result(), 0);
                    save();
                    return closeout();
                }
                progress.stage(Stages.SETUP, "re-checked on resume: ok");
            }
            return loop();
        }
    }

    private Outcome loop() {
        while (true) {
            String stage = state.nextStage();
            if (stage == null || Stages.CLOSEOUT.equals(stage)) {
                return closeout();
            }
            state.begin(stage);
            save();
            long start = System.nanoTime();
            StepResult result;
            try {
                result = execute(stage);
            } catch (InputException e) {
                result = StepResult.failed(FailureClass.USER_CONFIG_ERROR, e.getMessage());
            } catch (UncheckedIOException e) {
                result = StepResult.failed(FailureClass.UNKNOWN, "I/O error: " + e.getMessage());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            announce(stage, result, elapsed);
            if (result.pass()) {
                state.end(stage, ReleaseState.StageStatus.COMPLETED, result.result(), elapsed);
                saveAndHook(stage);
                continue;
            }
            Retry retry = triage(stage, result);
            if (retry != null) {
                state.remember(stage, result.result());
                state.end(stage, ReleaseState.StageStatus.PENDING, result.result(), elapsed);
                if (!retry.stage().equals(stage)) {
                    state.stageStatus(retry.stage(), ReleaseState.StageStatus.PENDING);
                }
                saveAndHook(stage);
                progress.line("  triage: " + result.failureClass() + ": " + retry.action() + " (" + retry.stage()
                        + " try " + (state.tries(retry.stage()) + 1) + " of " + retry.maxTries() + ")");
                pause(retry.waitSeconds(), "waiting before retrying " + retry.stage());
                continue;
            }
            if (Stages.SETUP.equals(stage) || Stages.isWork(stage)) {
                state.end(stage, ReleaseState.StageStatus.FAILED, result.result(), elapsed);
                saveAndHook(stage);
                return closeout();
            }
            state.end(stage, ReleaseState.StageStatus.COMPLETED, result.result(), elapsed);
            for (String later : Stages.ALL.subList(Stages.ALL.indexOf(stage) + 1, Stages.ALL.size() - 1)) {
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

    /** A stopped run resumes at the stage that failed, with a fresh retry budget; a killed stage runs again. */
    private void prepareResume() {
        if (!options.resume()) {
            return;
        }
        for (String stage : Stages.ALL) {
            ReleaseState.StageStatus status = state.stageStatus(stage);
            if (status == ReleaseState.StageStatus.FAILED) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
                state.resetTries(stage);
            } else if (status == ReleaseState.StageStatus.RUNNING) {
                state.stageStatus(stage, ReleaseState.StageStatus.PENDING);
            }
        }
        if (state.stageStatus(Stages.CLOSEOUT) == ReleaseState.StageStatus.COMPLETED) {
            state.stageStatus(Stages.CLOSEOUT, ReleaseState.StageStatus.PENDING);
        }
        state.decision(null);
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
                deleteTree(path);
            } else if (Files.exists(path)) {
                throw new InputException(workdir.toString(), "", "holds " + dir + "/ but no state.json: not a "
                        + "day0 work directory; choose a new or empty --workdir");
            }
        }
    }

    private void save() {
        state.save(redactor);
    }

    private void saveAndHook(String stage) {
        save();
        options.stopHook().afterStage(stage);
    }

    // ------------------------------------------------------------------------------------------- triage

    /** A retry triage allows: which stage runs again, after how long, and why. */
    private record Retry(String stage, long waitSeconds, int maxTries, String action) {
    }

    private Retry triage(String stage, StepResult result) {
        FailureClass failureClass = result.failureClass();
        if (failureClass == null || Stages.COMPARE.equals(stage)) {
            return null;
        }
        String work = Stages.SETUP.equals(stage) || Stages.isWork(stage) ? stage : Stages.workOf(stage);
        if (work == null) {
            return null;
        }
        if (!Stages.isWork(stage) && Stages.isWork(work) && specOf(work).runner() == ReleasePlan.Runner.REUSE) {
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
            options.sleeper().sleep(seconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            progress.doneWaiting();
        }
    }

    // ------------------------------------------------------------------------------------------- stages

    private StepResult execute(String stage) {
        return switch (stage) {
            case Stages.SETUP -> {
                progress.stage(stage, "checking credentials and endpoints before anything is spent");
                yield setupChecks();
            }
            case Stages.PTQ -> work(plan.ptq());
            case Stages.BASELINE_EVAL -> work(plan.baselineEval());
            case Stages.QUANTIZED_EVAL -> work(plan.quantizedEval());
            case Stages.PTQ_GATE -> ptqGate();
            case Stages.BASELINE_GATE -> runGate(Stages.BASELINE_GATE, plan.baselineEval());
            case Stages.QUANTIZED_GATE -> runGate(Stages.QUANTIZED_GATE, plan.quantizedEval());
            case Stages.COMPARE -> compare();
            default -> throw new IllegalStateException("no stage " + stage);
        };
    }

    private ReleasePlan.StageSpec specOf(String work) {
        return switch (work) {
            case Stages.PTQ -> plan.ptq();
            case Stages.BASELINE_EVAL -> plan.baselineEval();
            case Stages.QUANTIZED_EVAL -> plan.quantizedEval();
            default -> throw new IllegalStateException("not a working stage: " + work);
        };
    }

    /** Credentials present and endpoints reachable, before any stage spends anything. */
    StepResult setupChecks() {
        List<String> missing = new ArrayList<>();
        for (String name : requiredCredentials()) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        ObjectNode checks = Json.object();
        var present = checks.putArray("credentials_present");
        requiredCredentials().stream().filter(name -> !missing.contains(name)).forEach(present::add);
        var absent = checks.putArray("credentials_missing");
        missing.forEach(absent::add);
        if (!missing.isEmpty()) {
            ObjectNode result = StepResult.resultJson(false, FailureClass.SYSTEMIC, "not set in the environment: "
                    + String.join(", ", missing) + " (credentials the plan needs; nothing was run)");
            result.set("checks", checks);
            return StepResult.fromJson(result);
        }
        var endpoints = checks.putArray("endpoints");
        List<String> unreachable = new ArrayList<>();
        for (ReleasePlan.Endpoint endpoint : requiredEndpoints()) {
            String problem = Reachability.check(endpoint.url(), endpoint.timeoutSeconds());
            ObjectNode item = endpoints.addObject();
            item.put("name", endpoint.name());
            item.put("url", endpoint.url());
            item.put("reachable", problem == null);
            if (problem != null) {
                item.put("problem", problem);
                unreachable.add(endpoint.name() + " (" + endpoint.url() + "): " + problem);
            }
        }
        if (!unreachable.isEmpty()) {
            ObjectNode result = StepResult.resultJson(false, FailureClass.INFRA_TRANSIENT, "unreachable: "
                    + String.join("; ", unreachable));
            result.set("checks", checks);
            return StepResult.fromJson(result);
        }
        var approved = checks.putArray("approved_gpu_stages");
        for (ReleasePlan.StageSpec spec : pendingRockieStages()) {
            StepResult problem = rockie(spec).prepareApproval(options.approvals().get(spec.key()),
                    options.terminal());
            if (problem != null) {
                problem.result().set("checks", checks);
                return problem;
            }
            approved.add(spec.key());
        }
        ObjectNode result = StepResult.resultJson(true, null, requiredCredentials().size()
                + " credentials present, " + requiredEndpoints().size() + " endpoints reachable, "
                + approved.size() + " GPU stages approved");
        result.set("checks", checks);
        return StepResult.fromJson(result);
    }

    /** The plan's credentials, and those its runners need (MLflow's tracking server). */
    private List<String> requiredCredentials() {
        LinkedHashSet<String> names = new LinkedHashSet<>(plan.setup().env());
        if (plan.mlflow() != null) {
            names.add(MlflowClient.ENV_URI);
        }
        if (!pendingRockieStages().isEmpty()) {
            names.addAll(RockieStage.credentials());
        }
        return new ArrayList<>(names);
    }

    /** The plan's endpoints, and the servers its runners talk to. */
    private List<ReleasePlan.Endpoint> requiredEndpoints() {
        List<ReleasePlan.Endpoint> endpoints = new ArrayList<>(plan.setup().endpoints());
        if (plan.mlflow() != null && env.get(MlflowClient.ENV_URI) != null) {
            endpoints.add(new ReleasePlan.Endpoint("mlflow", env.get(MlflowClient.ENV_URI).trim(), 10));
        }
        if (!pendingRockieStages().isEmpty() && env.get(RockieConfig.API_URL) != null) {
            endpoints.add(new ReleasePlan.Endpoint("rockie", env.get(RockieConfig.API_URL).trim(), 10));
        }
        return endpoints;
    }

    private StepResult work(ReleasePlan.StageSpec spec) {
        state.clearNote(spec.key(), REUSED_RUN);
        if (spec.reuseMlflow()) {
            StepResult reused = reuseFromMlflow(spec);
            if (reused != null) {
                return reused;
            }
        }
        return switch (spec.runner()) {
            case REUSE -> {
                progress.stage(spec.key(), "reuse: nothing to run, the evidence is given");
                yield StepResult.ok("reused: the evidence is given in the plan");
            }
            case LOCAL -> runLocal(spec);
            case ROCKIE -> rockie(spec).submit(state.runs(spec.key()), options.confirmResubmit());
        };
    }

    /**
     * Looks for a baseline in MLflow that matches the plan's model, task set and sampling parameters. Returns the
     * stage's result when one is found (or MLflow fails), null when the baseline has to be run.
     */
    private StepResult reuseFromMlflow(ReleasePlan.StageSpec spec) {
        progress.stage(spec.key(), "looking for a matching baseline in MLflow experiment \""
                + plan.mlflow().experiment() + "\"");
        Path stageDir = stageDir(spec.key());
        deleteTree(stageDir);
        createDirectories(stageDir);
        BaselineFinder.Result found;
        try {
            found = new MlflowBridge(plan, env, redactor).find();
        } catch (MlflowException e) {
            boolean users = e.kind() == MlflowException.Kind.REJECTED || e.kind() == MlflowException.Kind.AUTH;
            return StepResult.failed(users ? FailureClass.USER_CONFIG_ERROR : FailureClass.INFRA_TRANSIENT,
                    "MLflow: " + e.getMessage());
        }
        if (found.found()) {
            MlflowBridge.writeScores(found.scores(), stageDir.resolve(MLFLOW_SCORES), redactor);
            state.note(spec.key(), REUSED_RUN, found.run().runId());
            return StepResult.ok("reused: " + found.detail());
        }
        if (spec.runner() == ReleasePlan.Runner.REUSE) {
            return StepResult.failed(FailureClass.USER_CONFIG_ERROR, found.detail()
                    + " (the stage only reuses, so there is nothing to run instead)");
        }
        progress.line("  " + found.detail() + ": running the baseline eval");
        return null;
    }

    private RockieStage rockie(ReleasePlan.StageSpec spec) {
        return new RockieStage(plan, spec, workdir, stageDir(spec.key()), env, redactor, progress);
    }

    /** The rockie stages that have yet to run (a completed or skipped one needs no approval any more). */
    private List<ReleasePlan.StageSpec> pendingRockieStages() {
        List<ReleasePlan.StageSpec> pending = new ArrayList<>();
        for (ReleasePlan.StageSpec spec : plan.workingStages()) {
            ReleaseState.StageStatus status = state.stageStatus(spec.key());
            if (spec.runner() == ReleasePlan.Runner.ROCKIE && status != ReleaseState.StageStatus.COMPLETED
                    && status != ReleaseState.StageStatus.SKIPPED) {
                pending.add(spec);
            }
        }
        return pending;
    }

    private StepResult runLocal(ReleasePlan.StageSpec spec) {
        ReleasePlan.LocalSpec local = spec.local();
        Path stageDir = stageDir(spec.key());
        deleteTree(stageDir);
        createDirectories(stageDir);
        Path log = workdir.resolve("logs").resolve(spec.key() + ".log");
        List<String> argv = new ArrayList<>();
        for (String arg : local.command()) {
            argv.add(substitute(arg, stageDir));
        }
        Path cwd = local.cwd() == null ? plan.dir() : local.cwd().resolve(plan.dir(), workdir, stageDir);
        if (!Files.isDirectory(cwd)) {
            return StepResult.failed(FailureClass.USER_CONFIG_ERROR, plan.file() + ": stages." + spec.key()
                    + ".cwd: " + cwd + " is not a directory");
        }
        int run = state.runs(spec.key());
        progress.stage(spec.key(), "local: " + String.join(" ", argv) + " (timeout " + local.timeoutSeconds()
                + " s, run " + run + ", log " + log + ")");
        progress.waiting(spec.key() + " running");
        LocalCommand.Outcome outcome;
        try {
            outcome = LocalCommand.run(argv, cwd, childEnvironment(spec, stageDir, run), local.timeoutSeconds(),
                    log, redactor, line -> progress.output(spec.key(), line));
        } finally {
            progress.doneWaiting();
        }
        String took = String.format(Locale.ROOT, " after %.1f s; log: %s", outcome.elapsedSeconds(), log);
        if (outcome.succeeded()) {
            return StepResult.ok("local command exited 0" + took);
        }
        if (outcome.startError() != null) {
            return StepResult.failed(FailureClass.USER_CONFIG_ERROR, "the command could not run: "
                    + outcome.startError());
        }
        if (outcome.timedOut()) {
            return StepResult.failed(FailureClass.INFRA_TRANSIENT, "timed out after " + local.timeoutSeconds()
                    + " s and was ended" + took);
        }
        if (local.transientExitCodes().contains(outcome.exitCode())) {
            return StepResult.failed(FailureClass.INFRA_TRANSIENT, "exited " + outcome.exitCode()
                    + " (a transient failure by the plan's transient_exit_codes)" + took);
        }
        return StepResult.failed(FailureClass.UNKNOWN, "exited " + outcome.exitCode() + took);
    }

    private Map<String, String> childEnvironment(ReleasePlan.StageSpec spec, Path stageDir, int run) {
        Map<String, String> child = new HashMap<>(env);
        child.keySet().removeIf(name -> name.startsWith("DAY0_"));
        child.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        child.put("DAY0_WORKDIR", workdir.toString());
        child.put("DAY0_PLAN_DIR", plan.dir().toString());
        child.put("DAY0_STAGE", spec.key());
        child.put("DAY0_STAGE_DIR", stageDir.toString());
        child.put("DAY0_RUN", Integer.toString(run));
        child.put("DAY0_MODEL", plan.model());
        child.put("DAY0_RECIPE", plan.recipe());
        child.put("DAY0_TASKS", String.join(",", plan.tasks()));
        if (!Stages.PTQ.equals(spec.key())) {
            child.put("DAY0_PTQ_DIR", stageDir(Stages.PTQ).toString());
        }
        child.putAll(spec.local().env());
        return child;
    }

    private String substitute(String text, Path stageDir) {
        return text.replace("{workdir}", workdir.toString()).replace("{stage_dir}", stageDir.toString())
                .replace("{plan_dir}", plan.dir().toString());
    }

    private Path stageDir(String stage) {
        return workdir.resolve("stages").resolve(stage);
    }

    private Path evidenceDir(String stage) {
        return workdir.resolve("evidence").resolve(stage);
    }

    private Path resolve(PathTemplate template, String workStage) {
        return template.resolve(plan.dir(), workdir, stageDir(workStage));
    }

    /**
     * Copies an evidence file into the work directory, so the gate, the audit trail and a later resume all see
     * the same bytes even if the original is rewritten.
     */
    private Path takeEvidence(PathTemplate template, String workStage, String gateStage, String name) {
        Path source = resolve(template, workStage);
        if (!Files.isRegularFile(source)) {
            throw new EvidenceMissing(template.field(), source, workStage);
        }
        Path target = evidenceDir(gateStage).resolve(name);
        try {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
        }
        state.output(gateStage, name.replace(".json", "").replace('-', '_') + "_source", source);
        return target;
    }

    /** Evidence a stage should have written and did not: the gate cannot judge it. */
    private static final class EvidenceMissing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EvidenceMissing(String field, Path path, String stage) {
            super(field + ": " + path + " does not exist (the " + stage + " stage did not write it)");
        }
    }

    private StepResult ptqGate() {
        progress.stage(Stages.PTQ_GATE, "judging the quantized checkpoint");
        deleteTree(evidenceDir(Stages.PTQ_GATE));
        ReleasePlan.Evidence evidence = plan.ptq().evidence();
        Path summary;
        String summaryName;
        try {
            if (evidence.inspectCheckpoint()) {
                summary = inspectCheckpoint(evidence);
                summaryName = summary.toString();
            } else {
                summary = takeEvidence(evidence.summary(), Stages.PTQ, Stages.PTQ_GATE, "validation-summary.json");
                summaryName = resolve(evidence.summary(), Stages.PTQ).toString();
            }
        } catch (EvidenceMissing | EvidenceUnusable e) {
            return gateResult(Stages.PTQ_GATE, StepResult.failed(FailureClass.UNKNOWN, e.getMessage()).result());
        }
        state.output(Stages.PTQ_GATE, "summary", summary);
        JsonNode doc = Json.read(summary);
        String declared = doc.path("recipe").isTextual() ? doc.path("recipe").textValue() : null;
        ObjectNode result = new PtqGate().evaluate(doc, summaryName, plan.recipe()).toJson();
        if (declared != null && !declared.trim().equalsIgnoreCase(plan.recipe()) && result.path("pass").asBoolean()) {
            result.put("pass", false);
            result.put("failure_class", FailureClass.USER_CONFIG_ERROR.name());
            result.put("detail", summaryName + ": recipe: \"" + declared + "\" is not the plan's recipe \""
                    + plan.recipe() + "\"");
        }
        return gateResult(Stages.PTQ_GATE, result);
    }

    /**
     * Builds the validation summary from the checkpoints themselves (safetensors headers and quantization
     * declarations, never tensor data), as {@code day0 inspect checkpoint} does.
     */
    private Path inspectCheckpoint(ReleasePlan.Evidence evidence) {
        Path source = resolve(evidence.source(), Stages.PTQ);
        Path output = resolve(evidence.output(), Stages.PTQ);
        for (Path dir : List.of(source, output)) {
            if (!Files.isDirectory(dir)) {
                throw new EvidenceMissing(dir.equals(source) ? evidence.source().field() : evidence.output().field(),
                        dir, Stages.PTQ);
            }
        }
        CheckpointInspector.Inspection inspection;
        try {
            inspection = CheckpointInspector.inspect(source, output, plan.recipe());
        } catch (InputException e) {
            throw new EvidenceUnusable("the checkpoint cannot be inspected: " + e.getMessage());
        }
        Path summary = evidenceDir(Stages.PTQ_GATE).resolve("validation-summary.json");
        Path layers = evidenceDir(Stages.PTQ_GATE).resolve("layers.json");
        AtomicFiles.write(summary, Json.write(redactor.redactJson(inspection.summary())) + "\n");
        AtomicFiles.write(layers, Json.write(redactor.redactJson(inspection.layers())) + "\n");
        state.output(Stages.PTQ_GATE, "layers", layers);
        progress.line("  inspected " + source + " and " + output + " (" + inspection.bytesRead()
                + " bytes of headers and metadata read)");
        return summary;
    }

    /**
     * Builds the run summary and the {task: score} file from the harness output, as {@code day0 inspect eval} does.
     */
    private Path[] inspectResults(ReleasePlan.Evidence evidence, String workStage, String gateStage) {
        Path results = resolve(evidence.results(), workStage);
        if (!Files.exists(results)) {
            throw new EvidenceMissing(evidence.results().field(), results, workStage);
        }
        TaskMap map = evidence.taskMap() == null ? TaskMap.builtIn()
                : TaskMap.read(resolve(evidence.taskMap(), workStage));
        EvalInspector.Inspection inspection;
        try {
            inspection = EvalInspector.inspect(results, EvalInspector.Format.parse(evidence.format()), map);
        } catch (InputException e) {
            throw new EvidenceUnusable("the " + workStage + " results cannot be read: " + e.getMessage());
        }
        Path dir = evidenceDir(gateStage);
        Path runSummary = dir.resolve("run-summary.json");
        Path scores = dir.resolve("scores.json");
        Path report = dir.resolve("eval-inspection.json");
        AtomicFiles.write(runSummary, Json.write(redactor.redactJson(inspection.runSummary())) + "\n");
        AtomicFiles.write(scores, Json.write(redactor.redactJson(inspection.scores())) + "\n");
        AtomicFiles.write(report, Json.write(redactor.redactJson(inspection.report())) + "\n");
        state.output(gateStage, "eval_inspection", report);
        progress.line("  read " + inspection.taskCount() + " tasks from " + results);
        return new Path[] {runSummary, scores};
    }

    /** Evidence that exists but cannot be read: the gate cannot judge it, a person must look. */
    private static final class EvidenceUnusable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EvidenceUnusable(String message) {
            super(message);
        }
    }

    private StepResult runGate(String gateStage, ReleasePlan.StageSpec spec) {
        deleteTree(evidenceDir(gateStage));
        String reusedRun = state.note(spec.key(), REUSED_RUN);
        if (reusedRun != null) {
            return reusedGate(gateStage, spec, reusedRun);
        }
        progress.stage(gateStage, "judging the " + spec.key() + " run");
        ReleasePlan.Evidence evidence = spec.evidence();
        Path runSummary;
        Path scores;
        Path serving = null;
        String runName;
        String scoresName;
        try {
            if (evidence.inspectResults()) {
                Path[] built = inspectResults(evidence, spec.key(), gateStage);
                runSummary = built[0];
                scores = built[1];
                runName = runSummary.toString();
                scoresName = scores.toString();
            } else {
                runSummary = takeEvidence(evidence.runSummary(), spec.key(), gateStage, "run-summary.json");
                scores = takeEvidence(evidence.scores(), spec.key(), gateStage, "scores.json");
                runName = resolve(evidence.runSummary(), spec.key()).toString();
                scoresName = resolve(evidence.scores(), spec.key()).toString();
            }
            if (evidence.serving() != null) {
                serving = takeEvidence(evidence.serving(), spec.key(), gateStage, "serving.json");
            }
        } catch (EvidenceMissing | EvidenceUnusable e) {
            return gateResult(gateStage, StepResult.failed(FailureClass.UNKNOWN, e.getMessage()).result());
        }
        state.output(gateStage, "run_summary", runSummary);
        state.output(gateStage, "scores", scores);
        if (serving != null) {
            state.output(gateStage, "serving", serving);
        }
        JsonNode servingDoc = serving == null ? null : Json.read(serving);
        ObjectNode result = new RunGate().evaluate(Json.read(runSummary), runName, servingDoc,
                serving == null ? null : resolve(evidence.serving(), spec.key()).toString()).toJson();
        if (result.path("pass").asBoolean()) {
            String problem = taskSetProblem(Json.read(runSummary).path("tasks"), runName, Json.read(scores),
                    scoresName);
            if (problem != null) {
                result.put("pass", false);
                result.put("failure_class", FailureClass.SAMPLE_ACCOUNTING_FAILED.name());
                result.put("detail", problem);
            }
        }
        if (result.path("pass").asBoolean() && Stages.BASELINE_GATE.equals(gateStage) && plan.mlflow() != null
                && plan.mlflow().log()) {
            result.set("mlflow", logBaseline(Json.read(scores)));
        }
        return gateResult(gateStage, result);
    }

    /**
     * A baseline reused from MLflow has no run summary to judge here: it was judged when it was recorded. What is
     * checked is that its scores are the plan's task set, each a finite number; the result says where they came from.
     */
    private StepResult reusedGate(String gateStage, ReleasePlan.StageSpec spec, String runId) {
        progress.stage(gateStage, "checking the baseline reused from MLflow run " + runId);
        Path source = stageDir(spec.key()).resolve(MLFLOW_SCORES);
        if (!Files.isRegularFile(source)) {
            return gateResult(gateStage, StepResult.failed(FailureClass.UNKNOWN, source + " does not exist (the "
                    + spec.key() + " stage did not write it)").result());
        }
        Path scores = evidenceDir(gateStage).resolve("scores.json");
        createDirectories(scores.getParent());
        try {
            Files.copy(source, scores, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + ": " + e.getMessage(), e);
        }
        state.output(gateStage, "scores", scores);
        JsonNode doc = Json.read(scores);
        ObjectNode runTasks = Json.object();
        plan.tasks().forEach(runTasks::putObject);
        String problem = taskSetProblem(runTasks, "MLflow run " + runId, doc, scores.toString());
        List<String> invalid = new ArrayList<>();
        for (String task : plan.tasks()) {
            if (doc.has(task) && Fields.finiteNumber(doc.get(task)) == null) {
                invalid.add(task);
            }
        }
        if (problem == null && !invalid.isEmpty()) {
            problem = scores + ": not finite numbers: " + String.join(", ", invalid);
        }
        ObjectNode result = problem == null
                ? StepResult.resultJson(true, null, "baseline reused from MLflow run " + runId + " (experiment \""
                        + plan.mlflow().experiment() + "\"); its run was judged when it was recorded")
                : StepResult.resultJson(false, FailureClass.SAMPLE_ACCOUNTING_FAILED, problem);
        ObjectNode reused = result.putObject("reused");
        reused.put("source", "mlflow");
        reused.put("experiment", plan.mlflow().experiment());
        reused.put("run_id", runId);
        return gateResult(gateStage, result);
    }

    /** Records a judged baseline in MLflow for later releases; a failure is reported, not fatal. */
    private ObjectNode logBaseline(JsonNode scores) {
        ObjectNode note = Json.object();
        try {
            String runId = new MlflowBridge(plan, env, redactor).logEval(scores, "day0 " + plan.name()
                    + " baseline");
            note.put("logged", true);
            note.put("run_id", runId);
            progress.line("  recorded the baseline in MLflow: run " + runId);
        } catch (MlflowException | dev.day0.io.InputException e) {
            note.put("logged", false);
            note.put("problem", e.getMessage());
            progress.line("  warning: the baseline could not be recorded in MLflow: " + e.getMessage());
        }
        return note;
    }

    /**
     * The scores must cover exactly the plan's task set: a task silently missing from both evals would otherwise
     * be accepted by a comparison that never saw it.
     */
    private String taskSetProblem(JsonNode runTasks, String runName, JsonNode scores, String scoresName) {
        new Fields(scoresName).requireObject(scores, "");
        TreeSet<String> planned = new TreeSet<>(plan.tasks());
        TreeSet<String> scored = new TreeSet<>();
        scores.fieldNames().forEachRemaining(scored::add);
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(planned);
        missing.removeAll(scored);
        TreeSet<String> extra = new TreeSet<>(scored);
        extra.removeAll(planned);
        if (!missing.isEmpty()) {
            problems.add(scoresName + ": no score for the plan's tasks " + String.join(", ", missing));
        }
        if (!extra.isEmpty()) {
            problems.add(scoresName + ": tasks not in the plan: " + String.join(", ", extra));
        }
        TreeSet<String> notRun = new TreeSet<>(planned);
        runTasks.fieldNames().forEachRemaining(notRun::remove);
        if (!notRun.isEmpty()) {
            problems.add(runName + ": the run summary has no entry for " + String.join(", ", notRun));
        }
        return problems.isEmpty() ? null : "the evidence does not match the plan's task set: "
                + String.join("; ", problems);
    }

    private StepResult compare() {
        progress.stage(Stages.COMPARE, "comparing quantized with baseline scores, threshold " + plan.threshold()
                + (plan.relative() ? " (relative)" : ""));
        Path baseline = state.output(Stages.BASELINE_GATE, "scores");
        Path candidate = state.output(Stages.QUANTIZED_GATE, "scores");
        if (baseline == null || candidate == null || !Files.isRegularFile(baseline)
                || !Files.isRegularFile(candidate)) {
            return StepResult.failed(FailureClass.UNKNOWN, "the scores the run gates passed are no longer in "
                    + workdir.resolve("evidence") + "; start a new run");
        }
        deleteTree(evidenceDir(Stages.COMPARE));
        JsonNode published = null;
        String publishedName = null;
        if (plan.published() != null) {
            Path source = plan.published().resolve(plan.dir(), workdir, workdir);
            if (!Files.isRegularFile(source)) {
                throw new InputException(plan.file().toString(), "published", source + " does not exist");
            }
            Path copy = takeEvidence(plan.published(), Stages.COMPARE, Stages.COMPARE, "published.json");
            state.output(Stages.COMPARE, "published", copy);
            published = Json.read(copy);
            publishedName = source.toString();
        }
        ReleasePlan.Noise noise = plan.noise();
        NoisePolicy policy = NoisePolicy.none();
        NoiseJudge judge = null;
        if (noise != null) {
            Path baselineDir = stageDir(Stages.BASELINE_EVAL);
            Path candidateDir = stageDir(Stages.QUANTIZED_EVAL);
            if (noise.policy() != null) {
                policy = NoisePolicy.read(noise.policy().resolve(plan.dir(), workdir, workdir));
            }
            judge = new NoiseJudge(NoiseMode.valueOf(noise.mode().toUpperCase(Locale.ROOT)), policy,
                    noise.baselineSamples() == null ? null : SampleFiles.scan(noise.baselineSamples()
                            .resolve(plan.dir(), workdir, baselineDir), "noise.baseline_samples"),
                    noise.candidateSamples() == null ? null : SampleFiles.scan(noise.candidateSamples()
                            .resolve(plan.dir(), workdir, candidateDir), "noise.candidate_samples"),
                    noise.baselineStderr() == null ? null : StandardErrors.read(noise.baselineStderr()
                            .resolve(plan.dir(), workdir, baselineDir)),
                    noise.candidateStderr() == null ? null : StandardErrors.read(noise.candidateStderr()
                            .resolve(plan.dir(), workdir, candidateDir)),
                    noise.sampleCounts() == null ? null : SampleCounts.read(noise.sampleCounts()
                            .resolve(plan.dir(), workdir, workdir)));
        }
        CompareGate gate = new CompareGate(plan.threshold(), plan.relative(), plan.scales(), published,
                publishedName, policy, judge);
        ObjectNode result = gate.evaluate(Json.read(baseline), baseline.toString(), Json.read(candidate),
                candidate.toString()).toJson();
        if (judge != null) {
            judge.usedSampleFiles().forEach((role, file) -> state.output(Stages.COMPARE, role, file));
        }
        return gateResult(Stages.COMPARE, result);
    }

    private StepResult gateResult(String stage, ObjectNode result) {
        Path file = workdir.resolve("gates").resolve(stage + ".json");
        AtomicFiles.write(file, Json.write(redactor.redactJson(result)) + "\n");
        return StepResult.fromJson(result);
    }

    private void announce(String stage, StepResult result, double elapsed) {
        String took = String.format(Locale.ROOT, " (%.1f s, total %s)", elapsed, progress.elapsedTotal());
        if (Stages.COMPARE.equals(stage)) {
            progress.line("  verdict: " + result.result().path("decision").asText("ANOMALOUS") + ": "
                    + result.detail() + took);
        } else if (stage.endsWith("_gate")) {
            progress.line("  verdict: " + (result.pass() ? "PASS" : "FAIL " + result.failureClass()) + ": "
                    + result.detail() + took);
        } else {
            progress.line("  " + (result.pass() ? "done" : "failed " + result.failureClass()) + ": "
                    + result.detail() + took);
        }
    }

    // ------------------------------------------------------------------------------------------ closeout

    private Outcome closeout() {
        state.begin(Stages.CLOSEOUT);
        progress.stage(Stages.CLOSEOUT, "writing the decision and the reports");
        long start = System.nanoTime();
        DecisionRecord record = record();
        Path reportDir = workdir.resolve("report");
        List<Path> files = new ArrayList<>(new ReportWriter(redactor).write(record, reportDir));
        ObjectNode recordJson = record.toJson();
        Path html = reportDir.resolve(REPORT_HTML);
        AtomicFiles.write(html, redactor.redact(HtmlReport.render(recordJson, plan)));
        files.add(html);
        ObjectNode mlflowNote = logDecision(recordJson, files);

        DecisionRecord.Outcome outcome = record.outcome();
        boolean stopped = Stages.ALL.stream()
                .anyMatch(stage -> state.stageStatus(stage) == ReleaseState.StageStatus.FAILED);
        ObjectNode decision = Json.object();
        decision.put("decision", outcome.decision().name());
        decision.put("publish_recommendation", outcome.decision().publishRecommendation());
        decision.put("failure_class", outcome.failureClass() == null ? null : outcome.failureClass().name());
        decision.put("detail", outcome.detail());
        decision.put("exit_code", ReleaseExitCodes.of(outcome.decision()));
        decision.put("resumable", stopped);
        var fileList = decision.putArray("files");
        files.forEach(path -> fileList.add(path.toString()));
        if (mlflowNote != null) {
            decision.set("mlflow", mlflowNote);
        }
        state.decision(decision);
        state.end(Stages.CLOSEOUT, ReleaseState.StageStatus.COMPLETED, null, (System.nanoTime() - start) / 1e9);
        state.status(stopped ? ReleaseState.Status.STOPPED : ReleaseState.Status.FINISHED);
        save();
        printTable(recordJson);
        options.stopHook().afterStage(Stages.CLOSEOUT);
        return outcomeFrom(decision);
    }

    /** Records the decision in MLflow when the plan asks for it and setup passed; a failure is a warning. */
    private ObjectNode logDecision(ObjectNode recordJson, List<Path> files) {
        if (plan.mlflow() == null || !plan.mlflow().log()
                || state.stageStatus(Stages.SETUP) != ReleaseState.StageStatus.COMPLETED) {
            return null;
        }
        ObjectNode note = Json.object();
        try {
            String runId = new MlflowBridge(plan, env, redactor).logDecision(recordJson, files.get(0), files,
                    "day0 " + plan.name() + " decision");
            note.put("logged", true);
            note.put("run_id", runId);
            progress.line("  recorded the decision in MLflow: run " + runId);
        } catch (MlflowException | dev.day0.io.InputException | UncheckedIOException e) {
            note.put("logged", false);
            note.put("problem", e.getMessage());
            progress.line("  warning: the decision could not be recorded in MLflow: " + e.getMessage());
        }
        return note;
    }

    private Outcome finishedOutcome() {
        JsonNode decision = state.decision();
        if (decision == null || !decision.path("decision").isTextual()) {
            throw ReleaseState.refuse(workdir, "finished but holds no decision: start a new run with another "
                    + "--workdir");
        }
        return outcomeFrom((ObjectNode) decision);
    }

    private Outcome outcomeFrom(ObjectNode decision) {
        Decision value = Decision.valueOf(decision.path("decision").asText());
        boolean stopped = decision.path("resumable").asBoolean(false);
        progress.line("decision: " + value + " (" + value.publishRecommendation() + ")"
                + (decision.path("failure_class").isTextual() ? ", failure class "
                + decision.path("failure_class").asText() : "") + ": " + decision.path("detail").asText());
        if (stopped) {
            progress.line("the run stopped before a verdict; fix the cause, then continue with: day0 release run "
                    + "--plan " + plan.file() + " --workdir " + workdir + " --resume");
        }
        progress.line("reports:");
        decision.path("files").forEach(file -> progress.line("  " + file.asText()));
        progress.line("state: " + state.file());
        ObjectNode summary = Json.object();
        summary.put("plan", plan.name());
        summary.put("decision", value.name());
        summary.put("publish_recommendation", value.publishRecommendation());
        summary.set("failure_class", decision.get("failure_class"));
        summary.set("detail", decision.get("detail"));
        summary.put("status", state.status().name().toLowerCase(Locale.ROOT));
        summary.put("exit_code", ReleaseExitCodes.of(value));
        summary.put("workdir", workdir.toString());
        summary.put("state", state.file().toString());
        summary.set("files", decision.get("files"));
        return new Outcome(value, ReleaseExitCodes.of(value), summary);
    }

    /** The decision record: every stage that ran, in chain order, with the files it judged. */
    private DecisionRecord record() {
        DecisionRecord record = new DecisionRecord(toolVersion);
        record.input("plan", plan.file());
        for (String stage : Stages.ALL) {
            JsonNode result = state.result(stage);
            if (result == null || Stages.CLOSEOUT.equals(stage)) {
                continue;
            }
            String gate = switch (stage) {
                case Stages.PTQ_GATE -> "ptq";
                case Stages.BASELINE_GATE, Stages.QUANTIZED_GATE -> result.has("reused") ? "reuse" : "run";
                case Stages.COMPARE -> "compare";
                case Stages.SETUP -> "setup";
                default -> "stage";
            };
            record.stage(stage, gate, result);
        }
        for (String stage : List.of(Stages.PTQ_GATE, Stages.BASELINE_GATE, Stages.QUANTIZED_GATE, Stages.COMPARE)) {
            JsonNode outputs = state.stage(stage).path("outputs");
            Iterator<Map.Entry<String, JsonNode>> it = outputs.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().endsWith("_source")) {
                    continue;
                }
                Path file = Path.of(entry.getValue().asText());
                if (Files.isRegularFile(file)) {
                    record.input(stage + "." + entry.getKey(), file);
                }
            }
        }
        return record;
    }

    private void printTable(ObjectNode record) {
        JsonNode tasks = record.path("tasks");
        if (tasks.size() == 0) {
            return;
        }
        int width = "task".length();
        for (JsonNode row : tasks) {
            width = Math.max(width, row.path("task").asText().length());
        }
        width = Math.min(width, 40);
        String format = "  %-" + width + "s %10s %10s %9s %9s %8s  %s";
        progress.line("");
        progress.line(String.format(Locale.ROOT, format, "task", "baseline", "candidate", "delta", "drop", "limit",
                "within"));
        for (JsonNode row : tasks) {
            String name = row.path("task").asText();
            String within = row.has("anomaly") ? "ANOMALY: " + row.path("anomaly").asText()
                    : row.path("within").asBoolean() ? "yes" : "NO";
            if (row.has("verdict")) {
                within += " (" + row.path("verdict").asText() + ")";
            }
            progress.line(String.format(Locale.ROOT, format, name.length() > width ? name.substring(0, width)
                    : name, text(row.get("baseline")), text(row.get("candidate")), text(row.get("delta")),
                    text(row.get("drop_fraction")), text(row.get("limit")), within));
        }
        progress.line("");
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return "-";
        }
        return value.isNumber() ? value.decimalValue().stripTrailingZeros().toPlainString() : value.asText();
    }

    // ------------------------------------------------------------------------------------------- files

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir + ": " + e.getMessage(), e);
        }
    }
}
