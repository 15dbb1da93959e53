package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import dev.day0.release.Conductor;
import dev.day0.release.ReleaseExit;
import dev.day0.release.ReleasePlan;
import dev.day0.release.ReleaseState;
import dev.day0.release.Terminal;
import dev.day0.core.Decision;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs a recipe ladder: one {@link Conductor} per candidate, in order, each in its own work directory
 * ({@code candidates/<i>-<name>/}), the baseline eval run once and reused by every later candidate. After each
 * candidate, its decision says whether the ladder goes on: REGRESSION and INFEASIBLE (model unsupported, coverage,
 * size, not servable) try the next candidate; SYSTEMIC, NEEDS_HUMAN, ANOMALOUS and a stopped run end the ladder.
 * Before a candidate starts, its Rockie quotes plus what earlier candidates committed are held to the budget.
 *
 * <p>{@code ladder.json} records each candidate as it starts and ends, so {@code --resume} knows which to resume
 * (each resumed Conductor re-judges its recorded evidence and redoes no work) and where to go on from.
 */
public final class LadderRun {
    /** Called after ladder.json records a candidate's outcome; the test hook ends the process there. */
    public interface CandidateHook {
        void afterCandidate(int index);
    }

    /**
     * @param workdir where ladder.json, the candidates' directories and the ladder's reports go
     * @param approvals approved term sheets, by candidate name, then by stage
     * @param candidateSheets a candidate's approval of all its jobs at once, by candidate name
     */
    public record Options(Path workdir, boolean resume, Map<String, Map<String, Path>> approvals,
                          Map<String, Path> candidateSheets, Terminal terminal, Conductor.StopHook stopHook,
                          Conductor.Sleeper sleeper, boolean confirmResubmit, CandidateHook candidateHook) {
    }

    final LadderPlan plan;
    final Options options;
    final Map<String, String> env;
    final Redactor redactor;
    final PrintWriter err;
    final String toolVersion;
    final Path workdir;

    public LadderRun(LadderPlan plan, Options options, Map<String, String> env, Redactor redactor,
                     PrintWriter err, String toolVersion) {
        this.plan = plan;
        this.options = options;
        this.env = env;
        // As each candidate's Conductor does: the values of the plan's setup.env are secrets in every report.
        java.util.Set<String> planSecrets = new java.util.LinkedHashSet<>();
        plan.root().path("setup").path("env").forEach(name -> {
            String value = env.get(name.asText());
            if (value != null && !value.isBlank()) {
                planSecrets.add(value.trim());
            }
        });
        this.redactor = redactor.and(planSecrets);
        this.err = err;
        this.toolVersion = toolVersion;
        this.workdir = options.workdir().toAbsolutePath().normalize();
    }

    public Conductor.Outcome run() {
        LadderState state = LadderState.open(workdir, plan, options.resume(), toolVersion, redactor);
        Map<String, Map<String, Path>> approvals = approvals();
        say("day0 release: ladder " + plan.name() + " (" + plan.tried().size() + " of "
                + plan.candidates().size() + " candidates, mode " + plan.mode().word()
                + (plan.budgetCents() == null ? "" : ", budget " + LadderReport.dollars(plan.budgetCents()))
                + ") in " + workdir);
        state.status("running");
        for (ObjectNode entry : state.entries()) {
            if (!entry.path("started").asBoolean(false)) {
                entry.remove(List.of("status", "detail"));
            }
        }
        state.save();
        Stop stop = null;
        for (LadderPlan.Candidate candidate : plan.tried()) {
            ObjectNode entry = state.entry(candidate);
            boolean started = entry.path("started").asBoolean(false);
            Path baselineFrom = started ? baselineFrom(entry) : firstBaseline(state);
            ReleasePlan candidatePlan = plan.plan(candidate, baselineFrom);
            Path dir = candidate.workdir(workdir);
            Map<String, Path> given = approvals.getOrDefault(candidate.name(), Map.of());
            if (!started) {
                stop = start(state, candidate, entry, candidatePlan, baselineFrom, given);
                if (stop != null) {
                    break;
                }
            }
            announce(candidate, baselineFrom);
            boolean resumeCandidate = started && Files.exists(ReleaseState.fileIn(dir));
            Conductor.Options conductorOptions = new Conductor.Options(dir, resumeCandidate, given,
                    options.terminal(), options.stopHook(), options.sleeper(), options.confirmResubmit());
            Conductor.Outcome outcome = new Conductor(candidatePlan, conductorOptions, env, redactor, err,
                    toolVersion).run();
            ended(state, entry, candidatePlan, dir, given, outcome);
            options.candidateHook().afterCandidate(candidate.index());
            stop = stopAfter(candidate, outcome);
            if (stop != null || !goesOn(candidate, outcome)) {
                break;
            }
            if (Thread.currentThread().isInterrupted()) {
                // A signal ends the process once this candidate's decision is written: start no other.
                stop = new Stop(Decision.NEEDS_HUMAN, "interrupted after candidate " + candidate.index() + " ("
                        + candidate.name() + "): continue with --resume");
                break;
            }
        }
        return close(state, stop);
    }

    /** Why the ladder stops: the decision it stops with and the reason. */
    record Stop(Decision decision, String reason) {
    }

    /** Marks a candidate started after the budget allows it; else why the ladder stops before it. */
    Stop start(LadderState state, LadderPlan.Candidate candidate, ObjectNode entry, ReleasePlan candidatePlan,
               Path baselineFrom, Map<String, Path> given) {
        Long quoted = quote(candidatePlan, given, candidate.workdir(workdir));
        String over = overBudget(state, quoted);
        if (over != null) {
            entry.put("status", "not started");
            entry.put("detail", over);
            state.save();
            return new Stop(Decision.NEEDS_HUMAN, "candidate " + candidate.index() + " (" + candidate.name()
                    + ") was not started: " + over);
        }
        entry.put("started", true);
        entry.put("baseline_from", baselineFrom == null ? null : baselineFrom.toString());
        if (quoted != null) {
            entry.put("quoted_cents", quoted);
        }
        entry.put("status", "running");
        state.save();
        return null;
    }

    void announce(LadderPlan.Candidate candidate, Path baselineFrom) {
        say("");
        say("day0 release: candidate " + (candidate.index() + 1) + "/" + plan.tried().size() + " "
                + candidate.name() + " (recipe " + candidate.recipe() + ")" + (baselineFrom == null ? ""
                : ", reusing the baseline eval of " + workdir.relativize(baselineFrom)));
    }

    /** Records how a candidate ended and what it spent. */
    void ended(LadderState state, ObjectNode entry, ReleasePlan candidatePlan, Path dir, Map<String, Path> given,
               Conductor.Outcome outcome) {
        record(entry, candidatePlan, dir, outcome);
        spend(entry, candidatePlan, dir, given);
        state.save();
    }

    /** SYSTEMIC, NEEDS_HUMAN, ANOMALOUS or a stopped run stop the ladder with that decision; else null. */
    static Stop stopAfter(LadderPlan.Candidate candidate, Conductor.Outcome outcome) {
        Decision decision = outcome.decision();
        boolean stopped = "stopped".equals(outcome.summary().path("status").asText());
        if (stopped || decision == Decision.SYSTEMIC || decision == Decision.NEEDS_HUMAN
                || decision == Decision.ANOMALOUS) {
            return new Stop(decision, "candidate " + candidate.index() + " (" + candidate.name() + ") ended "
                    + decision + (stopped ? " before a verdict" : "") + ", which stops the ladder: "
                    + outcome.summary().path("detail").asText());
        }
        return null;
    }

    /** False when this candidate's ACCEPT ends a {@code first} ladder. */
    boolean goesOn(LadderPlan.Candidate candidate, Conductor.Outcome outcome) {
        return !(outcome.decision() == Decision.ACCEPT && plan.mode() == LadderPlan.Mode.FIRST);
    }

    /** The ladder's decision from its candidates' entries (or the stop), its reports, and the outcome. */
    Conductor.Outcome close(LadderState state, Stop stop) {
        for (LadderPlan.Candidate candidate : plan.candidates()) {
            ObjectNode entry = state.entry(candidate);
            if (!entry.path("started").asBoolean(false) && !entry.has("status")) {
                entry.put("status", candidate.index() >= plan.maxCandidates() ? "not tried (max_candidates)"
                        : "not tried");
            }
        }
        LadderDecision decision = LadderDecision.decide(plan, state.entries(), stop == null ? null : stop.decision(),
                stop == null ? null : stop.reason());
        state.decision(decision.toJson());
        state.status(decision.resumable() ? "stopped" : "finished");
        state.save();
        List<Path> files = new LadderReport(plan, redactor).write(workdir, state.entries(), decision);
        return outcome(state, decision, files);
    }

    /**
     * The approvals by candidate and stage: those given one per stage, and the jobs of each candidate's sheet,
     * checked and unpacked into {@code approvals/<i>-<name>/} before any candidate runs. A stage approved twice
     * (on its own and in its candidate's sheet) is refused: one approval covers one submission.
     */
    Map<String, Map<String, Path>> approvals() {
        Map<String, Map<String, Path>> all = new java.util.LinkedHashMap<>();
        options.approvals().forEach((name, stages) -> all.put(name, new java.util.LinkedHashMap<>(stages)));
        if (options.candidateSheets().isEmpty()) {
            return all;
        }
        dev.day0.rockie.ApprovalKey key;
        try {
            key = dev.day0.rockie.ApprovalKey.forChecking(env);
        } catch (dev.day0.rockie.RockieException e) {
            // Without the key no candidate's sheet can be checked: the --approve given cannot be used (exit 2).
            throw new InputException("--approve", "", e.getMessage());
        }
        for (LadderPlan.Candidate candidate : plan.candidates()) {
            Path sheet = options.candidateSheets().get(candidate.name());
            if (sheet == null) {
                continue;
            }
            Path outDir = workdir.resolve(LadderState.APPROVALS).resolve(candidate.index() + "-" + candidate.name());
            Map<String, Path> jobs = CandidateApproval.open(sheet, plan, candidate, key, outDir, redactor);
            Map<String, Path> stages = all.computeIfAbsent(candidate.name(), k -> new java.util.LinkedHashMap<>());
            for (Map.Entry<String, Path> job : jobs.entrySet()) {
                if (stages.containsKey(job.getKey())) {
                    throw new InputException("--approve", "", candidate.name() + ":" + job.getKey() + " is "
                            + "approved twice (on its own and in " + sheet + "): one approval covers one submission");
                }
                stages.put(job.getKey(), job.getValue());
            }
            say("day0 release: " + sheet + " approves " + jobs.size() + " job(s) of candidate "
                    + candidate.name() + ": " + String.join(", ", jobs.keySet()));
        }
        return all;
    }

    /** The work directory of the first started candidate whose baseline eval and baseline gate completed. */
    Path firstBaseline(LadderState state) {
        for (LadderPlan.Candidate candidate : plan.tried()) {
            ObjectNode entry = state.entry(candidate);
            if (!entry.path("started").asBoolean(false)) {
                return null;
            }
            if (entry.hasNonNull("baseline_from")) {
                return Path.of(entry.get("baseline_from").asText());
            }
            Path dir = candidate.workdir(workdir);
            if (Files.exists(ReleaseState.fileIn(dir))) {
                ReleaseState candidateState = ReleaseState.load(dir);
                if (candidateState.stageStatus(Stage.BASELINE_EVAL) == ReleaseState.StageStatus.COMPLETED
                        && candidateState.stageStatus(Stage.BASELINE_GATE) == ReleaseState.StageStatus.COMPLETED
                        && candidateState.stage(Stage.BASELINE_GATE).path("result").path("pass").asBoolean()) {
                    return dir;
                }
            }
        }
        return null;
    }

    static Path baselineFrom(ObjectNode entry) {
        return entry.hasNonNull("baseline_from") ? Path.of(entry.get("baseline_from").asText()) : null;
    }

    /**
     * The most this candidate's Rockie stages may spend: per stage, the approved sheet's (or the plan's quote's)
     * user budget, else its recommended budget, else its estimate. Null when a Rockie stage has no readable
     * quote; a plan without Rockie stages quotes 0.
     */
    private Long quote(ReleasePlan candidatePlan, Map<String, Path> approvals, Path dir) {
        long total = 0;
        for (ReleasePlan.StageSpec spec : candidatePlan.workingStages()) {
            if (spec.runner() != ReleasePlan.Runner.ROCKIE) {
                continue;
            }
            Path sheet = approvals.get(spec.key());
            if (sheet == null && spec.rockie().termSheet() != null) {
                sheet = spec.rockie().termSheet().resolve(candidatePlan.dir(), dir,
                        dir.resolve("stages").resolve(spec.key()));
            }
            Long cents = LadderSpend.quoteOf(sheet, redactor);
            if (cents == null) {
                return null;
            }
            try {
                total = Math.addExact(total, cents);
            } catch (ArithmeticException e) {
                return null;
            }
        }
        return total;
    }

    /** Why the budget forbids starting a candidate with this quote, or null when it allows it. */
    private String overBudget(LadderState state, Long quoted) {
        Long budget = plan.budgetCents();
        if (budget == null) {
            return null;
        }
        if (quoted == null) {
            return "ladder.budget_cents caps the search but a Rockie stage of this candidate has no readable quote "
                    + "(set its term_sheet or pass --approve CANDIDATE:STAGE=FILE), so its cost is unknown";
        }
        long committed = 0;
        try {
            for (ObjectNode entry : state.entries()) {
                if (entry.path("started").asBoolean(false)) {
                    committed = Math.addExact(committed, LadderSpend.committed(entry));
                }
            }
            long total = Math.addExact(committed, quoted);
            if (total <= budget) {
                return null;
            }
            return "its quote " + LadderReport.dollars(quoted) + " with the " + LadderReport.dollars(committed)
                    + " earlier candidates spent or committed (billed cost of ended jobs, quotes of the others) makes "
                    + LadderReport.dollars(total) + ", over ladder.budget_cents "
                    + LadderReport.dollars(budget) + ": raise the budget or stop here";
        } catch (ArithmeticException e) {
            return "the committed and quoted cents overflow a 64-bit count: refusing to start it";
        }
    }

    /** The candidate's spend, job by job, once it ended: billed where the platform reported the cost. */
    private void spend(ObjectNode entry, ReleasePlan candidatePlan, Path dir, Map<String, Path> approvals) {
        ObjectNode spend;
        try {
            spend = LadderSpend.of(candidatePlan, dir, approvals, redactor);
        } catch (ArithmeticException e) {
            spend = null;
        }
        if (spend == null) {
            entry.remove("spend");
        } else {
            entry.set("spend", spend);
        }
    }

    /** What a candidate's run ended with, read from its own state.json and decision. */
    private void record(ObjectNode entry, ReleasePlan candidatePlan, Path dir, Conductor.Outcome outcome) {
        ObjectNode summary = outcome.summary();
        entry.put("status", summary.path("status").asText());
        entry.put("decision", outcome.decision().name());
        entry.set("failure_class", summary.get("failure_class"));
        entry.set("detail", summary.get("detail"));
        entry.put("resumable", "stopped".equals(summary.path("status").asText()));
        entry.put("report", dir.resolve("report").resolve("report.html").toString());
        ReleaseState candidateState = ReleaseState.load(dir);
        JsonNode size = candidateState.stage(Stage.PTQ_GATE).path("result").path("checks").path("size");
        entry.set("size_ratio", size.path("ratio").isNumber() ? size.get("ratio") : null);
        JsonNode perTask = candidateState.stage(Stage.COMPARE).path("result").path("per_task");
        String worstTask = null;
        double worst = Double.NEGATIVE_INFINITY;
        var tasks = perTask.fields();
        while (tasks.hasNext()) {
            var task = tasks.next();
            JsonNode drop = task.getValue().path("drop_fraction");
            if (drop.isNumber() && drop.doubleValue() > worst) {
                worst = drop.doubleValue();
                worstTask = task.getKey();
            }
        }
        if (worstTask != null) {
            entry.put("worst_drop", worst);
            entry.put("worst_task", worstTask);
        } else {
            entry.putNull("worst_drop");
            entry.putNull("worst_task");
        }
        entry.put("threshold", candidatePlan.threshold());
        ReleasePlan.Evidence evidence = candidatePlan.ptq().evidence();
        if (evidence != null && evidence.output() != null) {
            Path stageDir = dir.resolve("stages").resolve(Stage.PTQ.key());
            entry.put("checkpoint", evidence.output().resolve(candidatePlan.dir(), dir, stageDir).toString());
        }
    }

    private Conductor.Outcome outcome(LadderState state, LadderDecision decision, List<Path> files) {
        say("");
        say("ladder decision: " + decision.decision() + " (" + decision.decision().publishRecommendation()
                + "): " + decision.detail());
        if (decision.resumable()) {
            say("the ladder stopped; fix the cause, then continue with: day0 release run --plan "
                    + plan.file() + " --workdir " + workdir + " --resume");
        }
        say("reports:");
        files.forEach(file -> say("  " + file));
        say("ladder state: " + state.file());
        err.flush();
        ObjectNode summary = decision.toJson();
        summary.put("plan", plan.name());
        summary.put("status", decision.resumable() ? "stopped" : "finished");
        summary.put("exit_code", ReleaseExit.of(decision.decision()).code());
        summary.put("workdir", workdir.toString());
        summary.put("ladder", state.file().toString());
        var list = summary.putArray("files");
        files.forEach(file -> list.add(file.toString()));
        return new Conductor.Outcome(decision.decision(), ReleaseExit.of(decision.decision()).code(),
                (ObjectNode) redactor.redactJson(summary));
    }

    /** A line of the ladder's own on stderr, through the run's redactor like every other line day0 prints. */
    void say(String line) {
        err.println(redactor.redact(line));
    }
}
