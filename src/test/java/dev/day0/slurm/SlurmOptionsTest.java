package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.util.List;
import org.junit.Test;

public class SlurmOptionsTest {
    private static final Fields PLAN = new Fields("release.yaml");

    private static SlurmOptions read(String json) {
        return SlurmOptions.read(Json.parse(json, "test"), PLAN, "stages.ptq.slurm");
    }

    @Test
    public void shouldReadEveryPlanField() {
        SlurmOptions options = read("{\"cluster\":\"eos\",\"partition\":\"batch\",\"account\":\"a1\",\"qos\":\"q\","
                + "\"nodes\":2,\"gpus\":8,\"gres\":\"gpu:8\",\"time\":\"01:30:00\",\"constraint\":\"a100&ib\","
                + "\"extra\":[\"--mem=64G\"],\"environment\":[\"HF_TOKEN\"],\"workdir\":\"/lustre/day0\"}");

        assertThat(options).isEqualTo(new SlurmOptions("eos", "batch", "a1", "q", 2, "8", "gpu:8", "01:30:00",
                "a100&ib", List.of("--mem=64G"), List.of("HF_TOKEN"), "/lustre/day0"));
    }

    @Test
    public void shouldNameTheFileAndFieldOfAnUnknownOption() {
        assertThatThrownBy(() -> read("{\"partiton\":\"batch\"}")).isInstanceOf(InputException.class)
                .hasMessageStartingWith("release.yaml: stages.ptq.slurm.partiton: is not a slurm option");
    }

    @Test
    public void shouldRefuseAnEnvironmentValueInsteadOfAName() {
        assertThatThrownBy(() -> read("{\"environment\":[\"HF_TOKEN=hf_abc\"]}"))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("stages.ptq.slurm.environment[0]: must be an environment variable NAME");
    }

    @Test
    public void shouldRefuseExtraLinesThatWouldReplaceWhatDayZeroWrites() {
        assertThatThrownBy(() -> read("{\"extra\":[\"--job-name=mine\"]}")).isInstanceOf(InputException.class)
                .hasMessageContaining("stages.ptq.slurm.extra[0]: --job-name is set by day0");
        assertThatThrownBy(() -> read("{\"extra\":[\"mem 64G\"]}")).isInstanceOf(InputException.class)
                .hasMessageContaining("must be one sbatch option");
    }

    @Test
    public void shouldRefuseATimeLimitSlurmWouldNotRead() {
        assertThatThrownBy(() -> read("{\"time\":\"2h\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("stages.ptq.slurm.time: must be a Slurm time limit");
    }

    @Test
    public void shouldRefuseAValueWithSpaces() {
        assertThatThrownBy(() -> read("{\"partition\":\"batch --exclusive\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("stages.ptq.slurm.partition: must be one word");
    }

    @Test
    public void shouldFillAccountPartitionAndWorkdirFromTheCluster() {
        ClusterSettings cluster = new ClusterSettings("eos", "slurm", "eos-login", "me", null, null,
                "/lustre/me", "H100", "acct", "batch_short");

        SlurmOptions filled = read("{\"partition\":\"interactive\"}").withDefaults(cluster);

        assertThat(filled.partition()).isEqualTo("interactive");
        assertThat(filled.account()).isEqualTo("acct");
        assertThat(filled.workdir()).isEqualTo("/lustre/me");
    }
}
