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
        assertThat(otherGpu.statusCode()).isEqualTo("sku_not_listed");
        assertThat(otherGpu.estimateCents()).isNull();
        assertThat(otherCount.statusCode()).isEqualTo("sku_not_listed");
    }

    @Test
    public void shouldMarkARowTheMarketCallsUnavailable() {
        JsonNode market = Json.parse("{\"rows\": [{\"gpu_type\": \"B200\", \"gpu_count\": 8, \"available\": false, "
                + "\"marked_up_cost_cents\": 90000}]}", "m");

        Pricing pricing = Pricing.fromMarket(market, "m", spec(GpuType.B200, 8, 60), "market");

        assertThat(pricing.availability()).isEqualTo("unavailable");
        assertThat(pricing.statusCode()).isEqualTo("no_capacity");
    }

    @Test
    public void shouldPriceFromTheListPriceInDollarsPerGpuHourWithLowConfidence() {
        Pricing pricing = Pricing.fromPrices(fixture("prices_fallback.json"), "p", spec(GpuType.A100_80GB, 2, 90),
                "prices");

        assertThat(pricing.estimateCents()).isEqualTo(8400);
        assertThat(pricing.confidence()).isEqualTo("low");
        assertThat(pricing.statusCode()).isEqualTo("list_price");
    }

    @Test
    public void shouldRejectMalformedPriceDataNamingTheField() {
        assertThatThrownBy(() -> Pricing.fromMarket(Json.parse("{\"rows\": {}}", "m.json"), "m.json",
                spec(GpuType.A100_80GB, 1, 60), "m")).isInstanceOf(InputException.class)
                .hasMessage("m.json: rows: is missing or not a list: not a market response");
        assertThatThrownBy(() -> Pricing.fromMarket(Json.parse("{\"rows\": [{\"gpu_type\": \"A100_80GB\", "
                + "\"gpu_count\": 1, \"available\": true, \"marked_up_cost_cents\": -5}]}", "m.json"), "m.json",
                spec(GpuType.A100_80GB, 1, 60), "m")).hasMessageContaining("rows[0].marked_up_cost_cents");
        assertThatThrownBy(() -> Pricing.fromPrices(Json.parse("{\"prices\": {\"A100_80GB\": NaN}}", "p.json"),
                "p.json", spec(GpuType.A100_80GB, 1, 60), "p")).hasMessageContaining("prices.A100_80GB");
    }
}
