package dev.day0.release.ladder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.release.Conductor;
import dev.day0.release.ReleasePlan;
import dev.day0.release.ReleaseState;
import dev.day0.release.StepReport;
import dev.day0.release.Terminal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A recipe ladder one stage at a time ({@code day0 release step} on a ladder plan): each call advances the current
 * candidate's own {@link Conductor#step()} by one stage, and when that candidate's closeout ran, records it as
 * {@link LadderRun} does and either names the next candidate's first stage or closes the ladder. The same rules as
 * {@code release run}: the budget before a candidate starts, the baseline eval once, the continue/stop table, at most
 * one submission per GPU job (each candidate's conductor keeps its own state), and the same {@code ladder.json}.
 *
 * <p>A call over a stopped ladder (a candidate stopped it, or the budget) steps that candidate again, as
 * {@code --resume} would; a call over a finished ladder judges every candidate's recorded evidence again and answers
 * the decision, running nothing new. Closing judges every candidate that reached a verdict again from its evidence
 * ({@code Conductor.run} with resume, which redoes no work), so a verdict edited into {@code ladder.json} between
 * calls is never taken.
 */
public final class LadderStep {
    /**
     * What one call did: the candidate whose stage ran and the conductor's report of it (null when nothing ran),
     * the candidate and stage the next call runs (null once the ladder is done), and the ladder's outcome once done.
     */
    public record Report(LadderPlan.Candidate ranCandidate, StepReport ran, LadderPlan.Candidate nextCandidate,
                         StepReport next, Conductor.Outcome outcome) {
        public boolean done() {
            return outcome != null;
        }
    }

    private final LadderRun run;

    /** {@code options.resume}, {@code terminal} and the candidate hook are not used: each call is a step. */
    public LadderStep(LadderRun run) {
        this.run = run;
    }

    public Report step() {
        LadderState state = open();
        Map<String, Map<String, Path>> approvals = run.approvals();
        for (LadderPlan.Candidate candidate : run.plan.tried()) {
            ObjectNode entry = state.entry(candidate);
            if (entry.hasNonNull("decision")) {
                LadderRun.Stop stop = recordedStop(candidate, entry);
                if (stop != null || !goesOn(entry)) {
                    return new Report(null, null, null, null, close(state, stop));
                }
                continue;
            }
            boolean started = entry.path("started").asBoolean(false);
            Path baselineFrom = started ? LadderRun.baselineFrom(entry) : run.firstBaseline(state);
            ReleasePlan candidatePlan = run.plan.plan(candidate, baselineFrom);
            Map<String, Path> given = approvals.getOrDefault(candidate.name(), Map.of());
            if (!started) {
                LadderRun.Stop stop = run.start(state, candidate, entry, candidatePlan, baselineFrom, given);
                if (stop != null) {
                    return new Report(null, null, null, null, close(state, stop));
                }
                run.announce(candidate, baselineFrom);
            }
            Path dir = candidate.workdir(run.workdir);
            StepReport report = conductor(candidatePlan, dir, given).step();
            if (!report.done()) {
                return new Report(candidate, report, candidate, report, null);
            }
            run.ended(state, entry, candidatePlan, dir, given, report.outcome());
            LadderRun.Stop stop = LadderRun.stopAfter(candidate, report.outcome());
            if (stop != null || !run.goesOn(candidate, report.outcome())) {
                return new Report(candidate, report, null, null, close(state, stop));
            }
            LadderPlan.Candidate following = nextTried(candidate);
            if (following == null) {
                return new Report(candidate, report, null, null, close(state, null));
            }
            return new Report(candidate, report, following, new StepReport(null, null, Stage.chain().get(0), null,
                    null, null), null);
        }
        return new Report(null, null, null, null, close(state, null));
    }

    /** The candidate and stage the next call runs, writing nothing; a done ladder's answer names closeout. */
    public Report peek() {
        LadderPlan plan = run.plan;
        if (!Files.isRegularFile(run.workdir.resolve(LadderState.FILE))) {
            return new Report(null, null, plan.tried().get(0), first(), null);
        }
        LadderState state = LadderState.open(run.workdir, plan, true, run.toolVersion, run.redactor);
        boolean stopped = "stopped".equals(state.status());
        for (LadderPlan.Candidate candidate : plan.tried()) {
            ObjectNode entry = state.entry(candidate);
            boolean current = !entry.hasNonNull("decision") || stopped && entry.path("resumable").asBoolean(false);
            if (!current) {
                if (recordedStop(candidate, entry) != null || !goesOn(entry)) {
                    break;
                }
                continue;
            }
            Path dir = candidate.workdir(run.workdir);
            if (!Files.exists(ReleaseState.fileIn(dir))) {
                return new Report(null, null, candidate, first(), null);
            }
            ReleasePlan candidatePlan = plan.plan(candidate, entry.path("started").asBoolean(false)
                    ? LadderRun.baselineFrom(entry) : run.firstBaseline(state));
            Stage next = conductor(candidatePlan, dir, Map.of()).peek();
            return new Report(null, null, candidate, new StepReport(null, null, next, null, null, null), null);
        }
        return new Report(null, null, null, new StepReport(null, null, Stage.CLOSEOUT, null, null, null), null);
    }

    private static StepReport first() {
        return new StepReport(null, null, Stage.chain().get(0), null, null, null);
    }

    /**
     * The ladder's state for this call: a new one on the first call; over a stopped ladder, the candidate that
     * stopped it (and any the budget kept from starting) made current again.
     */
    private LadderState open() {
        boolean exists = Files.isRegularFile(run.workdir.resolve(LadderState.FILE));
        LadderState state = LadderState.open(run.workdir, run.plan, exists, run.toolVersion, run.redactor);
        if ("stopped".equals(state.status())) {
            for (ObjectNode entry : state.entries()) {
                if (entry.path("resumable").asBoolean(false)) {
                    entry.remove(List.of("decision", "failure_class", "resumable"));
                    entry.put("status", "running");
                }
                if (!entry.path("started").asBoolean(false)) {
                    entry.remove(List.of("status", "detail"));
                }
            }
        }
        if (!"finished".equals(state.status())) {
            state.status("running");
        }
        state.save();
        return state;
    }

    private Conductor conductor(ReleasePlan candidatePlan, Path dir, Map<String, Path> given) {
        Conductor.Options options = new Conductor.Options(dir, false, given, Terminal.NONE, stage -> { },
                run.options.sleeper(), run.options.confirmResubmit());
        return new Conductor(candidatePlan, options, run.env, run.redactor, run.err, run.toolVersion);
    }

    /**
     * Closes the ladder: every candidate that reached a verdict in an earlier call is judged again from its own
     * recorded evidence first, so the decision rests on evidence, not on what ladder.json says.
     */
    private Conductor.Outcome close(LadderState state, LadderRun.Stop stop) {
        for (LadderPlan.Candidate candidate : run.plan.tried()) {
            ObjectNode entry = state.entry(candidate);
            Path dir = candidate.workdir(run.workdir);
            if (!entry.hasNonNull("decision") || entry.path("resumable").asBoolean(false)
                    || !Files.exists(ReleaseState.fileIn(dir))) {
                continue;
            }
            ReleasePlan candidatePlan = run.plan.plan(candidate, LadderRun.baselineFrom(entry));
            Map<String, Path> none = Map.of();
            Conductor.Options options = new Conductor.Options(dir, true, none, Terminal.NONE, stage -> { },
                    run.options.sleeper(), false);
            Conductor.Outcome again = new Conductor(candidatePlan, options, run.env, run.redactor, run.err,
                    run.toolVersion).run();
            run.ended(state, entry, candidatePlan, dir, none, again);
        }
        return run.close(state, stop == null ? firstRecordedStop(state) : stop);
    }

    private LadderRun.Stop firstRecordedStop(LadderState state) {
        for (LadderPlan.Candidate candidate : run.plan.tried()) {
            LadderRun.Stop stop = recordedStop(candidate, state.entry(candidate));
            if (stop != null) {
                return stop;
            }
        }
        return null;
    }

    /** The stop a recorded candidate caused, read back from its entry as {@link LadderRun#stopAfter} decides it. */
    private static LadderRun.Stop recordedStop(LadderPlan.Candidate candidate, ObjectNode entry) {
        if (!entry.hasNonNull("decision")) {
            return null;
        }
        ObjectNode summary = dev.day0.io.Json.object();
        summary.put("status", entry.path("status").asText());
        summary.set("detail", entry.get("detail"));
        Conductor.Outcome outcome = new Conductor.Outcome(dev.day0.core.Decision.valueOf(entry.path("decision")
                .asText()), 0, summary);
        return LadderRun.stopAfter(candidate, outcome);
    }

    private boolean goesOn(ObjectNode entry) {
        return !("ACCEPT".equals(entry.path("decision").asText()) && run.plan.mode() == LadderPlan.Mode.FIRST);
    }

    private LadderPlan.Candidate nextTried(LadderPlan.Candidate candidate) {
        List<LadderPlan.Candidate> tried = run.plan.tried();
        return candidate.index() + 1 < tried.size() ? tried.get(candidate.index() + 1) : null;
    }
}
