package dev.day0.release.ladder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.release.ReleaseFixture;
import dev.day0.testing.CliRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code day0 release step} on a recipe ladder: one stage of the current candidate per call, to the ladder's end. */
public class LadderStepTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private ReleaseFixture fixture;
    private final List<String> candidates = new ArrayList<>();
    private String ladder = "ladder: {mode: first}\n";

    @Before
    public void setUp() throws Exception {
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
    }

    private void candidate(String name, double mmlu, double gsm8k, long outputBytes) {
        fixture.file("summary-" + name + ".json", ReleaseFixture.GOOD_SUMMARY.replace("4600",
                String.valueOf(outputBytes)));
        fixture.run("q-" + name, mmlu, gsm8k);
        candidates.add("  - name: " + name + "\n    recipe: nvfp4\n    ptq:\n      runner: local\n"
                + "      command: [sh, stage.sh, summary-" + name + ".json]\n      timeout_seconds: 60\n"
                + "      evidence: {summary: \"{stage_dir}/summary-" + name + ".json\"}\n"
                + "    quantized_eval:\n      runner: local\n      command: [sh, stage.sh, q-" + name
                + "/run-summary.json, q-" + name + "/scores.json]\n      timeout_seconds: 60\n"
                + "      evidence: {run_summary: \"{stage_dir}/run-summary.json\", scores: \"{stage_dir}/scores.json\"}\n");
    }

    private Path plan() {
        fixture.file("release.yaml", fixture.header.replace("recipe: nvfp4\n", "") + ladder + "candidates:\n"
                + String.join("", candidates) + "stages:\n" + fixture.baseline);
        return fixture.dir.resolve("release.yaml");
    }

    private CliRun step(String... more) {
        List<String> args = new ArrayList<>(List.of("release", "step", "--plan", plan().toString(), "--workdir",
                fixture.workdir().toString()));
        args.addAll(List.of(more));
        return CliRun.run(ReleaseFixture.env(), args.toArray(new String[0]));
    }

    /** Steps to the end; each answer's "candidate stage" as it ran. */
    private List<String> stepThrough(List<JsonNode> answers) {
        List<String> ran = new ArrayList<>();
        for (int calls = 0; calls < 60; calls++) {
            CliRun call = step();
            JsonNode answer = Json.parse(call.out(), "stdout");
            answers.add(answer);
            assertThat(call.exitCode()).as(call.toString()).isEqualTo(answer.path("exit_code").asInt());
            if (answer.path("ran").isObject()) {
                ran.add(answer.path("ran").path("candidate").path("name").asText() + " "
                        + answer.path("ran").path("stage").asText());
            }
            if (answer.path("done").asBoolean()) {
                return ran;
            }
            assertThat(call.exitCode()).isEqualTo(10);
        }
        throw new AssertionError("no decision after 60 calls");
    }

    @Test
    public void shouldStepThroughEveryCandidateToTheDecisionReleaseRunReaches() {
        candidate("nvfp4", 67.0, 80.0, 4000);
        candidate("fp8", 69.9, 79.9, 8000);
        List<JsonNode> answers = new ArrayList<>();

        CliRun peek = step("--peek");
        List<String> ran = stepThrough(answers);

        JsonNode first = Json.parse(peek.out(), "stdout");
        assertThat(first.path("next").path("candidate").path("name").asText()).isEqualTo("nvfp4");
        assertThat(first.path("next").path("stage").asText()).isEqualTo("setup");
        JsonNode last = answers.get(answers.size() - 1);
        assertThat(last.path("decision").path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(last.path("decision").path("chosen").path("recipe").asText()).isEqualTo("nvfp4");
        assertThat(last.path("decision").path("chosen").path("name").asText()).isEqualTo("fp8");
        assertThat(last.path("decision").path("decision_file").asText()).endsWith("work/decision.json");
        assertThat(last.path("exit_code").asInt()).isZero();
        assertThat(ran).startsWith("nvfp4 setup", "nvfp4 ptq").contains("nvfp4 closeout", "fp8 setup",
                "fp8 closeout");
        assertThat(fixture.runs()).as("one baseline eval, no stage twice")
                .containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1", "ptq 1", "quantized_eval 1");
        assertThat(answers.stream().filter(a -> a.path("next").path("stage").asText().equals("setup"))
                .map(a -> a.path("next").path("candidate").path("name").asText()))
                .as("after nvfp4's closeout the next call starts fp8").containsExactly("fp8");
    }

    @Test
    public void shouldAnswerTheSameDecisionAgainOverAFinishedLadderRunningNothing() {
        candidate("nvfp4", 67.0, 80.0, 4000);
        candidate("fp8", 69.9, 79.9, 8000);
        stepThrough(new ArrayList<>());
        List<String> before = fixture.runs();

        CliRun again = step();

        JsonNode answer = Json.parse(again.out(), "stdout");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(answer.path("decision").path("chosen").path("name").asText()).isEqualTo("fp8");
        assertThat(fixture.runs()).isEqualTo(before);
    }

    @Test
    public void shouldNotTakeAVerdictEditedIntoLadderJsonBetweenCalls() throws Exception {
        candidate("nvfp4", 67.0, 80.0, 4000);
        candidate("fp8", 67.0, 80.0, 8000);
        stepThrough(new ArrayList<>());
        Path state = fixture.workdir().resolve("ladder.json");
        java.nio.file.Files.writeString(state, java.nio.file.Files.readString(state)
                .replaceFirst("\"decision\" : \"REGRESSION\"", "\"decision\" : \"ACCEPT\""));

        CliRun again = step();

        assertThat(Json.parse(again.out(), "stdout").path("decision").path("decision").asText())
                .as("the candidates' evidence is judged again").isEqualTo("REGRESSION");
        assertThat(again.exitCode()).isEqualTo(1);
    }
}
