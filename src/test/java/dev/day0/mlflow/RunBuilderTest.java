package dev.day0.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.mlflow.MlflowClient.Metric;
import org.junit.Test;

/** The one builder of day0's MLflow runs, used by {@code mlflow log} and the release conductor alike. */
public class RunBuilderTest {
    private static final BaselineKey KEY = BaselineKey.of("org/model", Json.parse("[\"mmlu\", \"gsm8k\"]", "t"),
            "tasks", Json.parse("{\"temperature\": 0, \"max_tokens\": 256}", "s"), "sampling", null);
    private static final JsonNode SAMPLING = Json.parse("{\"temperature\": 0, \"chat\": {\"template\": \"x\"}}",
            "s");

    @Test
    public void shouldTagAnEvalWithItsKeyTasksAndVersionAndFlattenTheSampling() {
        RunBuilder run = RunBuilder.eval(7).key(KEY, SAMPLING, "plan.yaml: sampling").toolVersion("1.2.3");

        assertThat(run.tags()).containsEntry(RunTags.KIND, RunTags.KIND_EVAL).containsEntry(RunTags.TOOL_VERSION,
                "1.2.3").containsAllEntriesOf(KEY.tags()).containsKey(RunTags.TASKS);
        assertThat(run.params()).containsEntry("sampling.temperature", "0")
                .containsEntry("sampling.chat.template", "x");
    }

    @Test
    public void shouldRecordOneScoreMetricPerTaskOfTheKey() {
        RunBuilder run = RunBuilder.eval(7).key(KEY, SAMPLING, "s")
                .scores(Json.parse("{\"mmlu\": 70.5, \"gsm8k\": 80}", "scores"), "scores.json", KEY);

        assertThat(run.metrics()).extracting(Metric::key).containsExactlyInAnyOrder("score/mmlu", "score/gsm8k");
        assertThat(run.metrics()).allMatch(metric -> metric.timestamp() == 7);
    }

    @Test
    public void shouldRefuseScoresForATaskOutsideTheKeyNamingTheFile() {
        assertThatThrownBy(() -> RunBuilder.eval(7).scores(Json.parse("{\"mmlu\": 1, \"gsm8k\": 2, \"arc\": 3}",
                "s"), "scores.json", KEY)).isInstanceOf(InputException.class).hasMessageContaining("scores.json")
                .hasMessageContaining("arc");
    }

    @Test
    public void shouldTagADecisionAndClipItsDetail() {
        String detail = "d".repeat(RunLogger.MAX_TAG_VALUE_LENGTH + 10);
        JsonNode record = Json.parse("{\"schema\": \"day0.decision/1\", \"decision\": \"REGRESSION\", "
                + "\"publish_recommendation\": \"do not publish\", \"failure_class\": \"ACCURACY_REGRESSION\", "
                + "\"detail\": \"" + detail + "\", \"tasks\": [{\"task\": \"mmlu\", \"baseline\": 70, "
                + "\"candidate\": 67, \"delta\": -3}]}", "d");

        RunBuilder run = RunBuilder.decision(7).decisionRecord(record, "decision.json", "abc");

        assertThat(run.tags()).containsEntry(RunTags.KIND, RunTags.KIND_DECISION)
                .containsEntry(RunTags.DECISION, "REGRESSION").containsEntry(RunTags.DECISION_SHA256, "abc")
                .containsEntry(RunTags.FAILURE_CLASS, "ACCURACY_REGRESSION");
        assertThat(run.tags().get(RunTags.DETAIL)).hasSize(RunLogger.MAX_TAG_VALUE_LENGTH).endsWith("...");
        assertThat(run.metrics()).extracting(Metric::key).containsExactly("baseline/mmlu", "candidate/mmlu",
                "delta/mmlu");
    }

    @Test
    public void shouldRefuseADocumentThatIsNotADecisionRecord() {
        assertThatThrownBy(() -> RunBuilder.decision(7).decisionRecord(Json.parse("{\"decision\": \"ACCEPT\"}",
                "d"), "decision.json", "abc")).isInstanceOf(InputException.class)
                .hasMessageContaining("decision.json").hasMessageContaining("schema");
    }
}
