package dev.day0.cli.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.release.ReleaseFixture;
import dev.day0.release.ReleasePlan;
import dev.day0.testing.CliRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ReleaseCommandTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    private ReleasePlan rockiePlan(String... stages) {
        for (String stage : stages) {
            String block = "  " + stage + ":\n    runner: rockie\n    script: job.sh\n    gpu_type: H100_SXM\n"
                    + "    gpu_count: 1\n    region: us-east-1\n    tier: standard\n    timeout_seconds: 3600\n"
                    + "    term_sheet: sheet.json\n    evidence: {run_summary: a.json, scores: b.json}\n";
            if (stage.equals("baseline_eval")) {
                fixture.baseline = block;
            } else {
                fixture.quantized = block;
            }
        }
        return ReleasePlan.load(fixture.plan());
    }

    @Test
    public void shouldGiveAnApprovalWithoutAStageToTheOnlyRockieStage() {
        fixture.file("approved.json", "{}");
        ReleasePlan plan = rockiePlan("quantized_eval");

        Map<String, Path> approvals = ReleaseCommand.approvals(plan, List.of(fixture.dir.resolve("approved.json")
                .toString()));

        assertThat(approvals).containsOnlyKeys("quantized_eval");
    }

    @Test
    public void shouldNeedTheStageWhenThePlanHasTwoRockieStages() {
        fixture.file("approved.json", "{}");
        ReleasePlan plan = rockiePlan("baseline_eval", "quantized_eval");
        String file = fixture.dir.resolve("approved.json").toString();

        assertThatThrownBy(() -> ReleaseCommand.approvals(plan, List.of(file)))
                .isInstanceOf(InputException.class).hasMessageContaining("write STAGE=FILE");
        assertThat(ReleaseCommand.approvals(plan, List.of("baseline_eval=" + file))).containsOnlyKeys(
                "baseline_eval");
    }

    @Test
    public void shouldRefuseAnApprovalForAStageThatIsNotOnRockie() {
        fixture.file("approved.json", "{}");
        ReleasePlan plan = rockiePlan("quantized_eval");
        String file = fixture.dir.resolve("approved.json").toString();

        assertThatThrownBy(() -> ReleaseCommand.approvals(plan, List.of("ptq=" + file)))
                .isInstanceOf(InputException.class).hasMessageContaining("ptq is not a rockie stage");
        assertThatThrownBy(() -> ReleaseCommand.approvals(plan, List.of(file, file)))
                .isInstanceOf(InputException.class).hasMessageContaining("one approved term sheet covers one");
        assertThatThrownBy(() -> ReleaseCommand.approvals(plan, List.of("quantized_eval=/no/such.json")))
                .isInstanceOf(InputException.class).hasMessageContaining("file not found");
    }

    @Test
    public void shouldExitTwoWithOneLineNamingTheFieldForABadPlan() {
        fixture.extra = "threshold: lots\n";

        CliRun run = CliRun.run(ReleaseFixture.env(), "release", "run", "--plan", fixture.plan().toString(),
                "--workdir", fixture.workdir().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().trim()).isEqualTo(fixture.plan() + ": threshold: must be a finite number, found "
                + "string \"lots\"");
        JsonNode out = Json.parse(run.out(), "stdout");
        assertThat(out.path("failure_class").asText()).isEqualTo("USER_CONFIG_ERROR");
        assertThat(fixture.runs()).isEmpty();
        assertThat(fixture.workdir()).doesNotExist();
    }

    @Test
    public void shouldExitTwoForAMissingPlan() {
        CliRun run = CliRun.run(ReleaseFixture.env(), "release", "run", "--plan", "/no/such/release.yaml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().trim()).isEqualTo("/no/such/release.yaml: file not found");
    }

    @Test
    public void shouldRefuseAnUnknownStageInTheTestHook() {
        CliRun run = CliRun.run(ReleaseFixture.env(ReleaseCommand.STOP_AFTER_STAGE, "ptq-gate"), "release", "run",
                "--plan", fixture.plan().toString(), "--workdir", fixture.workdir().toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not a stage: \"ptq-gate\"");
        assertThat(fixture.runs()).isEmpty();
    }

    /** A plan whose PTQ runs on agents labelled gpu, with the plan and the work directory in a shared directory. */
    private Path agentPlan() {
        fixture.ptq = fixture.ptq.replace("    runner: local\n", "    runner: local\n    agent: gpu\n");
        fixture.extra = "agents:\n  shared_dir: " + temp.getRoot() + "\n";
        return fixture.plan();
    }

    private CliRun step(Path plan, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("release", "step", "--plan", plan.toString(),
                "--workdir", fixture.workdir().toString()));
        args.addAll(List.of(more));
        return CliRun.run(ReleaseFixture.env(), args.toArray(String[]::new));
    }

    @Test
    public void shouldNameTheAgentLabelOfTheNextStageAndACommandThatRunsItThere() {
        Path plan = agentPlan();

        CliRun setup = step(plan);

        assertThat(setup.exitCode()).as(setup.toString()).isEqualTo(10);
        JsonNode next = Json.parse(setup.out(), "stdout").path("next");
        assertThat(next.path("stage").asText()).isEqualTo("ptq");
        assertThat(next.path("agent").asText()).isEqualTo("gpu");
        assertThat(next.path("command")).extracting(JsonNode::asText).containsExactly("release", "step", "--plan",
                plan.toAbsolutePath().normalize().toString(), "--workdir", fixture.workdir().toString(),
                "--expect-stage", "ptq");
        CliRun ptq = step(plan, "--expect-stage", "ptq");
        assertThat(ptq.exitCode()).as(ptq.toString()).isEqualTo(10);
        JsonNode gate = Json.parse(ptq.out(), "stdout").path("next");
        assertThat(gate.path("stage").asText()).isEqualTo("ptq_gate");
        assertThat(gate.has("agent")).isFalse();
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    @Test
    public void shouldRunEveryStageHereOnReleaseRunWhateverTheAgentLabels() throws Exception {
        Path plan = agentPlan();
        Path elsewhere = temp.newFolder("not-shared").toPath().resolve("work");

        CliRun run = CliRun.run(ReleaseFixture.env(), "release", "run", "--plan", plan.toString(), "--workdir",
                elsewhere.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldRunNothingWhenTheExpectedStageIsNotTheRunsNext() {
        Path plan = agentPlan();
        step(plan);

        CliRun run = step(plan, "--expect-stage", "baseline_eval");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().trim()).isEqualTo("--expect-stage: the run's next stage is ptq, not baseline_eval: "
                + "nothing was run");
        assertThat(fixture.runs()).isEmpty();
    }

    @Test
    public void shouldRefuseToStartARunOnAnAgentThatDoesNotSeeTheSharedState() {
        Path plan = agentPlan();

        CliRun run = step(plan, "--expect-stage", "ptq");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().trim()).startsWith(fixture.workdir().resolve("state.json") + ": no run here on this "
                + "machine, though --expect-stage ptq continues one: the work directory is not shared");
        assertThat(fixture.workdir().resolve("state.json")).doesNotExist();
        assertThat(fixture.runs()).isEmpty();
    }

    @Test
    public void shouldRefuseAWorkDirectoryOutsideTheSharedDirectoryInOneLine() throws Exception {
        Path plan = agentPlan();
        Path elsewhere = java.nio.file.Files.createTempDirectory("day0-not-shared");
        try {
            CliRun run = CliRun.run(ReleaseFixture.env(), "release", "step", "--plan", plan.toString(), "--workdir",
                    elsewhere.resolve("work").toString(), "--peek");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().trim()).isEqualTo(plan.toAbsolutePath().normalize() + ": agents.shared_dir: the "
                    + "work directory " + elsewhere.resolve("work") + " is not inside " + temp.getRoot()
                    + ": a stage on another agent could not read the run's state; give a --workdir in it");
            assertThat(elsewhere.resolve("work")).doesNotExist();
        } finally {
            java.nio.file.Files.deleteIfExists(elsewhere);
        }
    }

    @Test
    public void shouldDocumentTheExitCodesInItsHelp() {
        CliRun run = CliRun.run("release", "run", "--help");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out().replaceAll("\\s+", " ")).contains("Exit codes: 0 ACCEPT:", " 1 REGRESSION:",
                " 2 BAD_INPUT:", " 3 ANOMALOUS:", " 4 INFEASIBLE:", " 5 NEEDS_HUMAN:", " 6 SYSTEMIC:", " 70 INTERNAL:");
    }
}
