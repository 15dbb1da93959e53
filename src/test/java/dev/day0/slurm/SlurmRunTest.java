package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SlurmRunTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final FakeSlurm slurm = new FakeSlurm();
    private final List<String> lines = new ArrayList<>();
    private final SlurmJobs.Listener listener = new SlurmJobs.Listener() {
        @Override
        public void onOutput(String line) {
            lines.add(line);
        }
    };

    private Path jobFile(String text) throws IOException {
        Path file = temp.getRoot().toPath().resolve("job.yaml");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private ObjectNode run(SlurmRun.Request request) {
        return new SlurmRun(prefix -> new SlurmClient(prefix, slurm), duration -> { })
                .run(request, temp.getRoot().toPath().resolve("work"), Map.of("HF_TOKEN", "hf_value_not_logged"),
                        Redactor.patternsOnly(), listener);
    }

    private SlurmRun.Request request(String extra) throws IOException {
        return SlurmRun.read(jobFile("name: baseline-eval\nrun_key: 'eval#7'\ncommand: [sh, eval.sh]\n"
                + "env: {RESULTS_DIR: results/baseline}\nslurm: {partition: debug, time: '30', environment: [HF_TOKEN]}\n"
                + extra), temp.getRoot().toPath());
    }

    @Test
    public void shouldSubmitTheJobFilesCommandOnceAndReattachOnARepeatedCall() throws IOException {
        slurm.nextOutput = "scoring\n";

        ObjectNode first = run(request(""));
        ObjectNode again = run(request(""));

        assertThat(slurm.submissions()).isEqualTo(1);
        assertThat(first.path("pass").asBoolean()).isTrue();
        assertThat(first.path("failure_class").isNull()).isTrue();
        assertThat(first.path("submitted_now").asBoolean()).isTrue();
        assertThat(again.path("submitted_now").asBoolean()).isFalse();
        assertThat(again.path("job_id").asText()).isEqualTo(first.path("job_id").asText());
        assertThat(first.path("state_file").asText()).endsWith("work/" + first.path("job_name").asText() + ".json")
                .contains("-baseline-eval-a1-");
        assertThat(lines).containsExactly("scoring");
        assertThat(slurm.scripts.get(0)).contains("#SBATCH --partition=debug", "#SBATCH --export=HF_TOKEN",
                "export RESULTS_DIR=results/baseline", "export DAY0_ATTEMPT=1", "sh eval.sh")
                .doesNotContain("hf_value_not_logged");
        assertThat(slurm.sbatchEnvironments.get(0)).containsEntry("HF_TOKEN", "hf_value_not_logged");
    }

    @Test
    public void shouldGiveANewAttemptANewJob() throws IOException {
        run(request(""));
        ObjectNode second = run(request("attempt: 2\n"));

        assertThat(slurm.submissions()).isEqualTo(2);
        assertThat(second.path("job_name").asText()).contains("-baseline-eval-a2-");
    }

    @Test
    public void shouldReportAFailedJobAsUnknownAndATransientExitCodeAsInfraTransient() throws IOException {
        slurm.nextStates = List.of("RUNNING", "FAILED");
        slurm.nextExitCode = 3;
        ObjectNode failed = run(request(""));
        slurm.nextStates = List.of("RUNNING", "FAILED");
        slurm.nextExitCode = 75;
        ObjectNode tempfail = run(request("attempt: 2\n"));

        assertThat(failed.path("pass").asBoolean()).isFalse();
        assertThat(failed.path("failure_class").asText()).isEqualTo("UNKNOWN");
        assertThat(failed.path("exit_code").asInt()).isEqualTo(3);
        assertThat(tempfail.path("failure_class").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(tempfail.path("detail").asText()).contains("transient_exit_codes");
    }

    @Test
    public void shouldMapATimedOutJobToInfraTransient() throws IOException {
        slurm.nextStates = List.of("RUNNING", "TIMEOUT");

        ObjectNode result = run(request(""));

        assertThat(result.path("outcome").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(result.path("failure_class").asText()).isEqualTo("INFRA_TRANSIENT");
        assertThat(result.path("state").asText()).isEqualTo("TIMEOUT");
    }

    @Test
    public void shouldRefuseAMisspeltFieldNamingTheFileAndTheField() throws IOException {
        Path file = jobFile("name: ptq\ncommand: [sh, ptq.sh]\nslurm: {partiton: debug}\n");

        assertThatThrownBy(() -> SlurmRun.read(file, temp.getRoot().toPath()))
                .isInstanceOf(InputException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("slurm.partiton").hasMessageContaining("not a slurm option");
    }

    @Test
    public void shouldRefuseAJobFileWithoutACommandOrWithAnUnsafeName() throws IOException {
        Path noCommand = jobFile("name: ptq\n");
        assertThatThrownBy(() -> SlurmRun.read(noCommand, temp.getRoot().toPath()))
                .isInstanceOf(InputException.class).hasMessageContaining("command");
        Path badName = jobFile("name: ../ptq\ncommand: [sh]\n");
        assertThatThrownBy(() -> SlurmRun.read(badName, temp.getRoot().toPath()))
                .isInstanceOf(InputException.class).hasMessageContaining("name");
    }

    @Test
    public void shouldReadAJobFileThatNamesItsSchemaAndRefuseAnotherSchema() throws IOException {
        Path named = jobFile("schema: day0.slurm.run/v1\nname: ptq\ncommand: [sh, ptq.sh]\n");
        assertThat(SlurmRun.read(named, temp.getRoot().toPath()).name()).isEqualTo("ptq");

        Path other = jobFile("schema: day0.slurm.run/v2\nname: ptq\ncommand: [sh, ptq.sh]\n");
        assertThatThrownBy(() -> SlurmRun.read(other, temp.getRoot().toPath()))
                .isInstanceOf(InputException.class).hasMessageContaining(other.toString())
                .hasMessageContaining("schema: must be day0.slurm.run/v1 (or left out), found 'day0.slurm.run/v2'");
    }
}
