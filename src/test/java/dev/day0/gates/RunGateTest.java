package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.core.FailureClass;
import org.junit.Test;

public class RunGateTest {
    private static final String GOOD = "{\"status\": \"SUCCESS\", \"expected_samples\": 198, "
            + "\"scored_samples\": 198, \"score\": 69.7, \"errors\": []}";

    private static GateResult run(String json) {
        return new RunGate().evaluate(Json.parse(json, "run.json"), "run.json", null, null);
    }

    private static GateResult tasks(String... entries) {
        return run("{\"tasks\": {" + String.join(", ", entries) + "}}");
    }

    private static JsonNode reasons(GateResult result, String task) {
        return result.toJson().path("per_task").path(task).path("reasons");
    }

    @Test
    public void shouldPassWhenEveryTaskSucceededWithFullAccounting() {
        GateResult result = tasks("\"gpqa\": " + GOOD, "\"mmlu\": " + GOOD);

        assertThat(result.pass()).isTrue();
        assertThat(result.failureClass()).isNull();
        assertThat(result.toJson().at("/per_task/gpqa/ok").asBoolean()).isTrue();
        assertThat(reasons(result, "gpqa")).isEmpty();
    }

    @Test
    public void shouldRefuseARunWithoutTasks() {
        GateResult result = run("{\"tasks\": {}}");

        assertThat(result.pass()).isFalse();
        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
    }

    @Test
    public void shouldCallNonTerminalStatusesInfraTransient() {
        for (String status : new String[] {"TIMEOUT", "RESUMING", "RUNNING", "PENDING"}) {
            GateResult result = tasks("\"t\": {\"status\": \"" + status + "\", \"score\": 1}");

            assertThat(result.failureClass()).as(status).isEqualTo(FailureClass.INFRA_TRANSIENT);
            assertThat(reasons(result, "t").get(0).asText()).isEqualTo("not terminal: status " + status);
        }
    }

    @Test
    public void shouldTreatAnyOtherStatusThanExactlySuccessAsFailed() {
        for (String status : new String[] {"FAILED", "success", "Success", "DONE", ""}) {
            GateResult result = tasks("\"t\": {\"status\": \"" + status + "\", \"score\": 1}");

            assertThat(result.pass()).as(status).isFalse();
            assertThat(result.failureClass()).as(status).isEqualTo(FailureClass.UNKNOWN);
            assertThat(reasons(result, "t").get(0).asText()).isEqualTo("failed: status " + status);
        }
    }

    @Test
    public void shouldRecognizeJudgeAndAuthErrorsAsWholeWords() {
        String[] judgeErrors = {"judge model returned no verdict", "Rate limit exceeded", "rate-limited by provider",
            "401 Unauthorized", "HTTP 429", "http error 403 on judge call", "auth token expired",
            "Authentication failed", "status code: 429", "429 Too Many Requests"};
        for (String error : judgeErrors) {
            GateResult result = tasks("\"t\": {\"status\": \"SUCCESS\", \"score\": 1, \"errors\": [\""
                    + error + "\"]}");

            assertThat(result.failureClass()).as(error).isEqualTo(FailureClass.EVAL_JUDGE_FAILED);
            assertThat(reasons(result, "t").get(0).asText()).startsWith("judge/auth error: '" + error);
        }
    }

    @Test
    public void shouldNotMistakeWordsContainingAuthForAuthErrors() {
        // Regression (upstream): "author field missing" was classed as a judge error because "auth" matched
        // inside the word.
        for (String error : new String[] {"author field missing", "authority record absent", "processed 429 rows",
            "prejudged"}) {
            GateResult result = tasks("\"t\": {\"status\": \"SUCCESS\", \"score\": 1, \"errors\": [\""
                    + error + "\"]}");

            assertThat(result.failureClass()).as(error).isEqualTo(FailureClass.UNKNOWN);
            assertThat(reasons(result, "t").get(0).asText()).isEqualTo("error: '" + error + "'");
        }
    }

    @Test
    public void shouldQuoteTheFirstPlainErrorAndCountTheRest() {
        GateResult result = tasks("\"t\": {\"status\": \"SUCCESS\", \"score\": 1, \"errors\": [\"boom\", \"bang\"]}");

        assertThat(reasons(result, "t").get(0).asText()).isEqualTo("error: 'boom' (and 1 more)");
    }

    @Test
    public void shouldFailSampleAccountingWhenScoredDiffersFromExpected() {
        GateResult result = tasks("\"t\": {\"status\": \"SUCCESS\", \"expected_samples\": 13812, "
                + "\"scored_samples\": 20, \"score\": 0.5}");

        assertThat(result.failureClass()).isEqualTo(FailureClass.SAMPLE_ACCOUNTING_FAILED);
        assertThat(reasons(result, "t").get(0).asText())
                .isEqualTo("sample accounting: scored 20 of 13812 expected samples");
    }

    @Test
    public void shouldNotJudgeAccountingWhenOnlyOneCountIsGiven() {
        assertThat(tasks("\"t\": {\"status\": \"SUCCESS\", \"expected_samples\": 10, \"score\": 1}").pass())
                .isTrue();
    }

    @Test
    public void shouldFailAMissingOrNonNumericScore() {
        assertThat(reasons(tasks("\"t\": {\"status\": \"SUCCESS\", \"score\": null}"), "t").get(0).asText())
                .isEqualTo("no score");
        assertThat(reasons(tasks("\"t\": {\"status\": \"SUCCESS\"}"), "t").get(0).asText()).isEqualTo("no score");
        for (String score : new String[] {"\"85\"", "true", "NaN", "Infinity", "[1]"}) {
            GateResult result = tasks("\"t\": {\"status\": \"SUCCESS\", \"score\": " + score + "}");

            assertThat(result.failureClass()).as(score).isEqualTo(FailureClass.SAMPLE_ACCOUNTING_FAILED);
            assertThat(reasons(result, "t").get(0).asText()).as(score).startsWith("score not numeric: ");
        }
    }

    @Test
    public void shouldListReasonsInTheDocumentedOrder() {
        GateResult result = tasks("\"t\": {\"status\": \"FAILED\", \"errors\": [\"oom\"], "
                + "\"expected_samples\": 2, \"scored_samples\": 1, \"score\": null}");

        assertThat(reasons(result, "t")).extracting(JsonNode::asText).containsExactly(
                "failed: status FAILED", "error: 'oom'", "sample accounting: scored 1 of 2 expected samples",
                "no score");
    }

    @Test
    public void shouldRankFailureClassesJudgeThenTransientThenAccountingThenUnknown() {
        String judge = "\"a\": {\"status\": \"SUCCESS\", \"score\": 1, \"errors\": [\"judge down\"]}";
        String transientTask = "\"b\": {\"status\": \"TIMEOUT\", \"score\": 1}";
        String accounting = "\"c\": {\"status\": \"SUCCESS\", \"score\": null}";
        String unknown = "\"d\": {\"status\": \"FAILED\", \"score\": 1}";

        assertThat(tasks(unknown, accounting, transientTask, judge).failureClass())
                .isEqualTo(FailureClass.EVAL_JUDGE_FAILED);
        assertThat(tasks(unknown, accounting, transientTask).failureClass()).isEqualTo(FailureClass.INFRA_TRANSIENT);
        assertThat(tasks(unknown, accounting).failureClass()).isEqualTo(FailureClass.SAMPLE_ACCOUNTING_FAILED);
        assertThat(tasks(unknown).failureClass()).isEqualTo(FailureClass.UNKNOWN);
    }

    @Test
    public void shouldLetDeploymentEvidenceOutrankEverything() {
        String judge = "\"a\": {\"status\": \"SUCCESS\", \"score\": 1, \"errors\": [\"judge down\"]}";

        assertThat(tasks(judge, "\"b\": {\"status\": \"DEPLOYMENT_FAILED\"}").failureClass())
                .isEqualTo(FailureClass.DEPLOYMENT_HEALTH_FAILED);
        assertThat(tasks(judge, "\"b\": {\"status\": \"SUCCESS\", \"score\": 1, \"deployment\": {\"healthy\": false}}")
                .failureClass()).isEqualTo(FailureClass.DEPLOYMENT_HEALTH_FAILED);
        GateResult runLevel = run("{\"deployment\": {\"healthy\": false, \"detail\": \"vLLM exited 137\"}, "
                + "\"tasks\": {" + judge + "}}");
        assertThat(runLevel.failureClass()).isEqualTo(FailureClass.DEPLOYMENT_HEALTH_FAILED);
        assertThat(runLevel.detail()).startsWith("deployment unhealthy: vLLM exited 137");
    }

    @Test
    public void shouldTurnAnUnhealthyServingProbeIntoADeploymentFailure() {
        GateResult result = new RunGate().evaluate(Json.parse("{\"tasks\": {\"t\": " + GOOD + "}}", "run.json"),
                "run.json", Json.parse("{\"healthy\": false, \"detail\": \"/health never returned 200\"}", "s"),
                "serving.json");

        assertThat(result.failureClass()).isEqualTo(FailureClass.DEPLOYMENT_HEALTH_FAILED);
        assertThat(result.detail()).contains("serving probe unhealthy: /health never returned 200");
    }

    @Test
    public void shouldPassWithAHealthyServingProbe() {
        GateResult result = new RunGate().evaluate(Json.parse("{\"tasks\": {\"t\": " + GOOD + "}}", "run.json"),
                "run.json", Json.parse("{\"healthy\": true}", "s"), "serving.json");

        assertThat(result.pass()).isTrue();
    }

    @Test
    public void shouldRejectWrongTypesAsInputErrorsNamingTheField() {
        assertInputError("{\"tasks\": []}", "run.json: tasks: must be an object, found a list");
        assertInputError("{}", "run.json: tasks: is missing, expected an object of tasks");
        assertInputError("{\"tasks\": {\"t\": 3}}", "run.json: tasks.t: must be an object, found number 3");
        assertInputError("{\"tasks\": {\"t\": {\"status\": 1}}}",
                "run.json: tasks.t.status: must be a string, found number 1");
        assertInputError("{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"expected_samples\": 1.5}}}",
                "run.json: tasks.t.expected_samples: must be a whole number, found number 1.5");
        assertInputError("{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"scored_samples\": \"20\"}}}",
                "run.json: tasks.t.scored_samples: must be a whole number, found string \"20\"");
        assertInputError("{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"scored_samples\": true}}}",
                "run.json: tasks.t.scored_samples: must be a whole number, found boolean true");
        assertInputError("{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"errors\": \"oops\"}}}",
                "run.json: tasks.t.errors: must be a list of strings, found string \"oops\"");
        assertInputError("{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"errors\": [1]}}}",
                "run.json: tasks.t.errors[0]: must be a string, found number 1");
        assertInputError("{\"tasks\": {\"t\": {\"status\": \"SUCCESS\", \"expected_samples\": -1}}}",
                "run.json: tasks.t.expected_samples: must not be negative, found -1");
        assertInputError("{\"deployment\": {\"healthy\": \"no\"}, \"tasks\": {}}",
                "run.json: deployment.healthy: must be true or false, found string \"no\"");
    }

    @Test
    public void shouldAcceptWholeNumbersWrittenWithADecimalPoint() {
        assertThat(tasks("\"t\": {\"status\": \"SUCCESS\", \"expected_samples\": 198.0, \"scored_samples\": 198, "
                + "\"score\": 1}").pass()).isTrue();
    }

    private static void assertInputError(String json, String message) {
        assertThatThrownBy(() -> run(json)).isInstanceOf(InputException.class).hasMessage(message);
    }
}
