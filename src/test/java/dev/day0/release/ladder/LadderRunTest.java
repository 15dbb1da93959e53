package dev.day0.release.ladder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import dev.day0.release.Conductor;
import dev.day0.release.ReleaseFixture;
import dev.day0.release.Terminal;
import dev.day0.testing.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The recipe ladder in this JVM: candidates run by real Conductors on the fixture's local stage script. */
public class LadderRunTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;
    private final List<String> candidates = new ArrayList<>();
    private String ladder = "ladder: {mode: first}\n";

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    /** A local candidate whose PTQ summary and quantized scores are its own files. */
    private void candidate(String name, double mmlu, double gsm8k, long outputBytes, String extraPtq) {
        fixture.file("summary-" + name + ".json", ReleaseFixture.GOOD_SUMMARY.replace("4600",
                String.valueOf(outputBytes)));
        fixture.run("q-" + name, mmlu, gsm8k);
        candidates.add("  - name: " + name + "\n    recipe: nvfp4\n    ptq:\n      runner: local\n"
                + "      command: [sh, stage.sh, summary-" + name + ".json]\n      timeout_seconds: 60\n" + extraPtq
                + "      evidence: {summary: \"{stage_dir}/summary-" + name + ".json\"}\n"
                + "    quantized_eval:\n      runner: local\n      command: [sh, stage.sh, q-" + name
                + "/run-summary.json, q-" + name + "/scores.json]\n      timeout_seconds: 60\n"
                + "      evidence: {run_summary: \"{stage_dir}/run-summary.json\", scores: \"{stage_dir}/scores.json\"}\n");
    }

    private Path plan() {
        String text = fixture.header.replace("recipe: nvfp4\n", "") + ladder + "candidates:\n"
                + String.join("", candidates) + "stages:\n" + fixture.baseline;
        fixture.file("release.yaml", text);
        return fixture.dir.resolve("release.yaml");
    }

    private CliRun run(boolean resume, LadderRun.CandidateHook hook) {
        return run(resume, hook, ReleaseFixture.env());
    }

    private CliRun run(boolean resume, LadderRun.CandidateHook hook, Map<String, String> env) {
        StringWriter err = new StringWriter();
        LadderRun.Options options = new LadderRun.Options(fixture.workdir(), resume, Map.of(), Map.of(), Terminal.NONE,
                stage -> { }, pause -> { }, false, hook);
        Conductor.Outcome outcome = new LadderRun(LadderPlan.load(plan()), options, env,
                Redactor.fromEnvironment(env), new PrintWriter(err, true), "test").run();
        return CliRun.of(outcome.exitCode(), Json.write(outcome.summary()) + "\n", err.toString());
    }

    private CliRun run() {
        return run(false, index -> { });
    }

    private JsonNode decision() {
        return Json.read(fixture.workdir().resolve("decision.json"));
    }

    private long runsOf(String stage) {
        return fixture.runs().stream().filter(line -> line.startsWith(stage + " ")).count();
    }

    @Test
    public void shouldStopAtTheFirstCandidateThatAccepts() {
        candidate("small", 69.8, 79.9, 4000, "");
        candidate("large", 70.0, 80.0, 8000, "");

        CliRun run = run();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(decision().path("chosen").path("name").asText()).isEqualTo("small");
        assertThat(runsOf("ptq")).as("the second candidate is never started").isEqualTo(1);
        assertThat(decision().path("candidates").get(1).path("status").asText()).isEqualTo("not tried");
        assertThat(fixture.workdir().resolve("candidates/1-large")).doesNotExist();
    }

    @Test
    public void shouldAcceptTheLastCandidateRunningTheBaselineEvalOnce() {
        candidate("nvfp4", 67.0, 80.0, 4000, "");
        candidate("nvfp4-mlp", 68.0, 80.0, 6000, "");
        candidate("fp8", 69.9, 79.9, 8000, "");

        CliRun run = run();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(decision().path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(decision().path("chosen").path("name").asText()).isEqualTo("fp8");
        assertThat(runsOf("baseline_eval")).as("one baseline eval for three candidates").isEqualTo(1);
        assertThat(runsOf("quantized_eval")).isEqualTo(3);
        assertThat(decision().path("candidates").get(2).path("baseline_from").asText())
                .endsWith("candidates/0-nvfp4");
        assertThat(fixture.workdir().resolve("report.html")).content().contains("id=\"frontier\"", "fp8 (ACCEPT)");
    }

    @Test
    public void shouldReportRegressionNamingTheClosestCandidateWhenNonePasses() {
        candidate("a", 67.0, 80.0, 4000, "");
        candidate("b", 68.5, 80.0, 6000, "");

        CliRun run = run();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(decision().path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(decision().path("closest").path("name").asText()).isEqualTo("b");
        assertThat(decision().path("detail").asText()).contains("the closest is candidate 1 (b");
    }

    @Test
    public void shouldMoveOnFromAnInfeasibleCandidateAndRunTheBaselineForTheNext() {
        candidate("broken", 70.0, 80.0, 4000, "");
        fixture.file("summary-broken.json", ReleaseFixture.GOOD_SUMMARY.replace("\"unexpected_unquantized\": 0",
                "\"unexpected_unquantized\": 3"));
        candidate("fp8", 69.9, 79.9, 8000, "");

        CliRun run = run();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        JsonNode first = decision().path("candidates").get(0);
        assertThat(first.path("decision").asText()).isEqualTo("INFEASIBLE");
        assertThat(first.path("failure_class").asText()).isEqualTo("QUANT_COVERAGE_FAILURE");
        assertThat(decision().path("chosen").path("name").asText()).isEqualTo("fp8");
        assertThat(runsOf("baseline_eval")).as("the infeasible candidate never reached its baseline eval")
                .isEqualTo(1);
        assertThat(decision().path("candidates").get(1).path("baseline_from").isNull()).isTrue();
    }

    @Test
    public void shouldChooseTheSmallestAcceptingCheckpointInFrontierMode() {
        ladder = "ladder: {mode: frontier}\n";
        candidate("a", 67.0, 80.0, 3000, "");
        candidate("b", 69.9, 80.0, 9000, "");
        candidate("c", 69.8, 79.9, 5000, "");

        CliRun run = run();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(runsOf("quantized_eval")).as("frontier evaluates every candidate").isEqualTo(3);
        assertThat(decision().path("chosen").path("name").asText()).isEqualTo("c");
    }

    @Test
    public void shouldStopTheLadderOnASystemicFailure() {
        candidate("a", 67.0, 80.0, 4000, "");
        candidate("b", 69.9, 79.9, 6000, "      env: {EXIT_CODE: \"75\"}\n");
        candidate("c", 69.9, 79.9, 8000, "");

        CliRun run = run();

        assertThat(decision().path("decision").asText()).as(run.toString()).isEqualTo("SYSTEMIC");
        assertThat(run.exitCode()).isEqualTo(6);
        assertThat(decision().path("detail").asText()).contains("candidate 1 (b) ended SYSTEMIC");
        assertThat(decision().path("candidates").get(2).path("status").asText()).isEqualTo("not tried");
    }

    @Test
    public void shouldStopWithNeedsHumanBeforeACandidateWhoseQuotePassesTheBudget() {
        ladder = "ladder: {mode: first, budget_cents: 0}\n";
        candidate("a", 67.0, 80.0, 4000, "");
        fixture.file("job.sh", "#!/usr/bin/env bash\necho JOB_DONE\n");
        fixture.file("quote.json", quote());
        candidates.add("  - name: gpu\n    recipe: fp8\n    ptq:\n      runner: rockie\n      script: job.sh\n"
                + "      gpu_type: A100_80GB\n      gpu_count: 1\n      region: us\n      tier: spot\n"
                + "      timeout_seconds: 3600\n      term_sheet: quote.json\n"
                + "      evidence: {summary: \"{stage_dir}/artifacts/summary.json\"}\n"
                + "    quantized_eval:\n      runner: local\n      command: [sh, stage.sh, q-a/run-summary.json, "
                + "q-a/scores.json]\n      timeout_seconds: 60\n"
                + "      evidence: {run_summary: \"{stage_dir}/run-summary.json\", scores: \"{stage_dir}/scores.json\"}\n");

        CliRun run = run();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("decision").asText()).isEqualTo("NEEDS_HUMAN");
        dev.day0.rockie.TermSheet sheet = dev.day0.rockie.TermSheet.read(fixture.dir.resolve("quote.json"),
                Redactor.patternsOnly());
        String quoted = LadderReport.dollars(sheet.userBudgetCents() != null ? sheet.userBudgetCents()
                : sheet.recommendedBudgetCents());
        assertThat(decision().path("detail").asText()).contains("candidate 1 (gpu) was not started", quoted,
                "over ladder.budget_cents $0.00");
        assertThat(decision().path("resumable").asBoolean()).isTrue();
        assertThat(fixture.workdir().resolve("candidates/1-gpu")).doesNotExist();

        ladder = "ladder: {mode: first, budget_cents: 1000000}\n";
        CliRun raised = run(true, index -> { });

        assertThat(raised.err()).as("raising the budget does not refuse the resume").doesNotContain("changed since");
        JsonNode gpu = decision().path("candidates").get(1);
        assertThat(gpu.path("started").asBoolean()).isTrue();
        assertThat(LadderReport.dollars(gpu.path("quoted_cents").asLong())).isEqualTo(quoted);
        assertThat(decision().path("detail").asText()).as("its setup finds no Rockie credentials here")
                .contains("candidate 1 (gpu) ended SYSTEMIC before a verdict", "nothing was run");
        assertThat(runsOf("ptq")).as("candidate a's work was not repeated").isEqualTo(1);
    }

    /** A term sheet as {@code day0 rockie quote} writes one. */
    private String quote() {
        Path market = Path.of("src", "test", "resources", "reference", "rockie", "budget-term-sheet-fixtures",
                "market_available.json").toAbsolutePath();
        fixture.file("spec.json", "{\"job_shape\": \"ptq_eval\", \"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, "
                + "\"region\": \"us\", \"tier\": \"spot\", \"wallclock_minutes\": 60}");
        Path out = fixture.dir.resolve("quote-made.json");
        CliRun quote = CliRun.run(ReleaseFixture.env(), "rockie", "quote", "--job-spec",
                fixture.dir.resolve("spec.json").toString(), "--market-json", market.toString(), "--out",
                out.toString());
        assertThat(quote.exitCode()).as(quote.toString()).isEqualTo(0);
        try {
            return Files.readString(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    public void shouldResumeAfterAKillBetweenCandidatesWithoutRepeatingWork() {
        candidate("a", 67.0, 80.0, 4000, "");
        candidate("b", 69.9, 79.9, 6000, "");
        plan();

        assertThatThrownBy(() -> run(false, index -> {
            throw new IllegalStateException("killed after candidate " + index);
        })).hasMessageContaining("killed after candidate 0");
        List<String> before = fixture.runs();
        assertThat(Json.read(fixture.workdir().resolve("ladder.json")).path("status").asText()).isEqualTo("running");

        CliRun resumed = run(true, index -> { });

        assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(0);
        assertThat(decision().path("chosen").path("name").asText()).isEqualTo("b");
        List<String> after = fixture.runs();
        assertThat(after.subList(0, before.size())).isEqualTo(before);
        assertThat(after.subList(before.size(), after.size())).as("only candidate b's own work ran")
                .containsExactly("ptq 1", "quantized_eval 1");
        assertThat(runsOf("baseline_eval")).isEqualTo(1);
    }

    @Test
    public void shouldRefuseToStartOverAnUnfinishedLadder() {
        candidate("a", 67.0, 80.0, 4000, "");
        candidate("b", 69.9, 79.9, 6000, "");
        plan();
        assertThatThrownBy(() -> run(false, index -> {
            throw new IllegalStateException("killed");
        })).isInstanceOf(IllegalStateException.class);

        assertThatThrownBy(this::run).hasMessageContaining("an unfinished ladder is here")
                .hasMessageContaining("--resume");
    }

    @Test
    public void shouldRefuseABadCandidateAtTheCommandLineBeforeAnythingRuns() {
        candidate("a", 67.0, 80.0, 4000, "");
        candidate("b", 69.9, 79.9, 6000, "");
        Path file = plan();
        fixture.file("release.yaml", readPlan(file).replace("- name: b\n    recipe: nvfp4",
                "- name: b\n    recipe: nvfp5"));

        CliRun run = CliRun.run(ReleaseFixture.env(), "release", "run", "--plan", file.toString(), "--workdir",
                fixture.workdir().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(file + ": candidates[1] (b): recipe: unknown recipe \"nvfp5\"");
        assertThat(fixture.runs()).isEmpty();
    }

    private static String readPlan(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
