package dev.day0.slurm;

import static dev.day0.slurm.SlurmParsersTest.recorded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.core.FailureClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.Test;

public class SlurmClientTest {
    private final List<List<String>> commands = new ArrayList<>();

    private SlurmClient client(List<String> prefix, Function<List<String>, CommandRunner.Result> answer) {
        return new SlurmClient(prefix, (List<String> argv, String stdin, Map<String, String> environment,
                                        Duration timeout) -> {
            commands.add(argv);
            return answer.apply(argv);
        });
    }

    private static CommandRunner.Result ok(String stdout) {
        return new CommandRunner.Result(0, stdout, "", null);
    }

    @Test
    public void shouldSendEachCommandThroughThePrefixAsOneQuotedCommandLine() throws Exception {
        SlurmClient client = client(List.of("ssh", "-o", "BatchMode=yes", "login"),
                argv -> ok(recorded("scontrol-completed.txt")));

        client.readOutput("/lustre/my run/out.txt", 10);

        assertThat(commands.get(0)).containsExactly("ssh", "-o", "BatchMode=yes", "login",
                "tail -c +11 '/lustre/my run/out.txt'");
    }

    @Test
    public void shouldRunCommandsAsArgvListsWithoutAPrefix() throws Exception {
        SlurmClient client = client(List.of(), argv -> ok("42\n"));

        String id = client.submit("#!/bin/bash\ntrue\n", Map.of());

        assertThat(id).isEqualTo("42");
        assertThat(commands.get(0)).containsExactly("sbatch", "--parsable");
    }

    @Test
    public void shouldReadAJobFromTheCompletionFileOnceTheControllerForgotIt() throws Exception {
        SlurmClient client = client(List.of(), argv -> switch (argv.get(0)) {
            case "scontrol" -> argv.contains("config") ? ok(recorded("scontrol-config.txt"))
                    : new CommandRunner.Result(1, "", recorded("scontrol-unknown.stderr.txt"), null);
            case "sacct" -> new CommandRunner.Result(1, "", recorded("sacct-disabled.stderr.txt"), null);
            case "grep" -> ok(recorded("jobcomp.txt").lines().filter(line -> line.startsWith(argv.get(2)
                    .substring(1))).reduce("", (a, b) -> a + b + "\n"));
            default -> new CommandRunner.Result(127, "", "not found", null);
        });
        String failedId = SlurmParsers.jobcompJobs(recorded("jobcomp.txt")).stream()
                .filter(job -> job.name().equals("record-failed")).findFirst().orElseThrow().jobId();

        JobInfo job = client.job(failedId).orElseThrow();

        assertThat(job.source()).isEqualTo(JobInfo.Source.JOBCOMP);
        assertThat(job.jobState()).isEqualTo(SlurmJobState.FAILED);
        assertThat(commands).anySatisfy(argv -> assertThat(argv).containsExactly("grep", "-e",
                "^JobId=" + failedId + " ", "/var/log/slurm/jobcomp.txt"));
    }

    @Test
    public void shouldReportAClusterThatDoesNotAnswerAsSystemic() throws Exception {
        SlurmClient client = client(List.of("ssh", "login"), argv -> new CommandRunner.Result(255, "",
                "ssh: Could not resolve hostname login: Name or service not known\n", null));

        SlurmClient.Reachability reachability = client.reachability(null);

        assertThat(reachability.reachable()).isFalse();
        assertThat(reachability.failureClass()).isEqualTo(FailureClass.SYSTEMIC);
        assertThat(reachability.detail()).isEqualTo("the Slurm cluster does not answer through ssh login: sinfo:"
                + " ssh: Could not resolve hostname login: Name or service not known");
    }

    @Test
    public void shouldReportAPartitionTheClusterDoesNotHaveAsTheGivenPlansError() throws Exception {
        SlurmClient client = client(List.of(), argv -> ok("debug* up\nbatch up\n"));

        assertThat(client.reachability("batch").reachable()).isTrue();
        SlurmClient.Reachability missing = client.reachability("gpu");
        assertThat(missing.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(missing.detail()).contains("has no partition 'gpu' (it has debug, batch)");
    }

    @Test
    public void shouldTellARefusedSubmissionFromAnUnansweredOne() {
        SlurmClient refused = client(List.of(), argv -> new CommandRunner.Result(1, "",
                "sbatch: error: Batch job submission failed: Invalid partition name specified\n", null));
        SlurmClient unanswered = client(List.of("ssh", "login"), argv -> new CommandRunner.Result(255, "",
                "Connection closed by remote host\n", null));

        assertThat(submitError(refused).rejected()).isTrue();
        assertThat(submitError(unanswered).rejected()).isFalse();
        assertThat(submitError(refused).getMessage()).isEqualTo("sbatch failed: sbatch: error: Batch job"
                + " submission failed: Invalid partition name specified");
    }

    private static SlurmClient.SlurmException submitError(SlurmClient client) {
        try {
            client.submit("#!/bin/bash\n", Map.of());
        } catch (SlurmClient.SlurmException e) {
            return e;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("submit did not fail");
    }
}
