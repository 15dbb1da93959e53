package dev.day0.slurm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Slurm controller in memory that answers the commands {@link SlurmClient} runs, in the formats of the recorded
 * outputs in src/test/resources/slurm (scontrol -o lines, squeue '%i|%j|%T|%r', sacct without accounting).
 */
final class FakeSlurm implements CommandRunner {
    private static final Pattern NAME = Pattern.compile("#SBATCH --job-name=(\\S+)");

    static final class Job {
        final String id;
        final String name;
        final Deque<String> states;
        String state;
        int exitCode;
        String output = "";

        Job(String id, String name, List<String> states, int exitCode) {
            this.id = id;
            this.name = name;
            this.states = new ArrayDeque<>(states);
            this.state = this.states.poll();
            this.exitCode = exitCode;
        }
    }

    final Map<String, Job> jobs = new LinkedHashMap<>();
    final List<List<String>> commands = new ArrayList<>();
    final List<String> scripts = new ArrayList<>();
    final List<Map<String, String>> sbatchEnvironments = new ArrayList<>();
    final List<String> cancelled = new ArrayList<>();
    List<String> nextStates = List.of("PENDING", "RUNNING", "COMPLETED");
    int nextExitCode;
    String nextOutput = "";
    boolean rejectSubmit;
    boolean crashAfterSbatch;
    int failingQueries;
    Consumer<String> onFirstPoll;
    private int nextId = 100;
    private boolean polled;

    Job add(String name, List<String> states, int exitCode) {
        Job job = new Job(Integer.toString(nextId++), name, states, exitCode);
        jobs.put(job.id, job);
        return job;
    }

    long submissions() {
        return commands.stream().filter(argv -> argv.get(0).equals("sbatch")).count();
    }

    @Override
    public Result run(List<String> argv, String stdin, Map<String, String> environment, Duration timeout) {
        commands.add(argv);
        switch (argv.get(0)) {
            case "sbatch":
                return sbatch(stdin, environment);
            case "scontrol":
                if (argv.contains("config")) {
                    return ok("JobCompType             = jobcomp/none\nMinJobAge               = 300 sec\n");
                }
                return scontrol(argv.get(argv.size() - 1));
            case "squeue":
                if (failingQueries > 0) {
                    failingQueries--;
                    return new Result(255, "", "ssh: connect to host login port 22: Connection refused\n", null);
                }
                return squeue(argv.get(argv.indexOf("-n") + 1));
            case "sacct":
                return new Result(1, "", "Slurm accounting storage is disabled\n", null);
            case "scancel":
                Job job = jobs.get(argv.get(1));
                cancelled.add(argv.get(1));
                if (job != null) {
                    job.state = "CANCELLED";
                    job.states.clear();
                }
                return ok("");
            case "tail":
                return tail(argv);
            case "grep":
                return new Result(1, "", "", null);
            default:
                return new Result(127, "", argv.get(0) + ": command not found\n", null);
        }
    }

    private Result sbatch(String script, Map<String, String> environment) {
        scripts.add(script);
        sbatchEnvironments.add(environment);
        if (rejectSubmit) {
            return new Result(1, "", "sbatch: error: Batch job submission failed: Invalid account or"
                    + " account/partition combination specified\n", null);
        }
        Matcher name = NAME.matcher(script);
        Job job = add(name.find() ? name.group(1) : "sbatch", nextStates, nextExitCode);
        job.output = nextOutput;
        if (crashAfterSbatch) {
            crashAfterSbatch = false;
            throw new SimulatedCrash();
        }
        return ok(job.id + "\n");
    }

    private Result scontrol(String id) {
        if (!polled && onFirstPoll != null) {
            onFirstPoll.accept(id);
        }
        polled = true;
        if (failingQueries > 0) {
            failingQueries--;
            return new Result(255, "", "ssh: connect to host login port 22: Connection refused\n", null);
        }
        Job job = jobs.get(id);
        if (job == null) {
            return new Result(1, "", "slurm_load_jobs error: Invalid job id specified\n", null);
        }
        String line = line(job);
        if (!job.states.isEmpty()) {
            job.state = job.states.poll();
        }
        return ok(line);
    }

    private static String line(Job job) {
        boolean finished = SlurmJobState.parse(job.state).terminal();
        String reason = job.state.equals("FAILED") ? "NonZeroExitCode" : job.state.equals("TIMEOUT") ? "TimeLimit"
                : "None";
        return "JobId=" + job.id + " JobName=" + job.name + " UserId=root(0) GroupId=root(0) JobState=" + job.state
                + " Reason=" + reason + " Dependency=(null) ExitCode=" + (finished ? job.exitCode : 0) + ":0"
                + " TRES=cpu=1,node=1 StdOut=/shared/out.txt Power= \n";
    }

    private Result squeue(String name) {
        StringBuilder out = new StringBuilder();
        for (Job job : jobs.values()) {
            if (job.name.equals(name)) {
                out.append(job.id).append('|').append(job.name).append('|').append(job.state).append("|None\n");
            }
        }
        return ok(out.toString());
    }

    private Result tail(List<String> argv) {
        int from = Integer.parseInt(argv.get(2).substring(1)) - 1;
        Job running = jobs.values().stream().filter(job -> !job.state.equals("PENDING")).reduce((a, b) -> b)
                .orElse(null);
        if (running == null) {
            return new Result(1, "", "tail: cannot open '" + argv.get(3) + "' for reading: No such file\n", null);
        }
        return ok(from >= running.output.length() ? "" : running.output.substring(from));
    }

    private static Result ok(String stdout) {
        return new Result(0, stdout, "", null);
    }

    /** The conductor dying right after sbatch returned, before it could record the job id. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
