package dev.day0.gates;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.core.FailureClass;
import dev.day0.core.Precision;
import dev.day0.io.Json;
import org.junit.Test;

public class PtqGateTest {
    /** Counts for a good checkpoint of the recipe's own precision (NVFP4 when the recipe is unknown). */
    private static String counts(String recipe) {
        String precision = Precision.ofRecipe(recipe).map(Enum::name).orElse("NVFP4");
        return "\"layer_precision_counts\": {\"" + precision + "\": 224, \"excluded\": 1, "
                + "\"unexpected_unquantized\": 0, \"declaration_mismatch\": 0}";
    }

    private static GateResult ptq(String json) {
        return ptq(json, null);
    }

    private static GateResult ptq(String json, String recipe) {
        return new PtqGate().evaluate(Json.parse(json, "summary.json"), "summary.json", recipe);
    }

    private static String summary(String recipe, Object source, Object output, String extra) {
        return "{\"source_bytes\": " + source + ", \"output_bytes\": " + output + ", \"recipe\": \"" + recipe
                + "\", " + counts(recipe) + ", \"metadata_diffs\": []" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Test
    public void shouldPassAGoodNvfp4Checkpoint() {
        GateResult result = ptq(summary("nvfp4", 16_000_000_000L, 4_600_000_000L, ""));

        assertThat(result.pass()).isTrue();
        JsonNode json = result.toJson();
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("pass", "failure_class", "detail", "checks", "notes");
        assertThat(json.at("/checks/size/ratio").decimalValue()).isEqualByComparingTo("0.2875");
        assertThat(json.at("/checks/coverage/covered").asLong()).isEqualTo(224);
        assertThat(json.at("/checks/coverage/target_precision").asText()).isEqualTo("NVFP4");
        assertThat(json.at("/checks/metadata/ok").asBoolean()).isTrue();
    }

    @Test
    public void shouldMapEveryKnownRecipeToItsPrecisionCaseInsensitively() {
        assertThat(Precision.ofRecipe("NVFP4_MLP_only")).contains(Precision.NVFP4);
        assertThat(Precision.ofRecipe("nvfp4_experts_only")).contains(Precision.NVFP4);
        assertThat(Precision.ofRecipe("nvfp4_omlp_only")).contains(Precision.NVFP4);
        assertThat(Precision.ofRecipe("FP8")).contains(Precision.FP8);
        assertThat(Precision.ofRecipe("int4_awq")).contains(Precision.INT4);
        assertThat(Precision.ofRecipe("INT4_GPTQ")).contains(Precision.INT4);
        assertThat(Precision.ofRecipe("w8a8")).isEmpty();
    }

    @Test
    public void shouldLetTheRecipeOptionOverrideTheFile() {
        GateResult result = ptq(summary("mystery", 100, 30, ""), "nvfp4");

        assertThat(result.pass()).isTrue();
    }

    @Test
    public void shouldReportButNotJudgeTheSizeOfAnUnknownRecipe() {
        GateResult result = ptq(summary("w8a8", 100, 130, ""));

        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(result.detail()).contains("unknown recipe \"w8a8\"");
        assertThat(result.toJson().at("/checks/size/judged").asBoolean()).isFalse();
        assertThat(result.toJson().at("/checks/size/ratio").decimalValue()).isEqualByComparingTo("1.3");
        assertThat(result.detail()).doesNotContain("not reduced");
    }

    @Test
    public void shouldRefuseAnEmptySummary() {
        GateResult result = ptq("{}");

        assertThat(result.pass()).isFalse();
        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
    }

    @Test
    public void shouldFailClosedOnSizesThatAreNotPositiveFiniteNumbers() {
        for (String bad : new String[] {"true", "\"100\"", "NaN", "Infinity", "0", "-5", "null"}) {
            GateResult result = ptq(summary("nvfp4", bad, 10, ""));

            assertThat(result.pass()).as(bad).isFalse();
            assertThat(result.failureClass()).as(bad).isEqualTo(FailureClass.USER_CONFIG_ERROR);
            assertThat(result.detail()).as(bad).contains("summary.json: source_bytes: must be a positive finite");
        }
    }

    @Test
    public void shouldEchoAnUnrepresentableSizeAsText() {
        GateResult result = ptq(summary("nvfp4", "1e999999", 10, ""));

        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(Json.write(result.toJson())).contains("\"source_bytes\" : \"1E+999999\"");
    }

    @Test
    public void shouldFailASizeThatDidNotShrink() {
        GateResult result = ptq(summary("nvfp4", 100, 100, ""));

        assertThat(result.failureClass()).isEqualTo(FailureClass.SIZE_NOT_REDUCED);
        assertThat(result.detail()).contains("output is 1.0000x the source size");
    }

    @Test
    public void shouldWaiveSmallGrowthWhenTheSourceIsAlreadyAsNarrowAsTheTarget() {
        GateResult result = ptq(summary("fp8", 100, 110, "\"source_precision\": \"FP8\""));

        assertThat(result.pass()).isTrue();
        assertThat(result.toJson().at("/checks/size/waived").asBoolean()).isTrue();
        assertThat(result.toJson().path("notes").get(0).asText()).contains("waived").contains("FP8");
    }

    @Test
    public void shouldNotWaiveGrowthBeyondTenPercent() {
        assertThat(ptq(summary("fp8", 100, 111, "\"source_precision\": \"fp8\"")).failureClass())
                .isEqualTo(FailureClass.SIZE_NOT_REDUCED);
    }

    @Test
    public void shouldNotWaiveGrowthFromAWiderSource() {
        assertThat(ptq(summary("fp8", 100, 105, "\"source_precision\": \"bf16\"")).failureClass())
                .isEqualTo(FailureClass.SIZE_NOT_REDUCED);
    }

    @Test
    public void shouldWaiveGrowthOnlyWhenAcceptSizeGrowthIsLiterallyTrue() {
        assertThat(ptq(summary("nvfp4", 100, 150, "\"accept_size_growth\": true")).pass()).isTrue();
        assertThat(ptq(summary("nvfp4", 100, 150, "\"accept_size_growth\": false")).failureClass())
                .isEqualTo(FailureClass.SIZE_NOT_REDUCED);
        GateResult stringTrue = ptq(summary("nvfp4", 100, 150, "\"accept_size_growth\": \"true\""));
        assertThat(stringTrue.pass()).isFalse();
        assertThat(stringTrue.detail()).contains("accept_size_growth: must be true or false");
    }

    @Test
    public void shouldCallAModelWithNothingCoveredUnsupported() {
        GateResult result = ptq("{\"source_bytes\": 100, \"output_bytes\": 100, \"recipe\": \"nvfp4\", "
                + "\"layer_precision_counts\": {\"NVFP4\": 0, \"bf16\": 300}, \"metadata_diffs\": []}");

        assertThat(result.failureClass()).isEqualTo(FailureClass.MODEL_UNSUPPORTED);
        assertThat(result.detail()).startsWith("no layer was quantized to NVFP4")
                .contains("not reduced");
    }

    @Test
    public void shouldFailCoverageForUnexpectedUnquantizedOrMismatchedLayers() {
        GateResult unexpected = ptq("{\"source_bytes\": 100, \"output_bytes\": 30, \"recipe\": \"nvfp4\", "
                + "\"layer_precision_counts\": {\"NVFP4\": 10, \"UNEXPECTED_UNQUANTIZED\": 2}}");
        GateResult mismatch = ptq("{\"source_bytes\": 100, \"output_bytes\": 30, \"recipe\": \"nvfp4\", "
                + "\"layer_precision_counts\": {\"NVFP4\": 10, \"declaration_mismatch\": 1}}");

        assertThat(unexpected.failureClass()).isEqualTo(FailureClass.QUANT_COVERAGE_FAILURE);
        assertThat(unexpected.detail()).contains("2 layers left unquantized");
        assertThat(mismatch.failureClass()).isEqualTo(FailureClass.QUANT_COVERAGE_FAILURE);
    }

    @Test
    public void shouldCountTheExportersInt4SpellingAsCovered() {
        // Regression (upstream): a good int4_awq checkpoint failed because its counts say W4A16_AWQ.
        GateResult result = ptq("{\"source_bytes\": 100, \"output_bytes\": 30, \"recipe\": \"int4_awq\", "
                + "\"layer_precision_counts\": {\"W4A16_AWQ\": 196, \"BF16/EXCLUDED\": 2}, \"metadata_diffs\": []}");

        assertThat(result.pass()).isTrue();
        assertThat(result.toJson().at("/checks/coverage/counts/bf16_excluded").asLong()).isEqualTo(2);
        assertThat(result.toJson().at("/checks/coverage/covered").asLong()).isEqualTo(196);
    }

    @Test
    public void shouldRejectCountsThatAreNotNonNegativeIntegers() {
        for (String bad : new String[] {"-1", "1.5", "\"3\"", "true", "null"}) {
            GateResult result = ptq("{\"source_bytes\": 100, \"output_bytes\": 30, \"recipe\": \"nvfp4\", "
                    + "\"layer_precision_counts\": {\"NVFP4\": " + bad + "}}");

            assertThat(result.failureClass()).as(bad).isEqualTo(FailureClass.USER_CONFIG_ERROR);
            assertThat(result.detail()).as(bad).contains("layer_precision_counts.NVFP4: must be a non-negative");
        }
    }

    @Test
    public void shouldFailCoverageOnMetadataDiffs() {
        GateResult result = ptq(summary("nvfp4", 100, 30, "").replace("\"metadata_diffs\": []",
                "\"metadata_diffs\": [\"config.json: max_position_embeddings 131072 -> 8192\"]"));

        assertThat(result.failureClass()).isEqualTo(FailureClass.QUANT_COVERAGE_FAILURE);
        assertThat(result.detail()).contains("max_position_embeddings 131072 -> 8192");
        assertThat(result.toJson().at("/checks/metadata/ok").asBoolean()).isFalse();
    }

    @Test
    public void shouldRejectMetadataDiffsThatAreNotStrings() {
        GateResult result = ptq(summary("nvfp4", 100, 30, "").replace("\"metadata_diffs\": []",
                "\"metadata_diffs\": [42]"));

        assertThat(result.failureClass()).isEqualTo(FailureClass.USER_CONFIG_ERROR);
        assertThat(result.detail()).contains("metadata_diffs[0]: must be a string, found number 42");
    }

    @Test
    public void shouldJoinAllMessagesInClassOrder() {
        GateResult result = ptq("{\"source_bytes\": 100, \"output_bytes\": 120, \"recipe\": \"nvfp4\", "
                + "\"layer_precision_counts\": {\"NVFP4\": 0, \"unexpected_unquantized\": 3}, "
                + "\"metadata_diffs\": [\"tokenizer changed\"], \"accept_size_growth\": \"yes\"}");

        assertThat(result.failureClass()).isEqualTo(FailureClass.MODEL_UNSUPPORTED);
        String detail = result.detail();
        int unsupported = detail.indexOf("no layer was quantized");
        int coverage = detail.indexOf("3 layers left unquantized");
        int metadata = detail.indexOf("tokenizer changed");
        int size = detail.indexOf("not reduced");
        int config = detail.indexOf("accept_size_growth");
        assertThat(unsupported).isGreaterThanOrEqualTo(0);
        assertThat(coverage).isGreaterThan(unsupported);
        assertThat(metadata).isGreaterThan(unsupported);
        assertThat(size).isGreaterThan(Math.max(coverage, metadata));
        assertThat(config).isGreaterThan(size);
    }
}
