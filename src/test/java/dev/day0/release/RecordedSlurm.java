package dev.day0.release;

import dev.day0.slurm.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Slurm that answers with the outputs recorded on the local cluster (src/test/resources/slurm, README there),
 * behind the command-prefix seam of {@link SlurmJobRunner#clients}. Only the job's identity is rewritten: the
 * recorded job id and name become the submitted job's, so the runner's own name lookups find it.
 */
final class RecordedSlurm implements CommandRunner {
    private static final Pattern NAME = Pattern.compile("#SBATCH --job-name=(\\S+)");

    /** The conductor dying at a moment the test chooses. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    final List<List<String>> commands = new ArrayList<>();
    final List<String> cancelled = new ArrayList<>();
    /** The recorded files scontrol answers with, poll after poll; the last one repeats. */
    List<String> scontrol = List.of("scontrol-running.txt", "scontrol-completed.txt");
    /** The recorded sacct line (sacct-accounting.txt) for the job, or null: accounting disabled, as recorded. */
    String sacctState;
    String output = "";
    boolean crashAfterSbatch;
    int crashOnPoll;
    int interruptOnPoll;
    String jobName;
    /** What the job does once submitted (a canary server announcing itself, say); gets the batch script. */
    java.util.function.Consumer<String> onSubmit = script -> { };
    int polls;

    static String recorded(String file) {
        try (InputStream in = RecordedSlurm.class.getResourceAsStream("/slurm/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no recorded Slurm output " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded job id sbatch --parsable printed. */
    static String jobId() {
        return recorded("sbatch-parsable.txt").strip();
    }

    long submissions() {
        return commands.stream().filter(argv -> argv.get(0).equals("sbatch")).count();
    }

    @Override
    public Result run(List<String> argv, String stdin, Map<String, String> environment, Duration timeout) {
        commands.add(argv);
        switch (argv.get(0)) {
            case "sbatch": {
                Matcher name = NAME.matcher(stdin);
                jobName = name.find() ? name.group(1) : null;
                if (crashAfterSbatch) {
                    crashAfterSbatch = false;
                    throw new SimulatedCrash();
                }
                onSubmit.accept(stdin);
                return ok(recorded("sbatch-parsable.txt"));
            }
            case "scontrol":
                if (argv.contains("config")) {
                    return ok(recorded("scontrol-config.txt"));
                }
                return poll();
            case "squeue":
                return ok(jobName == null ? "" : identity(recorded("squeue-all.txt").replace("|record-ok|",
                        "|" + jobName + "|")));
            case "sacct":
                if (sacctState == null) {
                    return new Result(1, recorded("sacct-disabled.stdout.txt"),
                            recorded("sacct-disabled.stderr.txt"), null);
                }
                return ok(accountingLine());
            case "grep":
                return new Result(1, "", "", null);
            case "tail": {
                int from = Integer.parseInt(argv.get(2).substring(1)) - 1;
                return ok(from >= output.length() ? "" : output.substring(from));
            }
            case "scancel":
                cancelled.add(argv.get(1));
                scontrol = List.of("scontrol-cancelled.txt");
                polls = 0;
                return ok("");
            case "sinfo":
                return ok("debug* up\n");
            default:
                return new Result(127, "", argv.get(0) + ": command not found\n", null);
        }
    }

    private Result poll() {
        polls++;
        if (polls == crashOnPoll) {
            crashOnPoll = 0;
            throw new SimulatedCrash();
        }
        if (polls == interruptOnPoll) {
            // The signal arrives while the conductor follows the job; its next wait sees the interrupt.
            Thread.currentThread().interrupt();
        }
        String file = scontrol.get(Math.min(polls, scontrol.size()) - 1);
        if (file.startsWith("scontrol-unknown")) {
            return new Result(1, recorded("scontrol-unknown.stdout.txt"), recorded("scontrol-unknown.stderr.txt"),
                    null);
        }
        return ok(identity(recorded(file)));
    }

    /** The hand-written sacct line of that state (the states the local cluster cannot produce), as this job's. */
    private String accountingLine() {
        for (String line : recorded("sacct-accounting.txt").split("\n")) {
            String[] fields = line.split("\\|");
            if (fields.length > 2 && fields[2].startsWith(sacctState)) {
                return jobId() + "|" + jobName + "|" + String.join("|", List.of(fields).subList(2, fields.length))
                        + "\n";
            }
        }
        throw new IllegalStateException("no recorded sacct line in state " + sacctState);
    }

    private String identity(String text) {
        return text.replaceAll("JobId=\\d+", "JobId=" + jobId()).replaceAll("JobName=\\S+", "JobName=" + jobName)
                .replaceAll("(?m)^" + jobId() + "\\|record-ok\\|", jobId() + "|" + jobName + "|");
    }

    private static Result ok(String stdout) {
        return new Result(0, stdout, "", null);
    }
}
