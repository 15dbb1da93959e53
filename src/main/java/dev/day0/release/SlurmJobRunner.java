package dev.day0.release;

import dev.day0.core.Stage;
import dev.day0.io.LineLog;
import dev.day0.io.RedactingWriter;
import dev.day0.slurm.JobOutcome;
import dev.day0.slurm.ProcessCommandRunner;
import dev.day0.slurm.SlurmClient;
import dev.day0.slurm.SlurmJobSpec;
import dev.day0.slurm.SlurmJobs;
import dev.day0.slurm.SlurmOptions;
import dev.day0.core.FailureClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A {@code slurm} stage: the plan's command as one Slurm job, a thin adapter over
 * {@link SlurmJobs#submitOrAttach}, which submits an attempt at most once across crashes.
 *
 * <p>The job's state file lives in {@code WORKDIR/slurm/}, outside the stage directory, and the stage directory is
 * cleared only before a new attempt is submitted: a resume after a crash re-attaches to the job that is already
 * writing there instead of submitting a second one. An attempt is new only once the conductor recorded the end of
 * the previous one (the note {@value #ENDED_ATTEMPT} in state.json, saved with the stage's end).
 */
final class SlurmJobRunner implements StageRunner {
    static final String ENDED_ATTEMPT = "slurm_ended_attempt";

    /** The Slurm client for a command prefix; tests give one over an in-memory Slurm. */
    static Function<List<String>, SlurmClient> clients = prefix -> new SlurmClient(prefix, new ProcessCommandRunner());

    private final ReleasePlan.StageSpec spec;

    SlurmJobRunner(ReleasePlan.StageSpec spec) {
        this.spec = spec;
    }

    static Path jobDir(StageContext ctx) {
        return ctx.workdir().resolve("slurm");
    }

    @Override
    public StepResult run(StageContext ctx) {
        ReleasePlan.SlurmSpec slurm = spec.slurm();
        Stage stage = spec.stage();
        Path stageDir = ctx.stageDir(stage);
        int attempt = attempt(ctx, stage);
        Path stateFile = jobDir(ctx).resolve(stage.key() + "-a" + attempt + ".json");
        Path outputFile = jobDir(ctx).resolve(stage.key() + "-a" + attempt + ".out");
        if (!Files.exists(stateFile)) {
            StageContext.deleteTree(stageDir);
        }
        StageContext.createDirectories(stageDir);
        StageContext.createDirectories(jobDir(ctx));
        List<String> argv = new ArrayList<>();
        for (String arg : slurm.command()) {
            argv.add(LocalProcessRunner.substitute(ctx, arg, stageDir));
        }
        SlurmOptions options = slurm.options();
        if (options.workdir() == null) {
            options = new SlurmOptions(options.cluster(), options.partition(), options.account(), options.qos(),
                    options.nodes(), options.gpus(), options.gres(), options.time(), options.constraint(),
                    options.extra(), options.environment(), ctx.plan().dir().toString());
        }
        Map<String, String> variables = LocalProcessRunner.day0Variables(ctx, stage, stageDir, attempt);
        String runKey = ctx.workdir() + "@" + ctx.state().toJson().path("created_at").asText();
        SlurmJobSpec job;
        try {
            job = new SlurmJobSpec(ctx.plan().name(), stage.key(), attempt, runKey, argv, variables, options,
                    outputFile.toString());
        } catch (IllegalArgumentException e) {
            return StepResult.failed(FailureClass.USER_CONFIG_ERROR, ctx.plan().file() + ": stages." + spec.key()
                    + ": " + e.getMessage());
        }
        Path log = ctx.logFile(stage);
        Progress progress = ctx.progress();
        progress.stage(stage, "slurm: " + String.join(" ", argv) + " (attempt " + attempt + ", job "
                + job.jobName() + (slurm.cluster() == null ? "" : ", cluster " + slurm.cluster()) + ", log " + log
                + ")");
        SlurmJobs jobs = new SlurmJobs(clients.apply(slurm.prefix()), ctx.redactor(), SlurmJobs.realTime(),
                Duration.ofMillis((long) (slurm.pollIntervalSeconds() * 1000)));
        SlurmJobs.Result result;
        progress.waiting(spec.key() + " on Slurm");
        try (LineLog writer = new RedactingWriter(ctx.redactor()).appendLog(log)) {
            result = jobs.submitOrAttach(job, stateFile, ctx.env(), new SlurmJobs.Listener() {
                @Override
                public void onOutput(String line) {
                    writer.append(line);
                    progress.output(spec.key(), line);
                }

                @Override
                public void onEvent(String message) {
                    writer.append("# day0: " + message);
                    progress.output(spec.key(), message);
                }
            });
        } catch (IOException e) {
            return StepResult.failed(FailureClass.UNKNOWN, "cannot write the log " + log + ": " + e.getMessage());
        } finally {
            progress.doneWaiting();
        }
        // An interrupt (SIGINT/SIGTERM) made SlurmJobs cancel the job. The flag is cleared here so closeout can
        // still write the decision: an interrupted thread cannot write files through NIO channels.
        boolean interrupted = Thread.interrupted();
        ctx.state().note(stage, ENDED_ATTEMPT, Integer.toString(attempt));
        ctx.output("slurm_job", stateFile);
        JobOutcome outcome = result.outcome();
        String where = "; job output " + outputFile + ", log " + log;
        if (interrupted) {
            return StepResult.failed(FailureClass.UNKNOWN, "the run was interrupted: " + outcome.detail() + where);
        }
        if (outcome.done()) {
            return StepResult.ok(outcome.detail() + where);
        }
        if (outcome.kind() == JobOutcome.Kind.STAGE_FAILED) {
            Integer exit = result.job() == null ? null : result.job().exitCode();
            if (exit != null && slurm.transientExitCodes().contains(exit)) {
                return StepResult.failed(FailureClass.INFRA_TRANSIENT, outcome.detail() + " (a transient failure "
                        + "by the plan's transient_exit_codes)" + where);
            }
            return StepResult.failed(FailureClass.UNKNOWN, outcome.detail() + where);
        }
        return StepResult.failed(outcome.failureClass() == null ? FailureClass.UNKNOWN : outcome.failureClass(),
                outcome.detail() + where);
    }

    /**
     * The attempt this stage run belongs to: the one after the last whose end state.json recorded. A process that
     * died while an attempt ran never recorded its end, so the resume takes the same attempt, and so the same job.
     */
    static int attempt(StageContext ctx, Stage stage) {
        String ended = ctx.state().note(stage, ENDED_ATTEMPT);
        try {
            return ended == null ? 1 : Integer.parseInt(ended) + 1;
        } catch (NumberFormatException e) {
            throw new dev.day0.io.InputException(ctx.state().file().toString(), "stages." + stage + "."
                    + ENDED_ATTEMPT, "is not a number: \"" + ended + "\"");
        }
    }

}
