package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.core.Decimals;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import org.junit.Test;

public class CompareGateTest {
    private static JsonNode json(String text) {
        return Json.parse(text, "test");
    }

    private static GateResult compare(String baseline, String candidate) {
        return new CompareGate(0.01, false, null, null, null).evaluate(json(baseline), "b.json", json(candidate),
                "c.json");
    }

    private static GateResult compare(CompareGate gate, String baseline, String candidate) {
        return gate.evaluate(json(baseline), "b.json", json(candidate), "c.json");
    }

    @Test
    public void shouldAcceptWhenEveryTaskIsWithinTheThreshold() {
        GateResult result = compare("{\"mmlu\": 80.0, \"gsm8k\": 90.0}", "{\"mmlu\": 79.5, \"gsm8k\": 90.2}");

        assertThat(result.pass()).isTrue();
        assertThat(result.decision()).isEqualTo(Decision.ACCEPT);
        assertThat(result.failureClass()).isNull();
        assertThat(result.toJson().path("per_task").path("mmlu").path("within_threshold").asBoolean()).isTrue();
    }

    @Test
    public void shouldPassAOnePointDropOnAHundredPointScaleAtTheDefaultThreshold() {
        GateResult result = compare("{\"a\": 50}", "{\"a\": 49}");

        assertThat(result.decision()).isEqualTo(Decision.ACCEPT);
        assertThat(result.toJson().at("/per_task/a/drop_fraction").decimalValue()).isEqualByComparingTo("0.01");
    }

    @Test
    public void shouldRegressAOnePointDropOnAFractionScaleBecauseOfDoubleArithmetic() {
        GateResult result = compare("{\"a\": 0.5}", "{\"a\": 0.49}");

        assertThat(result.decision()).isEqualTo(Decision.REGRESSION);
        assertThat(result.failureClass()).isNull();
        assertThat(result.detail()).contains("a drop 0.010000000000000009 > limit 0.0100");
    }

    @Test
    public void shouldSayByHowMuchEachRegressingTaskDropped() {
        GateResult result = compare("{\"mmlu\": 83.3, \"gsm8k\": 95.3, \"arc\": 93.7}",
                "{\"mmlu\": 81.1, \"gsm8k\": 92.6, \"arc\": 93.3}");

        assertThat(result.decision()).isEqualTo(Decision.REGRESSION);
        assertThat(result.detail())
                .startsWith("regression on 2 of 3 tasks")
                .contains("gsm8k drop 0.0270 > limit 0.0100 (2.70 points)")
                .contains("mmlu drop 0.0220 > limit 0.0100 (2.20 points)")
                .doesNotContain("arc drop");
    }

    @Test
    public void shouldReportPerTaskFieldsInNativeUnitsRoundedToFourDecimals() {
        JsonNode row = compare("{\"t\": 71.23456}", "{\"t\": 70.98765}").toJson().path("per_task").path("t");

        assertThat(row.path("baseline").decimalValue()).isEqualByComparingTo("71.2346");
        assertThat(row.path("candidate").decimalValue()).isEqualByComparingTo("70.9877");
        assertThat(row.path("drop").decimalValue()).isEqualByComparingTo("0.2469");
        assertThat(row.path("drop_fraction").decimalValue()).isEqualByComparingTo("0.0025");
        assertThat(row.path("scale").asInt()).isEqualTo(100);
        assertThat(row.path("within_threshold").asBoolean()).isTrue();
    }

    @Test
    public void shouldUseScaleOneOnlyWhenBothScoresAreFractions() {
        JsonNode perTask = compare("{\"frac\": 0.8, \"mixed\": 1.0, \"pct\": 0.9}",
                "{\"frac\": 0.795, \"mixed\": 2.0, \"pct\": 1.0}").toJson().path("per_task");

        assertThat(perTask.at("/frac/scale").asInt()).isEqualTo(1);
        assertThat(perTask.at("/mixed/scale").asInt()).isEqualTo(100);
        assertThat(perTask.at("/pct/scale").asInt()).isEqualTo(1);
    }

    @Test
    public void shouldRoundLikePythonOnTheExactBinaryValue() {
        // 2.675 is 2.67499999... in binary: Python's round(2.675, 2) gives 2.67, and so must the report.
        assertThat(Decimals.round(2.675, 2)).isEqualByComparingTo("2.67");
        assertThat(Decimals.round(70.98765, 4)).isEqualByComparingTo("70.9877");
    }

    @Test
    public void shouldListEveryTaskInSortedOrder() {
        JsonNode perTask = compare("{\"zeta\": 1, \"alpha\": 1, \"mid\": 1}", "{\"mid\": 1, \"zeta\": 1, \"alpha\": 1}")
                .toJson().path("per_task");

        assertThat(perTask.fieldNames()).toIterable().containsExactly("alpha", "mid", "zeta");
    }

    @Test
    public void shouldRefuseDifferentTaskSetsNamingTheMissingTasks() {
        GateResult result = compare("{\"a\": 1, \"b\": 2}", "{\"a\": 1, \"c\": 2}");

        assertThat(result.decision()).isEqualTo(Decision.ANOMALOUS);
        assertThat(result.failureClass()).isEqualTo(FailureClass.SAMPLE_ACCOUNTING_FAILED);
        assertThat(result.detail()).contains("missing from candidate: b").contains("missing from baseline: c");
    }

    @Test
    public void shouldRefuseEmptyScoreFilesAsAConfigurationError() {
        GateResult result = compare("{}", "{}");

        assertThat(result.decision()).isEqualTo(Decision.ANOMALOUS);
        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
    }

    @Test
    public void shouldTreatInvalidScoresAsAnomaliesNotAsInputErrors() {
        String[] invalid = {"null", "true", "\"85.0\"", "NaN", "Infinity", "-Infinity", "101", "-0.5", "[1]",
            "{\"v\": 1}"};
        for (String value : invalid) {
            GateResult result = compare("{\"t\": 50}", "{\"t\": " + value + "}");

            assertThat(result.pass()).as("candidate %s", value).isFalse();
            assertThat(result.decision()).as("candidate %s", value).isEqualTo(Decision.ANOMALOUS);
            assertThat(result.failureClass()).as("candidate %s", value).isEqualTo(FailureClass.UNKNOWN);
            assertThat(result.toJson().at("/per_task/t/within_threshold").asBoolean()).isFalse();

            GateResult reversed = compare("{\"t\": " + value + "}", "{\"t\": 50}");
            assertThat(reversed.decision()).as("baseline %s", value).isEqualTo(Decision.ANOMALOUS);
        }
    }

    @Test
    public void shouldEchoAnUnrepresentableScoreAsTextInsteadOfFailingToWriteTheResult() {
        // Regression: 1e999999 reached the JSON writer as a BigDecimal it refuses, and the user saw an error.
        GateResult result = compare("{\"t\": 50}", "{\"t\": 1e999999}");

        assertThat(result.decision()).isEqualTo(Decision.ANOMALOUS);
        assertThat(Json.write(result.toJson())).contains("\"candidate\" : \"1E+999999\"");
    }

    @Test
    public void shouldAcceptTheBoundariesOfTheScoreRange() {
        assertThat(compare("{\"t\": 100}", "{\"t\": 100}").decision()).isEqualTo(Decision.ACCEPT);
        assertThat(compare("{\"t\": 0}", "{\"t\": 0}").decision()).isEqualTo(Decision.ACCEPT);
    }

    @Test
    public void shouldFlagAnImplausibleGainAsAnAnomaly() {
        GateResult result = compare("{\"aime\": 80.0}", "{\"aime\": 85.1}");

        assertThat(result.decision()).isEqualTo(Decision.ANOMALOUS);
        assertThat(result.failureClass()).isEqualTo(FailureClass.UNKNOWN);
        assertThat(result.detail()).contains("aime: candidate gains 5.10 points");
    }

    @Test
    public void shouldAcceptAGainOfExactlyFivePoints() {
        assertThat(compare("{\"t\": 80}", "{\"t\": 85}").decision()).isEqualTo(Decision.ACCEPT);
    }

    @Test
    public void shouldPreferAnomalyOverRegressionWhenBothOccur() {
        GateResult result = compare("{\"a\": 80, \"b\": 80}", "{\"a\": 70, \"b\": null}");

        assertThat(result.decision()).isEqualTo(Decision.ANOMALOUS);
    }

    @Test
    public void shouldMeasureRelativeDropsAgainstTheBaseline() {
        CompareGate gate = new CompareGate(0.01, true, null, null, null);

        assertThat(compare(gate, "{\"t\": 20}", "{\"t\": 19.9}").decision()).isEqualTo(Decision.ACCEPT);
        assertThat(compare(gate, "{\"t\": 20}", "{\"t\": 19.7}").decision()).isEqualTo(Decision.REGRESSION);
    }

    @Test
    public void shouldTreatARelativeDropFromAZeroBaselineAsNoDrop() {
        CompareGate gate = new CompareGate(0.01, true, null, null, null);

        GateResult result = compare(gate, "{\"t\": 0}", "{\"t\": 0}");

        assertThat(result.decision()).isEqualTo(Decision.ACCEPT);
        assertThat(result.toJson().at("/per_task/t/drop_fraction").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    public void shouldUseADeclaredScaleOverride() {
        CompareGate gate = new CompareGate(0.01, false, json("{\"t\": 10}"), null, null);

        GateResult result = compare(gate, "{\"t\": 5}", "{\"t\": 4.95}");

        assertThat(result.toJson().at("/per_task/t/scale").asInt()).isEqualTo(10);
        assertThat(result.decision()).isEqualTo(Decision.ACCEPT);
        assertThat(compare(gate, "{\"t\": 5}", "{\"t\": 4.8}").decision()).isEqualTo(Decision.REGRESSION);
    }

    @Test
    public void shouldAcceptSignedRangesForIndexes() {
        CompareGate gate = new CompareGate(0.01, false, json("{\"idx\": {\"min\": -100, \"max\": 100}}"), null,
                null);

        GateResult within = compare(gate, "{\"idx\": -40}", "{\"idx\": -41}");
        GateResult breach = compare(gate, "{\"idx\": -40}", "{\"idx\": -43}");

        assertThat(within.decision()).isEqualTo(Decision.ACCEPT);
        assertThat(within.toJson().at("/per_task/idx/scale/min").asInt()).isEqualTo(-100);
        assertThat(breach.decision()).isEqualTo(Decision.REGRESSION);
        assertThat(compare(gate, "{\"idx\": -40}", "{\"idx\": -101}").decision()).isEqualTo(Decision.ANOMALOUS);
    }

    @Test
    public void shouldRejectInvalidScalesAsAnAnomalousConfigurationError() {
        String[] invalid = {"{\"t\": 0}", "{\"t\": -1}", "{\"t\": true}", "{\"t\": \"100\"}", "{\"t\": null}",
            "{\"t\": {\"min\": 5, \"max\": 5}}", "{\"t\": {\"min\": 0}}", "{\"other\": 100}", "[100]"};
        for (String scales : invalid) {
            CompareGate gate = new CompareGate(0.01, false, json(scales), null, null);

            GateResult result = compare(gate, "{\"t\": 50}", "{\"t\": 50}");

            assertThat(result.decision()).as(scales).isEqualTo(Decision.ANOMALOUS);
            assertThat(result.failureClass()).as(scales).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        }
    }

    @Test
    public void shouldRejectANegativeOrNonFiniteThreshold() {
        for (double threshold : new double[] {-0.001, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new CompareGate(threshold, false, null, null, null))
                    .isInstanceOf(InputException.class)
                    .hasMessageStartingWith("--threshold: ");
        }
    }

    @Test
    public void shouldAllowAZeroThreshold() {
        CompareGate gate = new CompareGate(0, false, null, null, null);

        assertThat(compare(gate, "{\"t\": 50}", "{\"t\": 50}").decision()).isEqualTo(Decision.ACCEPT);
        assertThat(compare(gate, "{\"t\": 50}", "{\"t\": 49.99}").decision()).isEqualTo(Decision.REGRESSION);
    }

    @Test
    public void shouldFlagAMeasuredBaselineFarFromThePublishedOne() {
        CompareGate gate = new CompareGate(0.01, false, null, json("{\"gpqa\": 75.0, \"unrelated\": 10}"),
                "card.json");

        GateResult result = compare(gate, "{\"gpqa\": 69.7}", "{\"gpqa\": 69.5}");

        assertThat(result.decision()).isEqualTo(Decision.ANOMALOUS);
        assertThat(result.failureClass()).isEqualTo(FailureClass.EXTERNAL_BASELINE_MISMATCH);
        assertThat(result.detail()).contains("gpqa: measured baseline 69.7 is 5.30 points from the published 75");
    }

    @Test
    public void shouldAcceptAMeasuredBaselineWithinFivePointsOfThePublishedOne() {
        CompareGate gate = new CompareGate(0.01, false, null, json("{\"gpqa\": 74.7}"), "card.json");

        GateResult result = compare(gate, "{\"gpqa\": 69.7}", "{\"gpqa\": 69.5}");

        assertThat(result.decision()).isEqualTo(Decision.ACCEPT);
        assertThat(result.toJson().at("/per_task/gpqa/published_baseline").decimalValue())
                .isEqualByComparingTo("74.7");
    }

    @Test
    public void shouldCompareFractionScoresWithThePublishedOnesInPoints() {
        CompareGate gate = new CompareGate(0.01, false, null, json("{\"arc\": 0.60}"), "card.json");

        assertThat(compare(gate, "{\"arc\": 0.5358}", "{\"arc\": 0.5316}").failureClass())
                .isEqualTo(FailureClass.EXTERNAL_BASELINE_MISMATCH);
    }

    @Test
    public void shouldRejectAPublishedFileThatSharesNoTask() {
        CompareGate gate = new CompareGate(0.01, false, null, json("{\"other\": 1}"), "card.json");

        assertThatThrownBy(() -> compare(gate, "{\"t\": 1}", "{\"t\": 1}"))
                .isInstanceOf(InputException.class)
                .hasMessage("card.json: names none of the compared tasks (t)");
    }

    @Test
    public void shouldRejectANonNumericPublishedScoreAsAnInputError() {
        CompareGate gate = new CompareGate(0.01, false, null, json("{\"t\": \"high\"}"), "card.json");

        assertThatThrownBy(() -> compare(gate, "{\"t\": 1}", "{\"t\": 1}"))
                .isInstanceOf(InputException.class)
                .hasMessage("card.json: t: must be a finite number, found string \"high\"");
    }

    @Test
    public void shouldRejectScoreFilesThatAreNotObjects() {
        assertThatThrownBy(() -> compare("[1, 2]", "{}"))
                .isInstanceOf(InputException.class)
                .hasMessage("b.json: must be an object, found a list");
    }

    @Test
    public void shouldPrintKeysInTheUpstreamOrder() {
        JsonNode json = compare("{\"t\": 1}", "{\"t\": 1}").toJson();

        assertThat(json.fieldNames()).toIterable()
                .containsExactly("pass", "decision", "failure_class", "detail", "per_task", "threshold", "relative");
    }
}
