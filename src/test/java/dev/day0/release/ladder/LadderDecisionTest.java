package dev.day0.release.ladder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import dev.day0.release.ReleaseFixture;
import dev.day0.triage.Decision;
import java.util.ArrayList;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The ladder's decision rule on recorded candidate outcomes, and the frontier chart drawn from them. */
public class LadderDecisionTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;
    private final List<ObjectNode> entries = new ArrayList<>();

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    private LadderPlan plan(String mode) {
        StringBuilder candidates = new StringBuilder();
        for (ObjectNode entry : entries) {
            candidates.append("  - name: ").append(entry.path("name").asText()).append("\n    recipe: nvfp4\n")
                    .append("    ptq:\n      runner: local\n      command: [sh, stage.sh, summary.json]\n")
                    .append("      timeout_seconds: 60\n      evidence: {summary: \"{stage_dir}/summary.json\"}\n");
        }
        fixture.file("release.yaml", fixture.header.replace("recipe: nvfp4\n", "") + "ladder: {mode: " + mode
                + "}\ncandidates:\n" + candidates + "stages:\n" + fixture.baseline + fixture.quantized);
        return LadderPlan.load(fixture.dir.resolve("release.yaml"));
    }

    private void entry(String name, String decision, Double sizeRatio, Double worstDrop, String failureClass) {
        ObjectNode entry = Json.object();
        entry.put("index", entries.size());
        entry.put("name", name);
        entry.put("recipe", "nvfp4");
        entry.put("started", true);
        entry.put("decision", decision);
        entry.put("failure_class", failureClass);
        entry.put("threshold", 0.01);
        if (sizeRatio != null) {
            entry.put("size_ratio", sizeRatio);
        }
        if (worstDrop != null) {
            entry.put("worst_drop", worstDrop);
            entry.put("worst_task", "gsm8k");
        }
        entries.add(entry);
    }

    @Test
    public void shouldChooseTheSmallestAcceptingCheckpointAndTheEarlierOnATie() {
        entry("a", "REGRESSION", 0.25, 0.03, null);
        entry("b", "ACCEPT", 0.5, 0.004, null);
        entry("c", "ACCEPT", 0.4, 0.008, null);
        entry("d", "ACCEPT", 0.4, 0.001, null);

        LadderDecision decision = LadderDecision.decide(plan("frontier"), entries, null, null);

        assertThat(decision.decision()).isEqualTo(Decision.ACCEPT);
        assertThat(decision.chosen().path("name").asText()).isEqualTo("c");
        assertThat(decision.detail()).contains("the smallest checkpoint of the 3 that ACCEPT");
    }

    @Test
    public void shouldTakeTheFirstAcceptingCandidateInFirstMode() {
        entry("a", "ACCEPT", 0.5, 0.004, null);
        entry("b", "ACCEPT", 0.3, 0.002, null);

        assertThat(LadderDecision.decide(plan("first"), entries, null, null).chosen().path("name").asText())
                .isEqualTo("a");
    }

    @Test
    public void shouldNameTheClosestRegressionWhenNoneAccepts() {
        entry("a", "INFEASIBLE", null, null, "QUANT_COVERAGE_FAILURE");
        entry("b", "REGRESSION", 0.3, 0.027, null);
        entry("c", "REGRESSION", 0.5, 0.012, null);

        LadderDecision decision = LadderDecision.decide(plan("frontier"), entries, null, null);

        assertThat(decision.decision()).isEqualTo(Decision.REGRESSION);
        assertThat(decision.closest().path("name").asText()).isEqualTo("c");
        assertThat(decision.detail()).contains("no candidate ACCEPTs (3 tried)", "worst drop 1.20 points on gsm8k");
    }

    @Test
    public void shouldBeInfeasibleWhenNoCandidateWasFeasible() {
        entry("a", "INFEASIBLE", null, null, "MODEL_UNSUPPORTED");
        entry("b", "INFEASIBLE", null, null, "CHECKPOINT_NOT_SERVABLE");

        LadderDecision decision = LadderDecision.decide(plan("first"), entries, null, null);

        assertThat(decision.decision()).isEqualTo(Decision.INFEASIBLE);
        assertThat(decision.detail()).isEqualTo("no candidate was feasible: a INFEASIBLE (MODEL_UNSUPPORTED); "
                + "b INFEASIBLE (CHECKPOINT_NOT_SERVABLE)");
    }

    @Test
    public void shouldLetAStoppingCandidateDecideEvenAfterAnEarlierAccept() {
        entry("a", "ACCEPT", 0.5, 0.004, null);
        entry("b", "SYSTEMIC", null, null, "SYSTEMIC");

        LadderDecision decision = LadderDecision.decide(plan("frontier"), entries, Decision.SYSTEMIC, "b stopped");

        assertThat(decision.decision()).isEqualTo(Decision.SYSTEMIC);
        assertThat(decision.failureClass()).isEqualTo("SYSTEMIC");
        assertThat(decision.chosen()).isNull();
    }

    @Test
    public void shouldDrawEveryComparedCandidateAndRingTheChosenOne() {
        entry("a", "REGRESSION", 0.3, 0.027, null);
        entry("b", "ACCEPT", 0.6, 0.005, null);
        entry("c", "INFEASIBLE", null, null, "MODEL_UNSUPPORTED");
        LadderPlan plan = plan("first");
        LadderDecision decision = LadderDecision.decide(plan, entries, null, null);

        String svg = new LadderReport(plan, dev.day0.redact.Redactor.patternsOnly()).svg(entries, decision);

        assertThat(svg.split("class=\"candidate\"", -1)).as("one point per compared candidate").hasSize(3);
        assertThat(svg).contains("id=\"chosen\"", "id=\"threshold-band\"", "threshold 1.00 points",
                "a (REGRESSION)", "b (ACCEPT)").doesNotContain("c (INFEASIBLE)");
    }
}
