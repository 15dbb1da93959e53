package dev.day0.release.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.day0.io.InputException;
import dev.day0.release.ReleaseFixture;
import dev.day0.release.ReleasePlan;
import java.nio.file.Path;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LadderPlanTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    private static String candidate(String name, String recipe) {
        return "  - name: " + name + "\n    recipe: " + recipe + "\n    ptq:\n      runner: local\n"
                + "      command: [sh, stage.sh, summary.json]\n      timeout_seconds: 60\n"
                + "      evidence: {summary: \"{stage_dir}/summary.json\"}\n";
    }

    private Path plan(String ladder, String candidates) {
        fixture.file("release.yaml", fixture.header.replace("recipe: nvfp4\n", "") + ladder + "candidates:\n"
                + candidates + "stages:\n" + fixture.baseline + fixture.quantized);
        return fixture.dir.resolve("release.yaml");
    }

    @Test
    public void shouldBuildEachCandidateAsAReleasePlanWithItsRecipe() {
        LadderPlan plan = LadderPlan.load(plan("ladder: {mode: frontier, max_candidates: 1, budget_cents: 500}\n",
                candidate("small", "nvfp4") + candidate("large", "fp8")));

        assertThat(plan.mode()).isEqualTo(LadderPlan.Mode.FRONTIER);
        assertThat(plan.budgetCents()).isEqualTo(500L);
        assertThat(plan.tried()).extracting(LadderPlan.Candidate::name).containsExactly("small");
        ReleasePlan large = plan.plan(plan.candidates().get(1), null);
        assertThat(large.recipe()).isEqualTo("fp8");
        assertThat(large.name()).isEqualTo("fixture-large");
        assertThat(large.baselineEval().runner()).isEqualTo(ReleasePlan.Runner.LOCAL);
    }

    @Test
    public void shouldTurnTheBaselineEvalIntoAReuseOfAnEarlierCandidatesEvidence() {
        LadderPlan plan = LadderPlan.load(plan("", candidate("a", "nvfp4") + candidate("b", "fp8")));
        Path earlier = fixture.dir.resolve("work/candidates/0-a");

        ReleasePlan reusing = plan.plan(plan.candidates().get(1), earlier);

        assertThat(reusing.baselineEval().runner()).isEqualTo(ReleasePlan.Runner.REUSE);
        assertThat(reusing.baselineEval().evidence().scores().text())
                .isEqualTo(earlier.resolve("stages/baseline_eval") + "/scores.json");
        assertThat(plan.mode()).as("first is the default mode").isEqualTo(LadderPlan.Mode.FIRST);
    }

    @Test
    public void shouldNameTheCandidateAndFieldOfAMistake() {
        Path file = plan("", candidate("a", "nvfp4") + candidate("b", "nvfp9"));

        assertThatThrownBy(() -> LadderPlan.load(file)).isInstanceOf(InputException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("candidates[1] (b): recipe: unknown recipe \"nvfp9\"");
    }

    @Test
    public void shouldRefuseATopLevelRecipeBesideCandidates() {
        fixture.file("release.yaml", fixture.header + "candidates:\n" + candidate("a", "nvfp4") + "stages:\n"
                + fixture.baseline + fixture.quantized);

        assertThatThrownBy(() -> LadderPlan.load(fixture.dir.resolve("release.yaml")))
                .hasMessageContaining("recipe: a plan with candidates gives each candidate its recipe");
    }

    @Test
    public void shouldRefuseBadLadderSettings() {
        for (List<String> bad : List.of(
                List.of("ladder: {mode: best}\n", "ladder.mode: must be first or frontier"),
                List.of("ladder: {max_candidates: 0}\n", "ladder.max_candidates: must be between 1 and 100"),
                List.of("ladder: {budget_cents: -1}\n", "ladder.budget_cents: must be a whole number of cents"),
                List.of("ladder: {budget_cents: 2.5}\n", "ladder.budget_cents: must be a whole number of cents"),
                List.of("ladder: {budget: 5}\n", "ladder.budget: unknown field"))) {
            Path file = plan(bad.get(0), candidate("a", "nvfp4"));
            assertThatThrownBy(() -> LadderPlan.load(file)).as(bad.get(0)).hasMessageContaining(bad.get(1));
        }
    }

    @Test
    public void shouldRefuseTwoCandidatesOfOneName() {
        Path file = plan("", candidate("a", "nvfp4") + candidate("a", "fp8"));

        assertThatThrownBy(() -> LadderPlan.load(file))
                .hasMessageContaining("candidates[1].name: \"a\" is the name of an earlier candidate");
    }

    @Test
    public void shouldTellALadderFromAPlainPlan() {
        Path ladder = plan("", candidate("a", "nvfp4"));
        assertThat(LadderPlan.declares(ladder)).isTrue();

        assertThat(LadderPlan.declares(fixture.plan())).isFalse();
    }

    @Test
    public void shouldTakeOneApprovalPerStageOfOneCandidate() {
        fixture.file("job.sh", "#!/usr/bin/env bash\necho JOB_DONE\n");
        fixture.file("approved.json", "{}");
        String gpu = "  - name: gpu\n    recipe: fp8\n    ptq:\n      runner: rockie\n      script: job.sh\n"
                + "      gpu_type: A100_80GB\n      gpu_count: 1\n      region: us\n      tier: spot\n"
                + "      timeout_seconds: 3600\n      evidence: {summary: \"{stage_dir}/artifacts/summary.json\"}\n";
        LadderPlan plan = LadderPlan.load(plan("", candidate("a", "nvfp4") + gpu));
        String approved = fixture.dir.resolve("approved.json").toString();

        assertThat(plan.approvals(List.of("gpu:ptq=" + approved)).get("gpu").get("ptq"))
                .isEqualTo(Path.of(approved));
        assertThatThrownBy(() -> plan.approvals(List.of("gpu:ptq")))
                .hasMessageContaining("a ladder's approval is CANDIDATE:STAGE=FILE");
        assertThatThrownBy(() -> plan.candidateSheets(List.of("ptq=" + approved)))
                .hasMessageContaining("no candidate named \"ptq\"")
                .hasMessageContaining("a ladder's approval is CANDIDATE:STAGE=FILE or CANDIDATE=FILE");
        assertThat(plan.candidateSheets(List.of("gpu=" + approved, "gpu:ptq=" + approved)))
                .as("a candidate's sheet beside one stage's").containsOnlyKeys("gpu");
        assertThat(plan.approvals(List.of("gpu=" + approved))).isEmpty();
        assertThatThrownBy(() -> plan.approvals(List.of("b:ptq=" + approved)))
                .hasMessageContaining("no candidate named \"b\" (candidates: a, gpu)");
        assertThatThrownBy(() -> plan.approvals(List.of("a:ptq=" + approved)))
                .hasMessageContaining("ptq is not a rockie stage of candidate a");
        String dir = fixture.dir.toString();
        assertThatThrownBy(() -> plan.approvals(List.of("gpu:ptq=" + dir)))
                .hasMessageContaining(dir + ": is a directory, not an approval file (given with --approve gpu:ptq=");
        assertThatThrownBy(() -> plan.candidateSheets(List.of("gpu=" + dir + "/missing.json")))
                .hasMessageContaining("missing.json: file not found (given with --approve gpu=");
        assertThatThrownBy(() -> plan.approvals(List.of("gpu:ptq=" + approved, "gpu:ptq=" + approved)))
                .hasMessageContaining("two approvals for gpu:ptq");
    }
}
