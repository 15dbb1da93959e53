package dev.day0.cli.release;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.ExitCodeFamily;
import dev.day0.cli.EngineCommand;
import dev.day0.cli.Subcommands;
import dev.day0.cli.Version;
import dev.day0.core.ExitCode;
import dev.day0.core.Stage;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.release.Conductor;
import dev.day0.release.ReleaseExit;
import dev.day0.release.ReleasePlan;
import dev.day0.release.StepReport;
import dev.day0.release.StepResult;
import dev.day0.release.Terminal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code day0 release run}: the whole release chain as one command. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Drive a release plan through every stage and gate to a decision.")
@Subcommands({ReleaseCommand.Run.class, ReleaseCommand.Step.class, ApproveCommand.class})
public final class ReleaseCommand {

    /** The test hook: end the process right after state.json records this stage. */
    public static final String STOP_AFTER_STAGE = "DAY0_STOP_AFTER_STAGE";
    /** The ladder's test hook: end the process right after ladder.json records this candidate (its index). */
    public static final String STOP_AFTER_CANDIDATE = "DAY0_STOP_AFTER_CANDIDATE";
    /** How long a signal waits for the run to cancel its job and write the decision before the JVM ends. */
    static final long INTERRUPT_GRACE_SECONDS = 60;
    /** Where a pipeline writes the approved sheet a step asked for (the step keeps its own copy of it). */
    static final String GIVEN_APPROVAL = "given-approval.json";

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run a release plan: setup, PTQ, ptq gate, baseline eval, run gate, quantized eval, "
                    + "run gate, compare gate, closeout. State is saved after every stage; --resume continues "
                    + "after the last completed one.",
                "Prints a JSON summary on stdout and progress on stderr; writes decision.json, report.md, "
                    + "junit.xml and report.html into WORKDIR/report."},
            footer = {"", "See docs/release.md for the plan format."})
    @ExitCodeFamily(ReleaseExit.class)
    static final class Run extends EngineCommand {
        @Option(names = "--plan", required = true, paramLabel = "FILE", description = "The release plan (YAML).")
        Path planFile;

        @Option(names = "--workdir", paramLabel = "DIR",
                description = "Where state, logs, evidence and reports go (default: day0-work/<plan name>).")
        Path workdir;

        @Option(names = "--resume", description = "Continue the run in the work directory after its last "
                + "completed stage.")
        boolean resume;

        @Option(names = "--approve", paramLabel = "[STAGE=]FILE",
                description = "An approved Rockie term sheet for a rockie stage (repeatable; STAGE may be left "
                        + "out when the plan has one rockie stage; a recipe ladder takes CANDIDATE:STAGE=FILE, or "
                        + "CANDIDATE=FILE for a candidate's sheet from `day0 release approve`).")
        List<String> approve = new ArrayList<>();

        @Option(names = "--confirm-resubmit",
                description = "For a rockie stage whose submission was cut off between the POST and the job id "
                        + "(NEEDS_HUMAN): post again with the same Idempotency-Key. Only after checking the platform "
                        + "has no such job.")
        boolean confirmResubmit;

        @Override
        public Integer call() {
            if (dev.day0.release.ladder.LadderPlan.declares(planFile)) {
                return ladder(dev.day0.release.ladder.LadderPlan.load(planFile));
            }
            ReleasePlan plan = ReleasePlan.load(planFile);
            Map<String, Path> approvals = approvals(plan, approve);
            Conductor.StopHook hook = stopHook();
            Path dir = workdir != null ? workdir : Path.of("day0-work", plan.name());
            Terminal terminal = Terminal.detect(env(), console().rawErr());
            Conductor.Options options = new Conductor.Options(dir, resume, approvals, terminal, hook,
                    pause -> Thread.sleep(pause.toMillis()), confirmResubmit);
            Conductor conductor = new Conductor(plan, options, env(), console().redactor(), console().rawErr(),
                    Version.current());
            return guarded(conductor::run);
        }

        /** A recipe ladder (docs/release.md "Recipe ladder"): one conductor per candidate. */
        private Integer ladder(dev.day0.release.ladder.LadderPlan plan) {
            Map<String, Map<String, Path>> approvals = plan.approvals(approve);
            Conductor.StopHook stageHook = stopHook();
            String stopAfter = env().get(STOP_AFTER_CANDIDATE);
            dev.day0.release.ladder.LadderRun.CandidateHook candidateHook = index -> {
                if (stopAfter != null && stopAfter.trim().equals(String.valueOf(index))) {
                    console().flush();
                    Runtime.getRuntime().halt(ReleaseExit.STOPPED_BY_HOOK.code());
                }
            };
            Path dir = workdir != null ? workdir : Path.of("day0-work", plan.name());
            var options = new dev.day0.release.ladder.LadderRun.Options(dir, resume, approvals,
                    plan.candidateSheets(approve), Terminal.detect(env(), console().rawErr()), stageHook,
                    pause -> Thread.sleep(pause.toMillis()),
                    confirmResubmit, candidateHook);
            var run = new dev.day0.release.ladder.LadderRun(plan, options, env(), console().redactor(),
                    console().rawErr(), Version.current());
            return guarded(run::run);
        }

        private Conductor.StopHook stopHook() {
            String stopAfter = env().get(STOP_AFTER_STAGE);
            Stage stopStage = stopAfter == null || stopAfter.isBlank() ? null : Stage.parse(stopAfter)
                    .orElseThrow(() -> new InputException(STOP_AFTER_STAGE, "", "not a stage: \"" + stopAfter
                            + "\" (stages: " + Stage.keys() + ")"));
            return stage -> {
                if (stage == stopStage) {
                    console().flush();
                    Runtime.getRuntime().halt(ReleaseExit.STOPPED_BY_HOOK.code());
                }
            };
        }

        private Integer guarded(java.util.function.Supplier<Conductor.Outcome> body) {
            return interruptible(() -> {
                Conductor.Outcome outcome = body.get();
                return console().answer(outcome.summary(),
                        ExitCode.of(ReleaseExit.class, outcome.exitCode()).orElseThrow(), null);
            });
        }
    }

    @Command(name = "step", mixinStandardHelpOptions = true,
            description = {"Advance a release plan by one stage: the stage `release run` would run next, with the "
                    + "same state in WORKDIR, so a pipeline (the Jenkins step day0Release) can run the chain one "
                    + "stage at a time. Starts the run when WORKDIR has none; a call after a killed one continues "
                    + "it without repeating work.",
                "Prints JSON on stdout: what ran, and what comes next (run the next stage, approve a GPU stage's "
                    + "term sheet, or done with the decision). Progress goes to stderr. See docs/release.md."},
            footer = {"", "Exit codes: 10 a stage ran and the run goes on (call step again), 11 the next stage "
                    + "spends GPU money and waits for an approved term sheet (call step again with --approve), "
                    + "and once closeout ran the decision as `release run` exits: 0 ACCEPT, 1 REGRESSION, "
                    + "3 ANOMALOUS, 4 INFEASIBLE, 5 NEEDS_HUMAN, 6 SYSTEMIC; 2 the plan, an option or the state "
                    + "could not be used (nothing ran), 70 internal error."})
    static final class Step extends EngineCommand {
        @Option(names = "--plan", required = true, paramLabel = "FILE", description = "The release plan (YAML).")
        Path planFile;

        @Option(names = "--workdir", required = true, paramLabel = "DIR",
                description = "Where state, logs, evidence and reports go; the same directory on every call.")
        Path workdir;

        @Option(names = "--approve", paramLabel = "[STAGE=]FILE",
                description = "An approved Rockie term sheet for the rockie stage that waits for it (repeatable).")
        List<String> approve = new ArrayList<>();

        @Option(names = "--confirm-resubmit",
                description = "As for release run: post a cut-off Rockie submission again with the same "
                        + "Idempotency-Key, only after checking the platform has no such job.")
        boolean confirmResubmit;

        @Option(names = "--peek", description = "Only say which stage the next call runs (next.stage); run and "
                + "write nothing. Exit 10.")
        boolean peek;

        @Option(names = "--expect-stage", paramLabel = "STAGE", description = "Run only when STAGE is the run's "
                + "next stage and the run's state is in --workdir (a call on another agent, from next.command); "
                + "otherwise exit 2 and run nothing.")
        String expectStage;

        @Override
        public Integer call() {
            if (dev.day0.release.ladder.LadderPlan.declares(planFile)) {
                return ladder(dev.day0.release.ladder.LadderPlan.load(planFile));
            }
            ReleasePlan plan = ReleasePlan.load(planFile);
            if (plan.agents() != null) {
                plan.agents().requireShared(plan.file(), workdir);
            }
            Map<String, Path> approvals = approvals(plan, approve);
            Conductor.Options options = new Conductor.Options(workdir, false, approvals, Terminal.NONE,
                    stage -> { }, pause -> Thread.sleep(pause.toMillis()), confirmResubmit);
            Conductor conductor = new Conductor(plan, options, env(), console().redactor(), console().rawErr(),
                    Version.current());
            if (peek) {
                StepReport upcoming = new StepReport(null, null, conductor.peek(), null, null,
                        null);
                console().document(stepAnswer(plan, planFile, workdir.toAbsolutePath().normalize(), upcoming), null);
                return ReleaseExit.CONTINUE.code();
            }
            if (expectStage != null) {
                // Its own conductor, silent: a peek closes the conductor's progress, and says nothing a user needs.
                expectNext(plan, workdir, expectStage, new Conductor(plan, options, env(), console().redactor(),
                        new java.io.PrintWriter(java.io.Writer.nullWriter()), Version.current()));
            }
            return interruptible(() -> {
                StepReport report = conductor.step();
                ObjectNode answer = stepAnswer(plan, planFile, workdir.toAbsolutePath().normalize(), report);
                console().document(answer, null);
                return answer.path("exit_code").asInt();
            });
        }

        /** A recipe ladder, one stage of its current candidate per call (docs/release.md, "Recipe ladder"). */
        private Integer ladder(dev.day0.release.ladder.LadderPlan plan) {
            var options = new dev.day0.release.ladder.LadderRun.Options(workdir, false, plan.approvals(approve),
                    plan.candidateSheets(approve), Terminal.NONE, stage -> { },
                    pause -> Thread.sleep(pause.toMillis()), confirmResubmit, index -> { });
            var step = new dev.day0.release.ladder.LadderStep(new dev.day0.release.ladder.LadderRun(plan, options,
                    env(), console().redactor(), console().rawErr(), Version.current()));
            Path dir = workdir.toAbsolutePath().normalize();
            if (peek) {
                console().document(LadderStepAnswer.of(plan, planFile, dir, step.peek()), null);
                return ReleaseExit.CONTINUE.code();
            }
            return interruptible(() -> {
                ObjectNode answer = LadderStepAnswer.of(plan, planFile, dir, step.step());
                console().document(answer, null);
                return answer.path("exit_code").asInt();
            });
        }
    }

    /**
     * A call made on another agent continues a run it can see and runs the stage it was sent for: a work directory
     * without state means the agents do not share it, and starting a new run there would repeat everything.
     */
    static void expectNext(ReleasePlan plan, Path workdir, String expectStage, Conductor conductor) {
        Path state = workdir.resolve("state.json");
        if (!Files.isRegularFile(state)) {
            throw new InputException(state.toString(), "", "no run here on this machine, though --expect-stage "
                    + expectStage + " continues one: the work directory is not shared with the agent that "
                    + "started the run (agents.shared_dir of " + plan.file() + ")");
        }
        Stage next = conductor.peek();
        if (!next.key().equals(expectStage)) {
            throw new InputException("--expect-stage", "", "the run's next stage is " + next.key() + ", not "
                    + expectStage + ": nothing was run");
        }
    }

    /**
     * The JSON answer of {@code release step} (docs/release.md, "One stage at a time"): what ran, what comes next
     * and, once closeout ran, the decision with the paths of its reports. The exit code says the same.
     */
    static ObjectNode stepAnswer(ReleasePlan plan, Path planFile, Path workdir, StepReport report) {
        ObjectNode answer = Json.object();
        answer.put("plan", plan.name());
        answer.put("workdir", workdir.toString());
        answer.put("state", workdir.resolve("state.json").toString());
        answer.put("done", report.done());
        if (report.ran() == null) {
            answer.putNull("ran");
        } else {
            ObjectNode ran = stageJson(answer.putObject("ran"), report.ran());
            StepResult result = report.result();
            if (result != null) {
                ran.put("pass", result.pass());
                ran.put("failure_class", result.failureClass() == null ? null : result.failureClass().name());
                ran.put("detail", result.detail());
            }
        }
        ObjectNode next = answer.putObject("next");
        List<String> again = new ArrayList<>(List.of("release", "step", "--plan", planFile.toString(),
                "--workdir", workdir.toString()));
        if (report.done()) {
            return doneAnswer(answer, next, report.outcome());
        }
        stageJson(next, report.next());
        String agent = plan.agents() == null ? null : plan.agents().label(report.next());
        if (agent != null) {
            // Run on another machine: paths it can resolve there (the shared directory), and a guard that it
            // continues this run at this stage.
            next.put("agent", agent);
            again.set(3, plan.file().toString());
            again.add("--expect-stage");
            again.add(report.next().key());
        }
        if (report.termSheet() != null) {
            Path approved = workdir.resolve("rockie").resolve(report.next().key()).resolve(GIVEN_APPROVAL);
            next.put("action", "approve");
            next.put("term_sheet", report.termSheet().toString());
            next.put("term_sheet_text", report.termSheetText());
            next.put("approved_sheet", approved.toString());
            again.add("--approve");
            again.add(report.next().key() + "=" + approved);
            answer.put("exit_code", ReleaseExit.AWAITING_APPROVAL.code());
        } else {
            next.put("action", "run");
            answer.put("exit_code", ReleaseExit.CONTINUE.code());
        }
        var command = next.putArray("command");
        again.forEach(command::add);
        answer.set("exit", (report.termSheet() != null ? ReleaseExit.AWAITING_APPROVAL : ReleaseExit.CONTINUE).toJson());
        return answer;
    }

    /** The answer of a call that ended the run: the decision with its files by role, and the decision's exit. */
    static ObjectNode doneAnswer(ObjectNode answer, ObjectNode next, Conductor.Outcome outcome) {
        next.put("action", "done");
        ObjectNode decision = answer.putObject("decision");
        decision.setAll(outcome.summary());
        for (var file : outcome.summary().path("files")) {
            String name = Path.of(file.asText()).getFileName().toString();
            String key = switch (name) {
                case "decision.json" -> "decision_file";
                case "junit.xml" -> "junit_file";
                case "report.md" -> "report_file";
                case "report.html" -> "report_html_file";
                default -> null;
            };
            if (key != null) {
                decision.put(key, file.asText());
            }
        }
        answer.put("exit_code", outcome.exitCode());
        answer.set("exit", ExitCode.of(ReleaseExit.class, outcome.exitCode()).orElseThrow().toJson());
        return answer;
    }

    static ObjectNode stageJson(ObjectNode json, Stage stage) {
        json.put("stage", stage.key());
        json.put("position", stage.position());
        json.put("of", Stage.chain().size());
        json.put("kind", stage.kind().name().toLowerCase(java.util.Locale.ROOT));
        return json;
    }

    /**
     * Runs the conductor with SIGINT/SIGTERM interrupting its thread: a Slurm or Rockie stage cancels its job,
     * closeout writes the decision, and only then may the JVM end.
     */
    public static Integer interruptible(Callable<Integer> body) {
        Thread conductorThread = Thread.currentThread();
        CountDownLatch done = new CountDownLatch(1);
        Thread onSignal = new Thread(() -> {
            conductorThread.interrupt();
            try {
                done.await(INTERRUPT_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "day0-release-interrupt");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            return body.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it returns now that the run has ended.
            }
        }
    }

    /** Parses {@code --approve [STAGE=]FILE} values against the plan's rockie stages. */
    static Map<String, Path> approvals(ReleasePlan plan, List<String> values) {
        List<String> rockieStages = new ArrayList<>();
        for (ReleasePlan.StageSpec spec : plan.workingStages()) {
            if (spec.runner() == ReleasePlan.Runner.ROCKIE) {
                rockieStages.add(spec.key());
            }
        }
        Map<String, Path> approvals = new LinkedHashMap<>();
        for (String value : values) {
            String stage = null;
            String file = value;
            int eq = value.indexOf('=');
            if (eq > 0 && Stage.parse(value.substring(0, eq)).isPresent()) {
                stage = value.substring(0, eq);
                file = value.substring(eq + 1);
            }
            if (stage == null) {
                if (rockieStages.size() != 1) {
                    throw new InputException("--approve", "", rockieStages.isEmpty()
                            ? "the plan has no rockie stage to approve"
                            : "the plan has " + rockieStages.size() + " rockie stages (" + String.join(", ",
                            rockieStages) + "): write STAGE=FILE");
                }
                stage = rockieStages.get(0);
            }
            if (!rockieStages.contains(stage)) {
                throw new InputException("--approve", "", stage + " is not a rockie stage of this plan"
                        + (rockieStages.isEmpty() ? "" : " (rockie stages: " + String.join(", ", rockieStages)
                        + ")"));
            }
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new InputException(file, "", "file not found (given with --approve " + value + ")");
            }
            if (approvals.put(stage, path) != null) {
                throw new InputException("--approve", "", "two approvals for " + stage + ": one approved term "
                        + "sheet covers one submission");
            }
        }
        return approvals;
    }
}
