package dev.day0.cli.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.io.Json;
import dev.day0.slurm.CommandRunner;
import dev.day0.slurm.SlurmClient;
import dev.day0.testing.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SlurmCommandTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final Function<List<String>, SlurmClient> realClients = SlurmCommand.clients;
    private final List<List<String>> commands = new ArrayList<>();

    @After
    public void restoreTheClients() {
        SlurmCommand.clients = realClients;
    }

    /** A cluster that answers every command by refusing it, as a login node whose Slurm is down does. */
    private void slurmDown() {
        CommandRunner down = (argv, stdin, environment, timeout) -> {
            commands.add(argv);
            return new CommandRunner.Result(1, "", "slurm_load_jobs error: Unable to contact slurm controller\n",
                    null);
        };
        SlurmCommand.clients = prefix -> new SlurmClient(prefix, down);
    }

    @Test
    public void shouldPrintTheResultAndExitOneWhenSlurmRefusesTheSubmission() throws Exception {
        slurmDown();
        Path job = temp.newFile("job.json").toPath();
        Files.writeString(job, "{\"name\": \"ptq\", \"command\": [\"sh\", \"ptq.sh\"]}", StandardCharsets.UTF_8);

        CliRun run = CliRun.run("slurm", "run", "--job", job.toString(), "--workdir",
                temp.getRoot().toPath().resolve("work").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        var result = Json.parse(run.out(), "stdout");
        assertThat(result.path("pass").asBoolean()).isFalse();
        assertThat(result.path("failure_class").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(result.path("state_file").asText()).contains("work/day0-run-ptq-a1-").endsWith(".json");
        assertThat(result.path("exit").path("code").asInt()).isEqualTo(1);
        assertThat(commands.get(0)).containsExactly("sbatch", "--parsable");
    }

    @Test
    public void shouldRefuseABadJobFileWithExitTwoNamingTheFieldAndSubmitNothing() throws Exception {
        slurmDown();
        Path job = temp.newFile("job.yaml").toPath();
        Files.writeString(job, "name: ptq\ncommand: [sh, ptq.sh]\nslurm: {time: soon}\n", StandardCharsets.UTF_8);

        CliRun run = CliRun.run("slurm", "run", "--job", job.toString(), "--workdir", temp.getRoot().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(job.toString()).contains("slurm.time").doesNotContain("Exception");
        assertThat(commands).isEmpty();
    }
}
