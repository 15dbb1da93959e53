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
    public void shouldReadEachFormOfATimeLimitSlurmTakes() {
        for (String time : new String[] {"1", "90", "30:00", "02:00:00", "48:00:00", "1-00", "1-12:30",
                "7-00:00:00", "365-00:00:00", "525600"}) {
            assertThat(read("{\"time\":\"" + time + "\"}").time()).as(time).isEqualTo(time);
        }
        assertThat(read("{\"time\":30}").time()).isEqualTo("30");
    }

    @Test
    public void shouldRefuseATimeLimitThatIsNotTheLimitItSeemsToBe() {
        assertThatThrownBy(() -> read("{\"time\":\"0\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("stages.ptq.slurm.time: must be at least 1 minute");
        assertThatThrownBy(() -> read("{\"time\":\"00:00:00\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("must be at least 1 minute");
        assertThatThrownBy(() -> read("{\"time\":\"99999999999999999999\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("stages.ptq.slurm.time: is longer than any time limit (at most 525600 minutes");
        assertThatThrownBy(() -> read("{\"time\":-5}")).isInstanceOf(InputException.class)
                .hasMessageContaining("must be a Slurm time limit");
        assertThatThrownBy(() -> read("{\"time\":525601}")).isInstanceOf(InputException.class)
                .hasMessageContaining("is longer than any time limit");
        assertThatThrownBy(() -> read("{\"time\":\"525601\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("is longer than any time limit");
        assertThatThrownBy(() -> read("{\"time\":\"366-00:00:00\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("is longer than any time limit");
        assertThatThrownBy(() -> read("{\"time\":\"1-24:00:00\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("hours above 23");
        assertThatThrownBy(() -> read("{\"time\":\"01:60:00\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("minutes or seconds above 59");
        assertThatThrownBy(() -> read("{\"time\":\"10:75\"}")).isInstanceOf(InputException.class)
                .hasMessageContaining("seconds above 59");
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
