package dev.day0.slurm;

import dev.day0.io.FileDigest;
import dev.day0.redact.Redactor;
import dev.day0.core.FailureClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs a stage attempt as one Slurm job, at most once across crashes (docs/slurm.md, "At most once"):
 * <ol>
 *   <li>a state file that says {@code finished} is read back; nothing runs;</li>
 *   <li>one with a job id re-attaches to that job;</li>
 *   <li>one that says {@code submitting} (a crash between sbatch and the state update) looks the job up by its
 *       unique name in squeue, sacct and the completion file, and attaches to it when found;</li>
 *   <li>otherwise the state is written as {@code submitting}, then sbatch runs, then the job id is written before
 *       anything else happens.</li>
 * </ol>
 * While the job runs its state is polled and the redacted new lines of its output file are passed to the listener.
 * An interrupt of the calling thread (the run is aborted) cancels the job with scancel and records that.
 */
public final class SlurmJobs {
    /** Consecutive failed polls tolerated (an ssh hiccup) before the stage gives up on the job for now. */
    static final int POLL_FAILURES_TOLERATED = 5;
    /** Polls in a row that find the job in no record before it counts as vanished. */
    static final int MISSING_POLLS_TOLERATED = 3;

    /** Waits between polls; tests pass one that sleeps briefly or not at all. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** What the job does, as it happens. Lines are redacted before they get here. */
    public interface Listener {
        void onOutput(String line);

        default void onEvent(String message) {
        }
    }

    /**
     * How the attempt ended. {@code submittedNow} is true when this call ran sbatch, false when it re-attached
     * or read a finished state.
     */
    public record Result(String jobId, String jobName, JobOutcome outcome, JobInfo job, boolean submittedNow,
                         Path stateFile) {
    }

    private final SlurmClient client;
    private final Redactor redactor;
    private final Sleeper sleeper;
    private final Duration pollInterval;

    public SlurmJobs(SlurmClient client, Redactor redactor, Sleeper sleeper, Duration pollInterval) {
        this.client = client;
        this.redactor = redactor;
        this.sleeper = sleeper;
        this.pollInterval = pollInterval;
    }

    /** A sleeper that waits for real. */
    public static Sleeper realTime() {
        return duration -> Thread.sleep(duration.toMillis());
    }

    /**
     * Submits the attempt, or re-attaches to its job, and follows it to its end.
     *
     * @param environment the values of the variables the plan names in {@code slurm.environment}, read from
     *                    day0's environment by the caller; they go to sbatch's environment only
     */
    public Result submitOrAttach(SlurmJobSpec spec, Path stateFile, Map<String, String> environment,
                                 Listener listener) {
        Set<String> secretValues = new LinkedHashSet<>();
        Map<String, String> passed = new LinkedHashMap<>();
        for (String name : spec.options().environment()) {
            String value = environment.get(name);
            if (value == null) {
                return failedBeforeSubmit(spec, stateFile, "slurm.environment names " + name
                        + ", which is not set in day0's environment");
            }
            passed.put(name, value);
            secretValues.add(value);
        }
        Redactor redact = redactor.and(secretValues);
        String script = BatchScript.render(spec);
        if (!redact.redact(script).equals(script)) {
            return failedBeforeSubmit(spec, stateFile, "the batch script for stage " + spec.stage()
                    + " would contain secret-shaped text; pass secrets by name under slurm.environment instead of"
                    + " in the command or options");
        }
        JobStateFile state = JobStateFile.readIfExists(stateFile);
        String scriptSha256 = FileDigest.sha256(script.getBytes(StandardCharsets.UTF_8));
        if (state != null && !state.jobName().equals(spec.jobName())) {
            return failedBeforeSubmit(spec, stateFile, "the state file " + stateFile + " belongs to job "
                    + state.jobName() + ", not to " + spec.jobName());
        }
        if (state != null && state.scriptSha256() != null && !state.scriptSha256().equals(scriptSha256)) {
            // Re-attaching is for the same job asked again (a retry, a resume); a changed command or option under
            // the same name and attempt would otherwise get the old job's result as its own.
            return failedBeforeSubmit(spec, stateFile, "the state file " + stateFile + " records attempt "
                    + spec.attempt() + " of " + spec.stage() + " with another batch script (script_sha256 "
                    + state.scriptSha256() + ", now " + scriptSha256 + "): its command, environment or Slurm "
                    + "options changed since; give it a new attempt or another work directory");
        }
        if (state != null && state.phase().equals(JobStateFile.FINISHED)) {
            listener.onEvent("Slurm job " + state.jobId() + " already finished; reading its recorded result");
            return new Result(state.jobId(), state.jobName(), state.recordedOutcome(), state.recordedJob(), false,
                    stateFile);
        }
        boolean submittedNow = false;
        String jobId = state == null ? null : state.jobId();
        try {
            if (jobId == null && state != null && state.phase().equals(JobStateFile.SUBMITTING)) {
                try {
                    jobId = findByName(spec.jobName(), listener).orElse(null);
                } catch (SlurmClient.SlurmException e) {
                    // Not knowing whether the job exists must not become a second submission.
                    return new Result(null, spec.jobName(), new JobOutcome(JobOutcome.Kind.INFRA_TRANSIENT,
                            FailureClass.INFRA_TRANSIENT, "cannot tell whether Slurm already has job "
                            + spec.jobName() + ": " + redact.redact(e.getMessage())), null, false, stateFile);
                }
                if (jobId != null) {
                    state.submitted(jobId);
                    state.write(stateFile, redact);
                }
            }
            if (jobId == null) {
                state = JobStateFile.start(spec, scriptSha256);
                state.write(stateFile, redact);
                try {
                    jobId = client.submit(script, passed);
                } catch (SlurmClient.SlurmException e) {
                    String detail = redact.redact(e.getMessage());
                    if (e.rejected()) {
                        state.rejected(detail);
                        state.write(stateFile, redact);
                        return new Result(null, spec.jobName(), new JobOutcome(JobOutcome.Kind.UNEXPLAINED,
                                FailureClass.USER_CONFIG_ERROR, detail), null, false, stateFile);
                    }
                    // The job may exist: the state stays "submitting" so a resume looks it up by name.
                    return new Result(null, spec.jobName(), new JobOutcome(JobOutcome.Kind.INFRA_TRANSIENT,
                            FailureClass.INFRA_TRANSIENT, detail), null, false, stateFile);
                }
                state.submitted(jobId);
                state.write(stateFile, redact);
                submittedNow = true;
                listener.onEvent("submitted Slurm job " + jobId + " (" + spec.jobName() + ")");
            } else {
                listener.onEvent("attached to Slurm job " + jobId + " (" + spec.jobName() + ")");
            }
            return follow(spec, state, stateFile, jobId, submittedNow, redact, listener);
        } catch (InterruptedException e) {
            return abort(spec, state, stateFile, jobId, redact, listener);
        }
    }

    private Optional<String> findByName(String name, Listener listener) throws SlurmClient.SlurmException,
            InterruptedException {
        for (int tries = 1; ; tries++) {
            try {
                List<JobInfo> jobs = client.jobsNamed(name);
                if (jobs.size() > 1) {
                    listener.onEvent("Slurm has " + jobs.size() + " jobs named " + name + "; following the first");
                }
                return jobs.stream().map(JobInfo::jobId).min(Comparator.comparingLong(SlurmJobs::numeric));
            } catch (SlurmClient.SlurmException e) {
                if (tries >= POLL_FAILURES_TOLERATED) {
                    throw e;
                }
                sleeper.sleep(pollInterval);
            }
        }
    }

    private Result follow(SlurmJobSpec spec, JobStateFile state, Path stateFile, String jobId, boolean submittedNow,
                          Redactor redact, Listener listener) throws InterruptedException {
        OutputTail tail = new OutputTail(state.outputPath(), state.outputOffset(), redact, listener);
        String lastState = null;
        int failures = 0;
        int missing = 0;
        while (true) {
            Optional<JobInfo> job;
            try {
                job = client.job(jobId);
                failures = 0;
            } catch (SlurmClient.SlurmException e) {
                failures++;
                if (failures >= POLL_FAILURES_TOLERATED) {
                    // The job keeps its id in the state file: a resume re-attaches to it.
                    return new Result(jobId, spec.jobName(), new JobOutcome(JobOutcome.Kind.INFRA_TRANSIENT,
                            FailureClass.INFRA_TRANSIENT, "lost contact with Slurm while following job " + jobId
                            + ": " + redact.redact(e.getMessage())), null, submittedNow, stateFile);
                }
                sleeper.sleep(pollInterval);
                continue;
            }
            tail.poll();
            recordTail(tail, state, stateFile, redact);
            if (job.isEmpty()) {
                missing++;
                if (missing >= MISSING_POLLS_TOLERATED) {
                    JobOutcome outcome = JobOutcome.vanished(jobId);
                    state.finished(outcome);
                    state.write(stateFile, redact);
                    return new Result(jobId, spec.jobName(), outcome, null, submittedNow, stateFile);
                }
                sleeper.sleep(pollInterval);
                continue;
            }
            missing = 0;
            JobInfo info = job.get();
            if (!info.state().equals(lastState)) {
                lastState = info.state();
                state.observed(info);
                state.write(stateFile, redact);
                listener.onEvent("Slurm job " + jobId + " " + info.state()
                        + (info.reason() == null ? "" : " (" + info.reason() + ")"));
            }
            if (info.finished()) {
                tail.poll();
                tail.flush();
                recordTail(tail, state, stateFile, redact);
                JobOutcome outcome = JobOutcome.of(info);
                state.observed(info);
                state.finished(outcome);
                state.write(stateFile, redact);
                return new Result(jobId, spec.jobName(), outcome, info, submittedNow, stateFile);
            }
            sleeper.sleep(pollInterval);
        }
    }

    private static void recordTail(OutputTail tail, JobStateFile state, Path stateFile, Redactor redact) {
        if (tail.streamed() != state.outputOffset()) {
            state.streamedTo(tail.streamed());
            state.write(stateFile, redact);
        }
    }

    private Result abort(SlurmJobSpec spec, JobStateFile state, Path stateFile, String jobId, Redactor redact,
                         Listener listener) {
        // The interrupt flag is clear now, so the scancel below can run; it is set again before returning.
        String detail;
        try {
            String target = jobId;
            if (target == null) {
                // Interrupted while sbatch ran: a job may exist without its id on record.
                target = client.jobsNamed(spec.jobName()).stream().map(JobInfo::jobId)
                        .min(Comparator.comparingLong(SlurmJobs::numeric)).orElse(null);
            }
            if (target != null) {
                client.cancel(target);
                detail = "Slurm job " + target + " CANCELLED by day0: the run was aborted";
                if (state != null && state.jobId() == null) {
                    state.submitted(target);
                }
            } else {
                detail = "the run was aborted before Slurm accepted a job; nothing to cancel";
            }
            jobId = target;
        } catch (SlurmClient.SlurmException | InterruptedException e) {
            detail = "the run was aborted but scancel " + (jobId == null ? "" : jobId + " ") + "failed: "
                    + redact.redact(e.getMessage()) + "; the job may still be running";
        }
        JobOutcome outcome = new JobOutcome(JobOutcome.Kind.CANCELLED, FailureClass.UNKNOWN, detail);
        if (state != null) {
            state.cancelledBy("day0 (run aborted)");
            state.finished(outcome);
            state.write(stateFile, redact);
        }
        listener.onEvent(detail);
        Thread.currentThread().interrupt();
        return new Result(jobId, spec.jobName(), outcome, null, false, stateFile);
    }

    private Result failedBeforeSubmit(SlurmJobSpec spec, Path stateFile, String detail) {
        return new Result(null, spec.jobName(), new JobOutcome(JobOutcome.Kind.UNEXPLAINED,
                FailureClass.USER_CONFIG_ERROR, detail), null, false, stateFile);
    }

    private static long numeric(String jobId) {
        try {
            return Long.parseLong(jobId.split("_", 2)[0]);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Reads what the job added to its output file since the last poll and passes it on line by line. */
    private final class OutputTail {
        private final String path;
        private final Redactor redact;
        private final Listener listener;
        private final StringBuilder partial = new StringBuilder();
        private long offset;
        private long streamed;

        OutputTail(String path, long from, Redactor redact, Listener listener) {
            this.path = path;
            this.redact = redact;
            this.listener = listener;
            this.offset = from;
            this.streamed = from;
        }

        void poll() throws InterruptedException {
            SlurmClient.OutputChunk chunk = client.readOutput(path, offset);
            offset = chunk.nextOffset();
            partial.append(chunk.text());
            int newline;
            while ((newline = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, newline);
                listener.onOutput(redact.redact(line.replace("\r", "")));
                partial.delete(0, newline + 1);
                streamed += line.getBytes(StandardCharsets.UTF_8).length + 1;
            }
        }

        void flush() {
            if (partial.length() > 0) {
                listener.onOutput(redact.redact(partial.toString()));
                streamed += partial.toString().getBytes(StandardCharsets.UTF_8).length;
                partial.setLength(0);
            }
        }

        /** The byte offset up to which lines reached the listener (a partial last line is not counted). */
        long streamed() {
            return streamed;
        }
    }
}
