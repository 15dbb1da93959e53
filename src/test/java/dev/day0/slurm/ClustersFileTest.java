package dev.day0.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ClustersFileTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static final String UPSTREAM = String.join("\n",
            "clusters:",
            "  eos:",
            "    login_node: eos-login.example.com",
            "    user: alice",
            "    ssh_key: /home/alice/.ssh/id_ed25519",
            "    ssh_proxy: \"socat - PROXY:localhost:%h:%p,proxyport=3128\"",
            "    workspace: /lustre/fsw/alice/day0",
            "    gpu_type: H100",
            "    slurm:",
            "      default_account: coreai_dlalgo",
            "      default_partition: batch_short",
            "  workstation:",
            "    login_node: localhost",
            "    workspace: /home/alice/work",
            "    gpu_type: RTX6000",
            "default_cluster: eos",
            "");

    private Path write(String text) throws Exception {
        Path file = temp.getRoot().toPath().resolve("clusters.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    public void shouldReadTheUpstreamFormatIntoClusterSettings() throws Exception {
        ClustersFile clusters = ClustersFile.read(write(UPSTREAM));

        ClusterSettings eos = clusters.slurmCluster(null);

        assertThat(clusters.names()).containsExactly("eos", "workstation");
        assertThat(eos).isEqualTo(new ClusterSettings("eos", "slurm", "eos-login.example.com", "alice",
                "/home/alice/.ssh/id_ed25519", "socat - PROXY:localhost:%h:%p,proxyport=3128",
                "/lustre/fsw/alice/day0", "H100", "coreai_dlalgo", "batch_short"));
        assertThat(eos.commandPrefix()).containsExactly("ssh", "-o", "BatchMode=yes", "-i",
                "/home/alice/.ssh/id_ed25519", "-o", "ProxyCommand=socat - PROXY:localhost:%h:%p,proxyport=3128",
                "alice@eos-login.example.com");
    }

    @Test
    public void shouldRefuseAClusterThatIsNotASlurmCluster() throws Exception {
        ClustersFile clusters = ClustersFile.read(write(UPSTREAM));

        assertThatThrownBy(() -> clusters.slurmCluster("workstation")).isInstanceOf(InputException.class)
                .hasMessageEndingWith("clusters.workstation.launcher: is 'local'; a stage on: slurm needs a"
                        + " cluster whose launcher is slurm");
    }

    @Test
    public void shouldNameTheKnownClustersWhenThePlanNamesAnotherOne() throws Exception {
        ClustersFile clusters = ClustersFile.read(write(UPSTREAM));

        assertThatThrownBy(() -> clusters.slurmCluster("selene")).isInstanceOf(InputException.class)
                .hasMessageContaining("has no cluster 'selene' (known: eos, workstation)");
    }

    @Test
    public void shouldRefuseADefaultClusterThatIsNotListed() throws Exception {
        assertThatThrownBy(() -> ClustersFile.read(write(UPSTREAM.replace("default_cluster: eos",
                "default_cluster: selene")))).isInstanceOf(InputException.class)
                .hasMessageContaining("default_cluster: names 'selene'");
    }

    @Test
    public void shouldRefuseARelativeWorkspace() throws Exception {
        assertThatThrownBy(() -> ClustersFile.read(write(UPSTREAM.replace("/lustre/fsw/alice/day0",
                "~/day0")))).isInstanceOf(InputException.class)
                .hasMessageContaining("clusters.eos.workspace: must be an absolute path");
    }

    @Test
    public void shouldUseNoPrefixForALocalCluster() {
        ClusterSettings local = new ClusterSettings("here", "slurm", "localhost", null, null, null, null, null,
                null, null);

        assertThat(local.commandPrefix()).isEmpty();
    }

    @Test
    public void shouldLookWhereTheUpstreamSkillLooksFirstFoundWins() throws Exception {
        Path home = temp.newFolder("home").toPath();
        Path project = temp.newFolder("project").toPath();
        Files.createDirectories(project.resolve(".claude"));
        Files.writeString(project.resolve(".claude/clusters.yaml"), UPSTREAM);
        assertThat(ClustersFile.locate(home, project)).hasValue(project.resolve(".claude/clusters.yaml"));

        Files.createDirectories(home.resolve(".config/modelopt"));
        Files.writeString(home.resolve(".config/modelopt/clusters.yaml"), UPSTREAM);
        assertThat(ClustersFile.locate(home, project)).hasValue(home.resolve(".config/modelopt/clusters.yaml"));
    }
}
