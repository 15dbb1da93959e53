package dev.day0.cli.slurm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.EngineCommand;
import dev.day0.cli.ExitCodeFamily;
import dev.day0.cli.Subcommands;
import dev.day0.cli.release.ReleaseCommand;
import dev.day0.core.CommonExit;
import dev.day0.slurm.ProcessCommandRunner;
import dev.day0.slurm.SlurmClient;
import dev.day0.slurm.SlurmJobs;
import dev.day0.slurm.SlurmRun;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code day0 slurm run}: one command as one Slurm job, at most once per attempt (docs/slurm.md). */
@Command(name = "slurm",
        description = "Run a command as a Slurm job, submitted at most once per attempt and re-attached to on a "
                + "repeated call.",
        mixinStandardHelpOptions = true,
        footer = {"", "See docs/slurm.md, \"day0 slurm run\"."})
@ExitCodeFamily(CommonExit.class)
@Subcommands({SlurmCommand.Run.class})
public final class SlurmCommand {
    /** The Slurm client for a command prefix; tests give one over a fake Slurm. */
    static Function<List<String>, SlurmClient> clients = prefix -> new SlurmClient(prefix,
            new ProcessCommandRunner());

    private SlurmCommand() {
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Submit the job file's command with sbatch (or re-attach to the attempt's job), stream "
                    + "its redacted output to stderr, wait for its end, and print the result as JSON.",
            footer = {"", "Output: {schema, name, attempt, pass, outcome, failure_class, detail, job_id, job_name,"
                    + " state, exit_code, submitted_now, cluster, state_file, output_file, exit}.",
                "Exit codes: 0 the job COMPLETED with exit 0, 1 it did not (failure_class says how; also when "
                    + "interrupted: the job is cancelled with scancel first), 2 bad job file or options, "
                    + "70 internal error."})
    @ExitCodeFamily(value = CommonExit.class, codes = {0, 1, 2, 70})
    static final class Run extends EngineCommand {
        @Option(names = "--job", required = true, paramLabel = "FILE",
                description = "The job file (JSON or YAML, day0.slurm.run/v1): name, command, slurm, env, ...")
        Path job;

        @Option(names = "--workdir", required = true, paramLabel = "DIR",
                description = "Where the attempt's state and output files are (on the cluster's shared "
                        + "filesystem); a repeated call with the same DIR re-attaches.")
        Path workdir;

        @Option(names = "--out", paramLabel = "FILE", description = "Write the result here instead of stdout.")
        Path out;

        @Override
        public Integer call() {
            SlurmRun.Request request = SlurmRun.read(job, Path.of(System.getProperty("user.home")));
            return ReleaseCommand.interruptible(() -> {
                ObjectNode result = new SlurmRun(clients, SlurmJobs.realTime()).run(request, workdir, env(),
                        console().redactor(), new SlurmJobs.Listener() {
                            @Override
                            public void onOutput(String line) {
                                console().info(line);
                            }

                            @Override
                            public void onEvent(String message) {
                                console().info("day0 slurm: " + message);
                            }
                        });
                // Cleared so the result can be written after an interrupt cancelled the job.
                Thread.interrupted();
                return console().answer(result, result.path("pass").asBoolean() ? CommonExit.OK : CommonExit.FAILED,
                        out);
            });
        }
    }
}
