package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.core.Stage;
import dev.day0.io.InputException;
import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ReleaseStateTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleasePlan plan;
    private Path workdir;

    @Before
    public void setUp() throws Exception {
        plan = ReleasePlan.load(new ReleaseFixture(temp.newFolder("plan").toPath()).plan());
        workdir = temp.getRoot().toPath().resolve("work");
    }

    @Test
    public void shouldStartWithEveryStagePending() {
        ReleaseState state = ReleaseState.create(workdir, plan, "test");

        assertThat(state.nextStage()).isEqualTo(Stage.SETUP);
        assertThat(state.lastCompleted()).isNull();
        assertThat(state.planSha256()).isEqualTo(plan.sha256());
    }

    @Test
    public void shouldSurviveASaveAndLoad() {
        ReleaseState state = ReleaseState.create(workdir, plan, "test");
        state.begin(Stage.SETUP);
        state.end(Stage.SETUP, ReleaseState.StageStatus.COMPLETED, StepResult.ok("fine").result(), 0.5);
        state.begin(Stage.PTQ);
        state.output(Stage.PTQ, "log", workdir.resolve("logs/ptq.log"));
        state.save(Redactor.patternsOnly());

        ReleaseState loaded = ReleaseState.load(workdir);

        assertThat(loaded.lastCompleted()).isEqualTo(Stage.SETUP);
        assertThat(loaded.stageStatus(Stage.PTQ)).isEqualTo(ReleaseState.StageStatus.RUNNING);
        assertThat(loaded.runs(Stage.PTQ)).isEqualTo(1);
        assertThat(loaded.output(Stage.PTQ, "log")).isEqualTo(workdir.resolve("logs/ptq.log"));
        assertThat(loaded.result(Stage.SETUP).path("detail").asText()).isEqualTo("fine");
    }

    @Test
    public void shouldCountRunsAndTriesSeparately() {
        ReleaseState state = ReleaseState.create(workdir, plan, "test");
        state.begin(Stage.PTQ);
        state.begin(Stage.PTQ);
        state.resetTries(Stage.PTQ);
        state.begin(Stage.PTQ);

        assertThat(state.runs(Stage.PTQ)).isEqualTo(3);
        assertThat(state.tries(Stage.PTQ)).isEqualTo(1);
    }

    @Test
    public void shouldSkipCompletedAndSkippedStagesWhenFindingTheNextOne() {
        ReleaseState state = ReleaseState.create(workdir, plan, "test");
        state.stageStatus(Stage.SETUP, ReleaseState.StageStatus.COMPLETED);
        state.stageStatus(Stage.PTQ, ReleaseState.StageStatus.COMPLETED);
        state.stageStatus(Stage.PTQ_GATE, ReleaseState.StageStatus.COMPLETED);
        for (Stage stage : Stage.PTQ_GATE.laterUntilCloseout()) {
            state.stageStatus(stage, ReleaseState.StageStatus.SKIPPED);
        }

        assertThat(state.nextStage()).isEqualTo(Stage.CLOSEOUT);
    }

    @Test
    public void shouldWriteNoSecretIntoTheStateFile() throws Exception {
        ReleaseState state = ReleaseState.create(workdir, plan, "test");
        state.begin(Stage.PTQ);
        state.end(Stage.PTQ, ReleaseState.StageStatus.FAILED, StepResult.failed(
                dev.day0.core.FailureClass.UNKNOWN, "failed with token hf_abcdefghijklmnopqrstuvwxyz").result(), 1);
        state.save(Redactor.patternsOnly());

        assertThat(Files.readString(state.file())).doesNotContain("hf_abcdefghijklmnopqrstuvwxyz");
    }

    @Test
    public void shouldRefuseAFileThatIsNotADay0State() throws Exception {
        Files.createDirectories(workdir);
        Files.writeString(workdir.resolve("state.json"), "{\"schema\": \"something-else\"}");

        assertThatThrownBy(() -> ReleaseState.load(workdir)).isInstanceOf(InputException.class)
                .hasMessageContaining("state.json: schema: is not day0.release-state/1");
    }

    @Test
    public void shouldRefuseAStateWithAnUnknownStageStatus() throws Exception {
        ReleaseState state = ReleaseState.create(workdir, plan, "test");
        state.save(Redactor.patternsOnly());
        Files.writeString(state.file(), Files.readString(state.file()).replaceFirst("\"pending\"", "\"halfway\""));

        assertThatThrownBy(() -> ReleaseState.load(workdir)).isInstanceOf(InputException.class)
                .hasMessageContaining("stages.setup.status: unknown status \"halfway\"");
    }

    @Test
    public void shouldNameTheVersionThatWroteAStateWithoutTheNewerStages() throws Exception {
        ReleaseState state = ReleaseState.create(workdir, plan, "0.4.0");
        state.save(Redactor.patternsOnly());
        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode)
                dev.day0.io.Json.read(state.file());
        ((com.fasterxml.jackson.databind.node.ObjectNode) old.get("stages")).remove(List.of("canary", "canary_gate",
                "verbosity"));
        Files.writeString(state.file(), dev.day0.io.Json.write(old));

        assertThatThrownBy(() -> ReleaseState.load(workdir)).isInstanceOf(InputException.class)
                .hasMessageContaining("state.json: stages.canary: is missing: this state was written by day0 0.4.0, "
                        + "which did not know the canary stage; finish the run with that version, or start it again "
                        + "in a new work directory");
    }
}
