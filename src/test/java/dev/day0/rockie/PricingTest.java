package dev.day0.rockie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Path;
import org.junit.Test;

public class PricingTest {
    private static final Path FIXTURES = RockieFixture.REFERENCE.resolve("budget-term-sheet-fixtures");

    private static JobSpec spec(GpuType gpu, int count, int minutes) {
        return new JobSpec("lora_finetune", gpu, count, "us", "spot", minutes, null, null);
    }

    private static JsonNode fixture(String name) {
        return Json.read(FIXTURES.resolve(name));
    }

    @Test
    public void shouldTakeTheMarketCostWhenItExceedsTheHourlyRateOverTheWallClock() {
        Pricing pricing = Pricing.fromMarket(fixture("market_available.json"), "m", spec(GpuType.A100_80GB, 1, 60),
                "market");

        assertThat(pricing.availability()).isEqualTo("available");
        assertThat(pricing.estimateCents()).isEqualTo(18000);
        assertThat(pricing.confidence()).isEqualTo("high");
    }

    @Test
    public void shouldTakeTheHourlyRateWhenTheWallClockMakesItLarger() {
        Pricing pricing = Pricing.fromMarket(fixture("market_available.json"), "m", spec(GpuType.A100_80GB, 1, 300),
                "market");

        assertThat(pricing.estimateCents()).isEqualTo(22500);
    }

    @Test
    public void shouldTrustACostWithoutHourlyRateLess() {
        Pricing pricing = Pricing.fromMarket(fixture("market_no_sku.json"), "m", spec(GpuType.A100_80GB, 1, 180),
                "market");

        assertThat(pricing.estimateCents()).isEqualTo(8400);
        assertThat(pricing.confidence()).isEqualTo("medium");
    }

    @Test
    public void shouldFindNoOfferForAShapeTheMarketDoesNotList() {
        Pricing otherGpu = Pricing.fromMarket(fixture("market_no_sku.json"), "m", spec(GpuType.H100_SXM, 1, 60), "m");
        Pricing otherCount = Pricing.fromMarket(fixture("market_no_sku.json"), "m", spec(GpuType.A100_80GB, 2, 60),
                "m");

        assertThat(otherGpu.availability()).isEqualTo("unavailable");
        assertThat(otherGpu.statusCode()).isEqualTo("no_sku_fits");
        assertThat(otherGpu.estimateCents()).isNull();
        assertThat(otherCount.statusCode()).isEqualTo("no_sku_fits");
    }

    @Test
    public void shouldMarkARowTheMarketCallsUnavailable() {
        JsonNode market = Json.parse("{\"rows\": [{\"gpu_type\": \"B200\", \"gpu_count\": 8, \"available\": false, "
                + "\"marked_up_cost_cents\": 90000}]}", "m");

        Pricing pricing = Pricing.fromMarket(market, "m", spec(GpuType.B200, 8, 60), "market");

        assertThat(pricing.availability()).isEqualTo("unavailable");
        assertThat(pricing.statusCode()).isEqualTo("out_of_stock");
    }

    @Test
    public void shouldPriceFromTheListPriceInDollarsPerGpuHourWithMediumConfidence() {
        Pricing pricing = Pricing.fromPrices(fixture("prices_fallback.json"), "p", spec(GpuType.A100_80GB, 2, 90),
                "prices");

        assertThat(pricing.estimateCents()).isEqualTo(8400);
        assertThat(pricing.confidence()).isEqualTo("medium");
        assertThat(pricing.statusCode()).isEqualTo("list_price");
    }

    @Test
    public void shouldRejectMalformedPriceDataNamingTheField() {
        assertThatThrownBy(() -> Pricing.fromMarket(Json.parse("{\"rows\": {}}", "m.json"), "m.json",
                spec(GpuType.A100_80GB, 1, 60), "m")).isInstanceOf(InputException.class)
                .hasMessage("m.json: rows: is not a list: not a market response");
        assertThatThrownBy(() -> Pricing.fromMarket(Json.parse("{\"rows\": [{\"gpu_type\": \"A100_80GB\", "
                + "\"gpu_count\": 1, \"available\": true, \"marked_up_cost_cents\": -5}]}", "m.json"), "m.json",
                spec(GpuType.A100_80GB, 1, 60), "m")).hasMessageContaining("rows[0].marked_up_cost_cents");
        assertThatThrownBy(() -> Pricing.fromPrices(Json.parse("{\"prices\": {\"A100_80GB\": NaN}}", "p.json"),
                "p.json", spec(GpuType.A100_80GB, 1, 60), "p")).hasMessageContaining("prices.A100_80GB");
    }

    private static JobSpec shape(String jobShape, int count, int minutes, String region, String tier) {
        return new JobSpec(jobShape, GpuType.A100_80GB, count, region, tier, minutes, null, null);
    }

    @Test
    public void shouldMultiplyThePerGpuHourlyRateByTheGpuCount() {
        JsonNode market = Json.parse("{\"rows\": [{\"gpu_type\": \"A100_80GB\", \"gpu_count\": 2, "
                + "\"available\": true, \"marked_up_hourly_cents\": 4500}]}", "m");

        Pricing pricing = Pricing.fromMarket(market, "m", shape("eval_only", 2, 60, "us", "spot"), "market");

        assertThat(pricing.estimateCents()).isEqualTo(9000);
    }

    @Test
    public void shouldMatchTheHelpersTestsOnTheReferenceFixtures() {
        Pricing market = Pricing.fromMarket(fixture("market_available.json"), "m",
                shape("lora_finetune", 1, 240, "us", "spot"), "fixture");
        Pricing prices = Pricing.fromPrices(fixture("prices_fallback.json"), "p",
                shape("eval_only", 2, 60, "us", "spot"), "fixture");
        Pricing noSku = Pricing.fromMarket(fixture("market_no_sku.json"), "m",
                new JobSpec("synthetic_data_gen", GpuType.B200, 1, "us", "spot", 180, null, null), "fixture");

        assertThat(market.availability()).isEqualTo("available");
        assertThat(market.estimateCents()).isEqualTo(18000);
        assertThat(Quotes.recommendedBudget(market.estimateCents(), market.confidence())).isEqualTo(27000);
        assertThat(prices.estimateCents()).isEqualTo(5600);
        assertThat(prices.confidence()).isIn("medium", "high");
        assertThat(noSku.availability()).isEqualTo("unavailable");
        assertThat(noSku.statusCode()).isEqualTo("no_sku_fits");
    }

    @Test
    public void shouldReadEveryAnswerShapeTheHelperReads() {
        JobSpec spec = shape("eval_only", 2, 60, "us", "spot");
        String row = "{\"gpu_type\": \"A100_80GB\", \"gpu_count\": 2, \"region\": \"us\", \"tier\": \"spot\", "
                + "\"available\": true, \"price_usd_per_hour\": 28.0}";

        for (String answer : new String[] {"{\"rows\": [" + row + "]}", "{\"options\": [" + row + "]}",
            "[" + row + "]", row, row.replace("price_usd_per_hour", "usd_per_hour")}) {
            Pricing pricing = Pricing.fromMarket(Json.parse(answer, "m"), "m", spec, "market");

            assertThat(pricing.estimateCents()).as(answer).isEqualTo(5600);
            assertThat(pricing.confidence()).as(answer).isEqualTo("medium");
        }
        Pricing total = Pricing.fromMarket(Json.parse("{\"recommended_total_cost_cents\": 7000, \"rows\": ["
                + row + "]}", "m"), "m", spec, "market");
        assertThat(total.estimateCents()).isEqualTo(7000);
    }

    @Test
    public void shouldCountARowWithoutAvailableAsAvailableAndConstrainRegionAndTier() {
        JsonNode noFlag = Json.parse("{\"rows\": [{\"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, "
                + "\"marked_up_cost_cents\": 18000}]}", "m");
        JsonNode regions = Json.parse("{\"rows\": [{\"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, \"region\": "
                + "\"us-east\", \"tier\": \"spot\", \"available\": true, \"marked_up_cost_cents\": 18000}, "
                + "{\"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, \"region\": \"us-west\", \"tier\": \"spot\", "
                + "\"available\": false, \"marked_up_cost_cents\": 17000}]}", "m");
        JsonNode tiers = Json.parse("{\"rows\": [{\"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, \"region\": "
                + "\"us\", \"tier\": \"on_demand\", \"available\": true, \"marked_up_cost_cents\": 20000}, "
                + "{\"gpu_type\": \"A100_80GB\", \"gpu_count\": 1, \"region\": \"us\", \"tier\": \"spot\", "
                + "\"available\": false, \"marked_up_cost_cents\": 16000}]}", "m");

        assertThat(Pricing.fromMarket(noFlag, "m", shape("eval_only", 1, 60, "us", "spot"), "m").availability())
                .isEqualTo("available");
        assertThat(Pricing.fromMarket(regions, "m", shape("eval_only", 1, 60, "us-west", "spot"), "m").statusCode())
                .isEqualTo("out_of_stock");
        assertThat(Pricing.fromMarket(tiers, "m", shape("eval_only", 1, 60, "us", "spot"), "m").statusCode())
                .isEqualTo("out_of_stock");
    }

    @Test
    public void shouldFallBackToPricesOnlyWhenA404SaysTheRouteIsMissing() {
        assertThat(Pricing.isRouteMissing(404, "{\"detail\": \"Not Found\"}")).isTrue();
        assertThat(Pricing.isRouteMissing(404, "{\"detail\": {\"code\": \"no_sku_fits\", \"message\": \"not "
                + "found\"}}")).isFalse();
        assertThat(Pricing.isRouteMissing(404, "")).isFalse();
        assertThat(Pricing.isRouteMissing(500, "route not found")).isFalse();
        assertThat(Quotes.marketQuery(shape("eval_only", 2, 50, "us", "spot"))).containsExactly(
                java.util.Map.entry("gpu_type", "A100_80GB"), java.util.Map.entry("gpu_count", "2"),
                java.util.Map.entry("duration_hours", "0.83"), java.util.Map.entry("region", "us"),
                java.util.Map.entry("tier", "spot"));
    }
}
