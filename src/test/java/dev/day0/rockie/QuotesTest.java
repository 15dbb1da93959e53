package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.time.Instant;
import java.util.List;
import org.junit.Test;

public class QuotesTest {
    private static final Instant NOW = Instant.parse("2026-06-05T00:00:00Z");

    private static JobSpec spec(String gpu, int count, int minutes) {
        return new JobSpec("lora_finetune", GpuType.parse(gpu).orElseThrow(), count, "us", "spot", minutes, null,
                null);
    }

    @Test
    public void shouldSplitTheEstimateIntoTheFiveStagesOfTheReferenceSheet() {
        assertThat(Quotes.stages(18000)).extracting(TermSheet.Stage::name, TermSheet.Stage::cents)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bootstrap", 900L),
                        org.assertj.core.groups.Tuple.tuple("data_prep", 1800L),
                        org.assertj.core.groups.Tuple.tuple("train_or_run", 13500L),
                        org.assertj.core.groups.Tuple.tuple("eval", 1260L),
                        org.assertj.core.groups.Tuple.tuple("artifact_storage", 540L));
    }

    @Test
    public void shouldMakeTheStagesSumToTheEstimateForEveryAmount() {
        for (long estimate = 1; estimate < 5000; estimate += 7) {
            List<TermSheet.Stage> stages = Quotes.stages(estimate);
            assertThat(stages.stream().mapToLong(TermSheet.Stage::cents).sum()).as("estimate %d", estimate)
                    .isEqualTo(estimate);
            assertThat(stages).allSatisfy(stage -> assertThat(stage.cents()).isNotNegative());
        }
        assertThat(Quotes.stages(8399).get(2).cents()).isEqualTo(8399 - 419 - 839 - 587 - 251);
    }

    @Test
    public void shouldRecommendTheLargerOfHalfAgainAndFiftyDollarsMore() {
        assertThat(Quotes.recommendedBudget(18000, "high")).isEqualTo(27000);
        assertThat(Quotes.recommendedBudget(4000, "high")).isEqualTo(9000);
        assertThat(Quotes.recommendedBudget(10001, "medium")).isEqualTo(15002);
        assertThat(Quotes.recommendedBudget(10000, "medium")).isEqualTo(15000);
    }

    @Test
    public void shouldRecommendTwiceTheEstimateWhenConfidenceIsLow() {
        assertThat(Quotes.recommendedBudget(18000, "low")).isEqualTo(36000);
        assertThat(Quotes.recommendedBudget(3000, "low")).isEqualTo(8000);
    }

    @Test
    public void shouldQuoteTheReferenceMarketAnswerAsTheReferenceSheet() {
        JsonNode market = Json.read(RockieFixture.MARKET_AVAILABLE);
        JsonNode reference = Json.read(RockieFixture.REFERENCE.resolve("approved-term-sheet.from-test.json"));

        ObjectNode sheet = Quotes.termSheet(spec("A100_80GB", 1, 60),
                Pricing.fromMarket(market, "market", spec("A100_80GB", 1, 60), "market"), NOW);

        for (String field : List.of("job_shape", "availability", "status_code", "stages", "estimate_cents",
                "recommended_budget_cents", "user_budget_cents", "wallclock_minutes", "confidence_bucket")) {
            assertThat(Json.writeLine(sheet.get(field))).as(field).isEqualTo(Json.writeLine(reference.get(field)));
        }
        assertThat(Json.writeLine(sheet.get("compute"))).isEqualTo(Json.writeLine(reference.get("compute")));
        assertThat(sheet.path("quote_id").asText()).matches("qts_[0-9a-f]{20}");
        assertThat(sheet.path("generated_at").asText()).isEqualTo("2026-06-05T00:00:00Z");
        assertThat(sheet.get("decision")).isEqualTo(Json.parse("{\"state\": \"pending\", \"approvable\": true, "
                + "\"approved_for_submit\": false}", "expected"));
    }

    @Test
    public void shouldUseTheJobSpecBudgetAsTheUserBudget() {
        JobSpec spec = new JobSpec("x", GpuType.A100_80GB, 1, "us", "spot", 60, 30000L, null);
        Pricing pricing = Pricing.fromMarket(Json.read(RockieFixture.MARKET_AVAILABLE), "m", spec, "market");

        assertThat(Quotes.termSheet(spec, pricing, NOW).path("user_budget_cents").asLong()).isEqualTo(30000);
    }

    @Test
    public void shouldLowerConfidenceWhenTheSpecAsksButNeverRaiseIt() {
        JobSpec cautious = new JobSpec("x", GpuType.A100_80GB, 1, "us", "spot", 60, null, "low");
        Pricing market = Pricing.fromMarket(Json.read(RockieFixture.MARKET_AVAILABLE), "m", cautious, "market");
        JobSpec bold = new JobSpec("x", GpuType.A100_80GB, 1, "us", "spot", 60, null, "high");
        Pricing prices = Pricing.fromPrices(Json.read(RockieFixture.REFERENCE.resolve(
                "budget-term-sheet-fixtures/prices_fallback.json")), "p", bold, "prices");

        ObjectNode lowered = Quotes.termSheet(cautious, market, NOW);
        ObjectNode kept = Quotes.termSheet(bold, prices, NOW);

        assertThat(lowered.path("confidence_bucket").asText()).isEqualTo("low");
        assertThat(lowered.path("recommended_budget_cents").asLong()).isEqualTo(36000);
        assertThat(kept.path("confidence_bucket").asText()).isEqualTo("medium");
    }

    @Test
    public void shouldMakeAnUnavailableQuoteUnapprovableAndWithoutMoney() {
        JobSpec h100 = spec("H100_SXM", 1, 60);
        Pricing none = Pricing.fromMarket(Json.read(RockieFixture.MARKET_AVAILABLE), "m", h100, "market");

        ObjectNode sheet = Quotes.termSheet(h100, none, NOW);

        assertThat(sheet.path("availability").asText()).isEqualTo("unavailable");
        assertThat(sheet.path("decision").path("approvable").asBoolean()).isFalse();
        assertThat(sheet.path("estimate_cents").isNull()).isTrue();
        assertThat(sheet.path("stages")).isEmpty();
    }
}
