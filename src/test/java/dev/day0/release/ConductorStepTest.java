package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Stage;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
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

/** {@code release step} in-process: the conductor one stage per call, with the run's state in the work directory. */
public class ConductorStepTest {
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    private static Conductor conductor(Path plan, Path workdir, Conductor.StopHook hook) {
        Conductor.Options options = new Conductor.Options(workdir, false, Map.of(), Terminal.NONE, hook,
                pause -> { });
        return new Conductor(ReleasePlan.load(plan), options, ReleaseFixture.env(), Redactor.patternsOnly(),
                new PrintWriter(new StringWriter()), "test");
    }

    private static StepReport step(Path plan, Path workdir) {
        return conductor(plan, workdir, stage -> { }).step();
    }

    /** Steps until closeout ran; the stages each call ran, in order, and the final report. */
    private static List<StepReport> stepThrough(Path plan, Path workdir) {
        List<StepReport> reports = new ArrayList<>();
        for (int call = 0; call < 30; call++) {
            StepReport report = step(plan, workdir);
            reports.add(report);
            if (report.done()) {
                return reports;
            }
        }
        throw new AssertionError("no decision after 30 steps");
    }

    private static List<String> ran(List<StepReport> reports) {
        return reports.stream().map(report -> report.ran().key()).toList();
    }

    private static Conductor.Outcome runWhole(Path plan, Path workdir) {
        return conductor(plan, workdir, stage -> { }).run();
    }

    /**
     * Every example ends the same one stage at a time, through {@code release step} at the command line (in this
     * JVM), as in one {@code run}: decision, failure class, exit code, and the meaning of that code in the answer.
     */
    @Test
    public void shouldReachTheDecisionOfAWholeRunForEveryExampleOneStageAtATime() throws Exception {
        for (String example : List.of("quickstart", "regression", "infeasible")) {
            Path plan = EXAMPLES.resolve(example).resolve("release.yaml");
            Conductor.Outcome whole = runWhole(plan, temp.newFolder(example + "-run").toPath());

            String workdir = temp.newFolder(example + "-steps").toString();
            CliRun last = null;
            for (int call = 0; call < 30 && (last == null || last.exitCode() == ReleaseExit.CONTINUE.code()); call++) {
                last = CliRun.run(ReleaseFixture.env(), "release", "step", "--plan", plan.toString(), "--workdir",
                        workdir);
            }

            JsonNode answer = Json.parse(last.out(), "stdout");
            assertThat(answer.path("done").asBoolean()).as(example + ": " + last).isTrue();
            assertThat(last.exitCode()).as(example + ": " + last).isEqualTo(whole.exitCode());
            assertThat(answer.path("exit").path("code").asInt()).as(example).isEqualTo(whole.exitCode());
            assertThat(answer.path("decision").path("decision").asText()).as(example)
                    .isEqualTo(whole.decision().name());
            assertThat(answer.path("decision").path("failure_class")).as(example)
                    .isEqualTo(whole.summary().path("failure_class"));
        }
    }

    @Test
    public void shouldRunOneStageOfTheChainPerCallAndNameTheNext() {
        List<StepReport> steps = stepThrough(fixture.plan(), fixture.workdir());

        assertThat(ran(steps)).containsExactly("setup", "ptq", "ptq_gate", "baseline_eval", "baseline_gate",
                "quantized_eval", "quantized_gate", "compare", "closeout");
        assertThat(steps.get(0).next()).isEqualTo(Stage.PTQ);
        assertThat(steps.get(7).next()).isEqualTo(Stage.CLOSEOUT);
        assertThat(steps.get(8).outcome().decision().name()).isEqualTo("ACCEPT");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldNameTheStageTheNextCallRunsWithoutRunningOrWritingAnything() {
        Path plan = fixture.plan();

        assertThat(conductor(plan, fixture.workdir(), stage -> { }).peek()).isEqualTo(Stage.SETUP);
        assertThat(fixture.workdir().resolve("state.json")).doesNotExist();
        for (int call = 0; call < 9; call++) {
            Stage peeked = conductor(plan, fixture.workdir(), stage -> { }).peek();
            StepReport report = step(plan, fixture.workdir());
            assertThat(report.ran()).isEqualTo(peeked);
        }
        assertThat(conductor(plan, fixture.workdir(), stage -> { }).peek()).as("a new round over the finished run")
                .isEqualTo(Stage.PTQ_GATE);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldStopAtTheFailedGateAndCloseOutNext() {
        fixture.file("summary.json", """
                {"source_bytes": 16000, "output_bytes": 16100, "recipe": "nvfp4",
                 "layer_precision_counts": {"NVFP4": 0, "excluded": 15}, "metadata_diffs": []}
                """);

        List<StepReport> steps = stepThrough(fixture.plan(), fixture.workdir());

        assertThat(ran(steps)).containsExactly("setup", "ptq", "ptq_gate", "closeout");
        assertThat(steps.get(2).result().pass()).isFalse();
        assertThat(steps.get(3).outcome().decision().name()).isEqualTo("INFEASIBLE");
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    @Test
    public void shouldCloseOutRightAfterAStageThatProducedNoEvidence() {
        fixture.ptq = fixture.ptq.replace("[sh, stage.sh, summary.json]", "[sh, -c, \"exit 3\"]");

        List<StepReport> steps = stepThrough(fixture.plan(), fixture.workdir());

        assertThat(ran(steps)).containsExactly("setup", "ptq", "closeout");
        assertThat(steps.get(1).next()).isEqualTo(Stage.CLOSEOUT);
        assertThat(steps.get(2).outcome().decision().name()).isEqualTo("NEEDS_HUMAN");
        assertThat(Json.read(fixture.workdir().resolve("state.json")).path("status").asText()).isEqualTo("stopped");
    }

    @Test
    public void shouldRepeatNoWorkWhenACallIsKilledAtAnyStageBoundary() throws Exception {
        for (Stage stop : Stage.chain().stream().filter(stage -> !stage.optional()).toList()) {
            fixture = new ReleaseFixture(temp.newFolder("kill-" + stop.key()).toPath());
            Path plan = fixture.plan();
            List<String> ran = new ArrayList<>();
            boolean killed = false;
            for (int call = 0; call < 30; call++) {
                Conductor.StopHook hook = stage -> {
                    if (stage == stop && !ran.contains("killed")) {
                        ran.add("killed");
                        throw new ConductorTest.Killed();
                    }
                };
                try {
                    StepReport report = conductor(plan, fixture.workdir(), hook).step();
                    if (report.done()) {
                        assertThat(report.outcome().decision().name()).as(stop.key()).isEqualTo("ACCEPT");
                        break;
                    }
                } catch (ConductorTest.Killed e) {
                    killed = true;
                }
            }

            assertThat(killed).as(stop.key()).isTrue();
            assertThat(fixture.runs()).as(stop.key()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
        }
    }

    @Test
    public void shouldRefuseToGoOnWhenEvidenceAnEarlierCallRecordedHasChanged() {
        Path plan = fixture.plan();
        for (int call = 0; call < 5; call++) {
            step(plan, fixture.workdir());
        }
        Path scores = fixture.workdir().resolve("evidence/baseline_gate/scores.json");
        assertThat(scores).isRegularFile();
        fixture.file("edited.json", "{\"mmlu\": 99, \"gsm8k\": 99}\n");
        try {
            Files.copy(fixture.dir.resolve("edited.json"), scores, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        assertThatThrownBy(() -> step(plan, fixture.workdir())).isInstanceOf(InputException.class)
                .hasMessageContaining("has changed").hasMessageContaining("baseline_gate");
    }

    @Test
    public void shouldJudgeEveryGateAgainAtCloseoutInsteadOfTrustingStateBetweenCalls() {
        fixture.run("quantized", 67.0, 79.9);
        Path plan = fixture.plan();
        StepReport report;
        do {
            report = step(plan, fixture.workdir());
        } while (report.next() != Stage.CLOSEOUT);
        Path stateFile = fixture.workdir().resolve("state.json");
        ObjectNode state = (ObjectNode) Json.read(stateFile);
        ObjectNode compare = (ObjectNode) state.path("stages").path("compare").path("result");
        compare.put("pass", true);
        compare.put("decision", "ACCEPT");
        fixture.file("forged-state.json", Json.write(state));
        try {
            Files.copy(fixture.dir.resolve("forged-state.json"), stateFile,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        StepReport closeout = step(plan, fixture.workdir());

        assertThat(closeout.done()).isTrue();
        assertThat(closeout.outcome().decision().name()).isEqualTo("REGRESSION");
    }

    @Test
    public void shouldStartANewRoundOverAFinishedRunWithoutRedoingWork() {
        Path plan = fixture.plan();
        stepThrough(plan, fixture.workdir());

        List<StepReport> again = stepThrough(plan, fixture.workdir());

        assertThat(ran(again)).containsExactly("ptq_gate", "baseline_gate", "quantized_gate", "compare", "closeout");
        assertThat(again.get(again.size() - 1).outcome().decision().name()).isEqualTo("ACCEPT");
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldAnswerEachStepAtTheCommandLineWithWhatRanAndWhatComesNext() {
        List<String> args = List.of("release", "step", "--plan", fixture.plan().toString(), "--workdir",
                fixture.workdir().toString());
        CliRun first = CliRun.run(ReleaseFixture.env(), args.toArray(new String[0]));

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(ReleaseExit.CONTINUE.code());
        JsonNode answer = Json.parse(first.out(), "stdout");
        assertThat(answer.path("done").asBoolean()).isFalse();
        assertThat(answer.path("ran").path("stage").asText()).isEqualTo("setup");
        assertThat(answer.path("ran").path("pass").asBoolean()).isTrue();
        assertThat(answer.path("next").path("action").asText()).isEqualTo("run");
        assertThat(answer.path("next").path("stage").asText()).isEqualTo("ptq");
        assertThat(answer.path("next").path("command")).extracting(JsonNode::asText)
                .containsExactly("release", "step", "--plan", fixture.plan().toString(), "--workdir",
                        fixture.workdir().toAbsolutePath().normalize().toString());

        CliRun last = first;
        for (int call = 0; call < 20 && last.exitCode() == ReleaseExit.CONTINUE.code(); call++) {
            last = CliRun.run(ReleaseFixture.env(), args.toArray(new String[0]));
        }

        assertThat(last.exitCode()).as(last.toString()).isZero();
        JsonNode done = Json.parse(last.out(), "stdout");
        assertThat(done.path("next").path("action").asText()).isEqualTo("done");
        assertThat(done.path("decision").path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(Path.of(done.path("decision").path("decision_file").asText())).isRegularFile();
        assertThat(Path.of(done.path("decision").path("junit_file").asText())).isRegularFile();
        assertThat(Path.of(done.path("decision").path("report_file").asText())).isRegularFile();
    }
}
