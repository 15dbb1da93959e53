package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.core.Stage;
import dev.day0.io.InputException;
import java.nio.file.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AgentPlanTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private Path shared;
    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        shared = temp.newFolder("shared").toPath();
        fixture = new ReleaseFixture(shared.resolve("plan"));
        fixture.ptq = fixture.ptq.replace("    runner: local\n", "    runner: local\n    agent: gpu && h100\n");
    }

    private void declareShared(String dir) {
        fixture.extra = "agents:\n  shared_dir: " + dir + "\n";
    }

    @Test
    public void shouldNameTheAgentOfEachStageThatHasOne() {
        declareShared(shared.toString());

        ReleasePlan plan = ReleasePlan.load(fixture.plan());

        assertThat(plan.agents().sharedDir()).isEqualTo(shared);
        assertThat(plan.agents().label(Stage.PTQ)).isEqualTo("gpu && h100");
        assertThat(plan.agents().label(Stage.BASELINE_EVAL)).isNull();
        assertThat(plan.agents().label(Stage.PTQ_GATE)).isNull();
    }

    @Test
    public void shouldHaveNoAgentsWhenThePlanNamesNone() {
        fixture.ptq = fixture.ptq.replace("    agent: gpu && h100\n", "");

        assertThat(ReleasePlan.load(fixture.plan()).agents()).isNull();
    }

    @Test
    public void shouldRefuseAnAgentWithoutASharedWorkDirectory() {
        assertThatThrownBy(() -> ReleasePlan.load(fixture.plan())).isInstanceOf(InputException.class)
                .hasMessage(fixture.plan() + ": stages.ptq.agent: runs the stage on another Jenkins agent, which "
                        + "must read and write this run's work directory: declare the filesystem both agents share "
                        + "in agents.shared_dir");
    }

    @Test
    public void shouldRefuseARelativeSharedDirectory() {
        declareShared("shared/day0");

        assertThatThrownBy(() -> ReleasePlan.load(fixture.plan())).isInstanceOf(InputException.class)
                .hasMessageStartingWith(fixture.plan() + ": agents.shared_dir: must be an absolute path");
    }

    @Test
    public void shouldRefuseAnAgentOnARockieStage() {
        declareShared(shared.toString());
        fixture.quantized = "  quantized_eval:\n    runner: rockie\n    agent: gpu\n    script: job.sh\n"
                + "    gpu_type: H100_SXM\n    gpu_count: 1\n    region: us\n    tier: spot\n"
                + "    timeout_seconds: 3600\n    evidence: {run_summary: a.json, scores: b.json}\n";

        assertThatThrownBy(() -> ReleasePlan.load(fixture.plan())).isInstanceOf(InputException.class)
                .hasMessage(fixture.plan() + ": stages.quantized_eval.agent: applies to local and slurm stages "
                        + "only: a rockie stage runs on the Rockie platform, not on a Jenkins agent");
    }

    @Test
    public void shouldRefuseALabelThatIsNotOne() {
        declareShared(shared.toString());
        fixture.ptq = fixture.ptq.replace("agent: gpu && h100", "agent: \"gpu; rm -rf /\"");

        assertThatThrownBy(() -> ReleasePlan.load(fixture.plan())).isInstanceOf(InputException.class)
                .hasMessageStartingWith(fixture.plan() + ": stages.ptq.agent: must be a Jenkins agent label");
    }

    @Test
    public void shouldRefuseAnUnknownFieldOfTheAgentsBlock() {
        fixture.extra = "agents:\n  shared_dir: " + shared + "\n  mount: /x\n";

        assertThatThrownBy(() -> ReleasePlan.load(fixture.plan())).isInstanceOf(InputException.class)
                .hasMessageStartingWith(fixture.plan() + ": agents.mount: unknown field");
    }

    @Test
    public void shouldAcceptAWorkDirectoryAndPlanInsideTheSharedDirectory() {
        declareShared(shared.toString());
        ReleasePlan plan = ReleasePlan.load(fixture.plan());

        plan.agents().requireShared(plan.file(), fixture.workdir());

        assertThat(fixture.workdir().startsWith(shared)).isTrue();
    }

    @Test
    public void shouldRefuseAWorkDirectoryOutsideTheSharedDirectory() throws Exception {
        declareShared(shared.toString());
        ReleasePlan plan = ReleasePlan.load(fixture.plan());
        Path local = temp.newFolder("agent-1-workspace").toPath().resolve("day0/release");

        assertThatThrownBy(() -> plan.agents().requireShared(plan.file(), local)).isInstanceOf(InputException.class)
                .hasMessage(plan.file() + ": agents.shared_dir: the work directory " + local + " is not inside "
                        + shared + ": a stage on another agent could not read the run's state; give a --workdir "
                        + "in it");
    }

    @Test
    public void shouldRefuseAPlanOutsideTheSharedDirectory() throws Exception {
        Path elsewhere = temp.newFolder("elsewhere").toPath();
        ReleaseFixture outside = new ReleaseFixture(elsewhere);
        outside.ptq = fixture.ptq;
        outside.extra = "agents:\n  shared_dir: " + shared + "\n";
        ReleasePlan plan = ReleasePlan.load(outside.plan());

        assertThatThrownBy(() -> plan.agents().requireShared(plan.file(), shared.resolve("work")))
                .isInstanceOf(InputException.class).hasMessageContaining("agents.shared_dir: the plan is not "
                        + "inside " + shared);
    }

    @Test
    public void shouldRefuseASharedDirectoryThisMachineDoesNotHave() {
        declareShared("/no/such/shared/filesystem");
        ReleasePlan plan = ReleasePlan.load(fixture.plan());

        assertThatThrownBy(() -> plan.agents().requireShared(plan.file(), fixture.workdir()))
                .isInstanceOf(InputException.class).hasMessage(plan.file() + ": agents.shared_dir: "
                        + "/no/such/shared/filesystem is not a directory on this machine: mount the filesystem the "
                        + "plan's agents share there");
    }
}
