package dev.day0.slurm;

import dev.day0.core.FailureClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Slurm commands day0 uses, run through an optional command prefix so that a CI agent that is not a login node
 * reaches the cluster with, for example, {@code [ssh, login-node]}.
 *
 * <p>Without a prefix each command runs as an argv list. With one, the command is joined into one shell-quoted
 * command line and appended to the prefix as its last argument, which is what {@code ssh host} expects; a prefix
 * that is not a remote shell must end in one ({@code [docker, exec, ctl, sh, -c]}). Paths are on the cluster's
 * filesystem either way.
 */
public final class SlurmClient {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    /** A failure to talk to Slurm: the command could not run, or it refused. */
    public static final class SlurmException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean rejected;

        SlurmException(String message, boolean rejected) {
            super(message);
            this.rejected = rejected;
        }

        /** True when Slurm answered and refused (so nothing was created), false when the answer is unknown. */
        public boolean rejected() {
            return rejected;
        }
    }

    /** A piece of the job's output file from a byte offset, and the offset to read from next. */
    public record OutputChunk(String text, long nextOffset) {
    }

    private final List<String> prefix;
    private final CommandRunner runner;
    private String jobcompFile;
    private boolean jobcompLooked;

    public SlurmClient(List<String> prefix, CommandRunner runner) {
        this.prefix = List.copyOf(prefix);
        this.runner = runner;
    }

    /** A client for this machine's Slurm commands, no prefix. */
    public static SlurmClient local() {
        return new SlurmClient(List.of(), new ProcessCommandRunner());
    }

    public List<String> prefix() {
        return prefix;
    }

    /**
     * Submits a batch script, given on sbatch's stdin, with {@code sbatch --parsable}. The environment variables
     * are set for sbatch only; the script's {@code --export} line decides which of them reach the job.
     */
    public String submit(String script, Map<String, String> environment) throws SlurmException,
            InterruptedException {
        CommandRunner.Result result = run(List.of("sbatch", "--parsable"), script, environment);
        if (!result.succeeded()) {
            String stderr = result.stderr() == null ? "" : result.stderr();
            boolean refused = result.problem() == null && stderr.contains("Batch job submission failed");
            throw new SlurmException("sbatch failed: " + result.firstError(), refused);
        }
        return SlurmParsers.sbatchJobId(result.stdout()).orElseThrow(() -> new SlurmException(
                "sbatch --parsable printed no job id: " + result.firstError(), false));
    }

    /**
     * What Slurm knows about a job: scontrol while the controller still holds it, then sacct when accounting
     * runs, then the completion file. Empty when no record has it.
     */
    public Optional<JobInfo> job(String jobId) throws SlurmException, InterruptedException {
        CommandRunner.Result scontrol = run(List.of("scontrol", "-o", "show", "job", jobId), null, Map.of());
        if (scontrol.succeeded()) {
            Optional<JobInfo> found = SlurmParsers.scontrolJobs(scontrol.stdout()).stream()
                    .filter(job -> jobId.equals(job.jobId())).findFirst();
            if (found.isPresent()) {
                Optional<JobInfo> accounted = found.get().finished() ? sacct(List.of("-j", jobId)).stream()
                        .filter(job -> jobId.equals(job.jobId())).findFirst() : Optional.empty();
                // sacct names who cancelled; scontrol does not.
                return Optional.of(accounted.map(job -> merge(found.get(), job)).orElse(found.get()));
            }
        } else if (!isUnknownJob(scontrol)) {
            throw new SlurmException("scontrol show job " + jobId + " failed: " + scontrol.firstError(), false);
        }
        Optional<JobInfo> accounted = sacct(List.of("-j", jobId)).stream()
                .filter(job -> jobId.equals(job.jobId())).findFirst();
        if (accounted.isPresent()) {
            return accounted;
        }
        return jobcomp("^JobId=" + jobId + " ").stream().filter(job -> jobId.equals(job.jobId())).findFirst();
    }

    /**
     * Every job with this exact name in any record: squeue (pending, running and recently finished), sacct,
     * and the completion file. One job found in several records is listed once.
     */
    public List<JobInfo> jobsNamed(String name) throws SlurmException, InterruptedException {
        List<JobInfo> found = new ArrayList<>();
        CommandRunner.Result squeue = run(List.of("squeue", "-h", "--states=all", "-n", name, "-o", "%i|%j|%T|%r"),
                null, Map.of());
        if (!squeue.succeeded()) {
            throw new SlurmException("squeue -n " + name + " failed: " + squeue.firstError(), false);
        }
        addNew(found, SlurmParsers.squeueJobs(squeue.stdout()), name);
        addNew(found, sacct(List.of("--name", name, "--starttime", "now-30days")), name);
        addNew(found, jobcomp(" Name=" + name + " "), name);
        return found;
    }

    /** Cancels a job. A job that already ended is not an error. */
    public void cancel(String jobId) throws SlurmException, InterruptedException {
        CommandRunner.Result result = run(List.of("scancel", jobId), null, Map.of());
        if (!result.succeeded() && !isUnknownJob(result)) {
            throw new SlurmException("scancel " + jobId + " failed: " + result.firstError(), false);
        }
    }

    /** The output file from a byte offset on; empty while the file does not exist yet. */
    public OutputChunk readOutput(String path, long offset) throws InterruptedException {
        CommandRunner.Result result = run(List.of("tail", "-c", "+" + (offset + 1), path), null, Map.of());
        if (!result.succeeded()) {
            return new OutputChunk("", offset);
        }
        String text = result.stdout();
        return new OutputChunk(text, offset + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    /**
     * Whether the cluster answers before anything is spent: {@code sinfo} through the prefix. A cluster that does
     * not answer is SYSTEMIC (no stage can run there); a partition the plan names that the cluster does not have
     * is the plan's error.
     */
    public Reachability reachability(String partition) throws InterruptedException {
        CommandRunner.Result result = run(List.of("sinfo", "-h", "-o", "%P %a"), null, Map.of());
        String via = prefix.isEmpty() ? "" : " through " + String.join(" ", prefix);
        if (!result.succeeded()) {
            return new Reachability(false, FailureClass.SYSTEMIC, "the Slurm cluster does not answer" + via
                    + ": sinfo: " + result.firstError());
        }
        List<String> partitions = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            if (!line.isBlank()) {
                partitions.add(line.strip().split("\\s+")[0].replace("*", ""));
            }
        }
        if (partitions.isEmpty()) {
            return new Reachability(false, FailureClass.SYSTEMIC, "the Slurm cluster" + via
                    + " answers but has no partition");
        }
        if (partition != null && !partitions.contains(partition)) {
            return new Reachability(false, FailureClass.USER_CONFIG_ERROR, "the Slurm cluster" + via
                    + " has no partition '" + partition + "' (it has " + String.join(", ", partitions) + ")");
        }
        return new Reachability(true, null, "the Slurm cluster" + via + " answers; partitions "
                + String.join(", ", partitions));
    }

    /** The answer of {@link #reachability}: failureClass is null when the cluster can be used. */
    public record Reachability(boolean reachable, FailureClass failureClass, String detail) {
    }

    private List<JobInfo> sacct(List<String> selection) throws InterruptedException {
        List<String> argv = new ArrayList<>(List.of("sacct", "-n", "-P", "-X", "-o",
                "JobID,JobName,State,ExitCode,Reason"));
        argv.addAll(selection);
        CommandRunner.Result result = run(argv, null, Map.of());
        // Without slurmdbd sacct says "Slurm accounting storage is disabled"; the other records still answer.
        if (!result.succeeded() || result.stderr().contains("accounting storage is disabled")) {
            return List.of();
        }
        return SlurmParsers.sacctJobs(result.stdout());
    }

    private List<JobInfo> jobcomp(String pattern) throws InterruptedException {
        Optional<String> file = jobcompFile();
        if (file.isEmpty()) {
            return List.of();
        }
        CommandRunner.Result result = run(List.of("grep", "-e", pattern, file.get()), null, Map.of());
        return result.exitCode() == 0 ? SlurmParsers.jobcompJobs(result.stdout()) : List.of();
    }

    private Optional<String> jobcompFile() throws InterruptedException {
        if (!jobcompLooked) {
            CommandRunner.Result config = run(List.of("scontrol", "show", "config"), null, Map.of());
            if (config.succeeded() && SlurmParsers.configValue(config.stdout(), "JobCompType")
                    .filter("jobcomp/filetxt"::equals).isPresent()) {
                jobcompFile = SlurmParsers.configValue(config.stdout(), "JobCompLoc").orElse(null);
            }
            jobcompLooked = config.succeeded();
        }
        return Optional.ofNullable(jobcompFile);
    }

    private static void addNew(List<JobInfo> found, List<JobInfo> more, String name) {
        for (JobInfo job : more) {
            if (name.equals(job.name()) && found.stream().noneMatch(known -> known.jobId().equals(job.jobId()))) {
                found.add(job);
            }
        }
    }

    private static JobInfo merge(JobInfo controller, JobInfo accounting) {
        return new JobInfo(controller.jobId(), controller.name(), controller.state(), controller.exitCode(),
                controller.signal(), controller.reason(), accounting.cancelledBy(), controller.stdoutPath(),
                controller.source());
    }

    private static boolean isUnknownJob(CommandRunner.Result result) {
        String text = (result.stderr() == null ? "" : result.stderr()) + (result.stdout() == null ? ""
                : result.stdout());
        return result.problem() == null && (text.contains("Invalid job id specified")
                || text.contains("Job has already finished"));
    }

    private CommandRunner.Result run(List<String> command, String stdin, Map<String, String> environment)
            throws InterruptedException {
        List<String> argv = new ArrayList<>(prefix);
        if (prefix.isEmpty()) {
            argv.addAll(command);
        } else {
            argv.add(ShellQuote.join(command));
        }
        return runner.run(argv, stdin, environment, COMMAND_TIMEOUT);
    }
}
