package dev.day0.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.release.ReleaseFixture;
import dev.day0.testing.CliRun;
import java.util.HashMap;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The release conductor with MLflow: reusing a matching baseline, recording baselines and decisions. */
public class ReleaseMlflowTest {
    private static final String EXPERIMENT = "day0-baselines";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private FakeMlflowServer server;
    private ReleaseFixture fixture;

    @Before
    public void setUp() throws Exception {
        server = FakeMlflowServer.start();
        fixture = new ReleaseFixture(temp.newFolder("plan").toPath());
        fixture.extra = "mlflow: {experiment: " + EXPERIMENT + "}\n";
        fixture.baseline = fixture.baseline.replace("    runner: local\n", "    runner: local\n    reuse: mlflow\n");
    }

    @After
    public void tearDown() {
        server.close();
    }

    /** The release in this JVM: MLflow's retry back-offs take no time, as every other wait of the conductor. */
    private CliRun release() {
        return fixture.conduct(ReleaseFixture.env(MlflowClient.ENV_URI, server.url(), MlflowClient.ENV_TOKEN,
                "mlflow-token-0123456789"), false);
    }

    private JsonNode decision() {
        return Json.read(fixture.workdir().resolve("report/decision.json"));
    }

    /** The tags a baseline eval of the fixture's plan carries. */
    private static Map<String, String> evalTags() {
        BaselineKey key = BaselineKey.of("test-org/tiny-model", Json.parse("[\"mmlu\", \"gsm8k\"]", "t"), "t",
                Json.parse("{\"max_tokens\": 256, \"temperature\": 0}", "s"), "s", null);
        Map<String, String> tags = new HashMap<>(key.tags());
        tags.put(RunTags.KIND, RunTags.KIND_EVAL);
        return tags;
    }

    @Test
    public void shouldReuseAMatchingBaselineInsteadOfRunningIt() {
        String experiment = server.addExperiment(EXPERIMENT);
        String runId = server.addRun(experiment, "FINISHED", 1_700_000_000_000L, evalTags(),
                Map.of("score/mmlu", 70.0, "score/gsm8k", 80.0)).runId;

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(fixture.runs()).containsExactly("ptq 1", "quantized_eval 1");
        assertThat(run.err()).contains("baseline found: run " + runId);
        JsonNode gate = null;
        for (JsonNode item : decision().path("gates")) {
            if (item.path("stage").asText().equals("baseline_gate")) {
                gate = item;
            }
        }
        assertThat(gate).isNotNull();
        assertThat(gate.path("gate").asText()).isEqualTo("reuse");
        assertThat(gate.path("result").path("reused").path("run_id").asText()).isEqualTo(runId);
    }

    @Test
    public void shouldNotReuseABaselineRunWithOtherSamplingParameters() {
        String experiment = server.addExperiment(EXPERIMENT);
        Map<String, String> tags = evalTags();
        tags.put(BaselineKey.TAG_SAMPLING_PARAMS_HASH, "0".repeat(64));
        server.addRun(experiment, "FINISHED", 1L, tags, Map.of("score/mmlu", 70.0, "score/gsm8k", 80.0));

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1");
    }

    @Test
    public void shouldRecordARunBaselineSoTheNextReleaseReusesIt() {
        server.addExperiment(EXPERIMENT);

        CliRun first = release();
        CliRun second = release();

        assertThat(first.exitCode()).as(first.toString()).isEqualTo(0);
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(0);
        assertThat(fixture.runs()).containsExactly("ptq 1", "baseline_eval 1", "quantized_eval 1", "ptq 1",
                "quantized_eval 1");
        assertThat(first.err()).contains("recorded the baseline in MLflow");
    }

    @Test
    public void shouldRecordTheDecisionWithItsReports() {
        server.addExperiment(EXPERIMENT);

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        FakeMlflowServer.StoredRun decisionRun = server.runs().stream()
                .filter(r -> RunTags.KIND_DECISION.equals(r.tags.get(RunTags.KIND))).findFirst().orElseThrow();
        assertThat(decisionRun.tags).containsEntry(RunTags.DECISION, "ACCEPT")
                .containsEntry(RunTags.PUBLISH_RECOMMENDATION, "publish");
        assertThat(decisionRun.status).isEqualTo("FINISHED");
        assertThat(decision().path("tasks")).hasSize(2);
        assertThat(Json.read(fixture.workdir().resolve("state.json")).path("decision").path("mlflow")
                .path("run_id").asText()).isEqualTo(decisionRun.runId);
    }

    @Test
    public void shouldStopForAPersonWhenAReuseOnlyStageFindsNoBaseline() {
        server.addExperiment(EXPERIMENT);
        fixture.baseline = "  baseline_eval:\n    runner: reuse\n    reuse: mlflow\n";

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(decision().path("detail").asText()).contains("no matching baseline");
        assertThat(fixture.runs()).containsExactly("ptq 1");
    }

    @Test
    public void shouldStopSystemicBeforeAnySpendWithoutATrackingServer() {
        CliRun run = CliRun.run(ReleaseFixture.env(), "release", "run", "--plan", fixture.plan().toString(),
                "--workdir", fixture.workdir().toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(decision().path("detail").asText()).contains("MLFLOW_TRACKING_URI");
        assertThat(fixture.runs()).isEmpty();
    }

    @Test
    public void shouldRetryAnMlflowOutageOnceThenDecideSystemic() {
        server.addExperiment(EXPERIMENT);
        server.failNext("experiments/get-by-name", 503, "TEMPORARILY_UNAVAILABLE", "down", 100);

        CliRun run = release();

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(6);
        assertThat(fixture.runs()).containsExactly("ptq 1");
        assertThat(Json.read(fixture.workdir().resolve("state.json")).path("stages").path("baseline_eval")
                .path("runs").asInt()).isEqualTo(2);
    }
}
