package dev.day0.cli.release;

import dev.day0.cli.ExitCodeFamily;
import dev.day0.cli.EngineCommand;
import dev.day0.cli.Version;
import dev.day0.core.Stage;
import dev.day0.io.InputException;
import dev.day0.release.Conductor;
import dev.day0.release.ReleaseExit;
import dev.day0.release.ReleasePlan;
import dev.day0.release.Terminal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code day0 release run}: the whole release chain as one command. */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Drive a release plan through every stage and gate to a decision.",
        subcommands = {ReleaseCommand.Run.class})
public final class ReleaseCommand {

    /** The test hook: end the process right after state.json records this stage. */
    public static final String STOP_AFTER_STAGE = "DAY0_STOP_AFTER_STAGE";
    /** How long a signal waits for the run to cancel its job and write the decision before the JVM ends. */
    static final long INTERRUPT_GRACE_SECONDS = 60;

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
                        + "out when the plan has one rockie stage).")
        List<String> approve = new ArrayList<>();

        @Option(names = "--confirm-resubmit",
                description = "For a rockie stage whose submission was cut off between the POST and the job id "
                        + "(NEEDS_HUMAN): post again with the same Idempotency-Key. Only after checking the platform "
                        + "has no such job.")
        boolean confirmResubmit;

        @Override
        public Integer call() {
            ReleasePlan plan = ReleasePlan.load(planFile);
            Map<String, Path> approvals = approvals(plan, approve);
            String stopAfter = env().get(STOP_AFTER_STAGE);
            Stage stopStage = stopAfter == null || stopAfter.isBlank() ? null : Stage.parse(stopAfter)
                    .orElseThrow(() -> new InputException(STOP_AFTER_STAGE, "", "not a stage: \"" + stopAfter
                            + "\" (stages: " + Stage.keys() + ")"));
            Path dir = workdir != null ? workdir : Path.of("day0-work", plan.name());
            Terminal terminal = Terminal.detect(env(), console().rawErr());
            Conductor.StopHook hook = stage -> {
                if (stage == stopStage) {
                    console().rawErr().flush();
                    System.out.flush();
                    Runtime.getRuntime().halt(ReleaseExit.STOPPED_BY_HOOK.code());
                }
            };
            Conductor.Options options = new Conductor.Options(dir, resume, approvals, terminal, hook,
                    pause -> Thread.sleep(pause.toMillis()), confirmResubmit);
            Conductor conductor = new Conductor(plan, options, env(), console().redactor(), console().rawErr(),
                    Version.current());
            // SIGINT/SIGTERM interrupt the conductor's thread: a Slurm or Rockie stage cancels its job, closeout
            // writes the decision, and only then may the JVM end.
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
                Conductor.Outcome outcome = conductor.run();
                console().document(outcome.summary(), null);
                return outcome.exitCode();
            } finally {
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running: it returns now that the run has ended.
                }
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
