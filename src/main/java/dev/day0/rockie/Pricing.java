package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the platform's price data says about one job spec: availability, the estimate and how far to trust it.
 *
 * <p>Two sources. {@code GET /api/gpu/market} answers {@code {"rows": [{gpu_type, gpu_count, available,
 * marked_up_cost_cents, marked_up_hourly_cents}]}}: the estimate is the larger of the quoted cost and the hourly
 * rate over the wall-clock (never the smaller: a quote that undercounts is worse than one that overcounts).
 * {@code GET /api/gpu/prices} (the fallback when the market route is missing) answers
 * {@code {"prices": {gpu_type: US dollars per GPU-hour}}}: a list price with no capacity information, hence low
 * confidence.
 */
public record Pricing(String availability, String statusCode, String statusReason, Long estimateCents,
                      String confidence, String confidenceStatement, String quoteSource) {

    public static Pricing fromMarket(JsonNode doc, String source, JobSpec spec, String quoteSource) {
        Fields fields = new Fields(source);
        ObjectNode root = fields.requireObject(doc, "");
        JsonNode rows = root.get("rows");
        if (rows == null || !rows.isArray()) {
            throw fields.error("rows", "is missing or not a list: not a market response");
        }
        List<ObjectNode> matching = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String path = "rows[" + i + "]";
            ObjectNode row = fields.requireObject(rows.get(i), path);
            String type = fields.requireString(row, "gpu_type", path + ".gpu_type");
            long count = fields.optionalInteger(row, "gpu_count", path + ".gpu_count")
                    .orElseThrow(() -> fields.error(path + ".gpu_count", "is missing, expected a whole number"));
            String region = fields.optionalString(row, "region", path + ".region");
            String tier = fields.optionalString(row, "tier", path + ".tier");
            if (type.equals(spec.gpuType().name()) && count == spec.gpuCount()
                    && (region == null || region.equals(spec.region())) && (tier == null || tier.equals(spec.tier()))) {
                if (row.has("available") && !row.get("available").isBoolean()) {
                    throw fields.error(path + ".available", "must be true or false, found "
                            + Fields.describe(row.get("available")));
                }
                matching.add(row);
            }
        }
        String shape = spec.gpuCount() + " x " + spec.gpuType() + " in region " + spec.region() + ", tier "
                + spec.tier();
        if (matching.isEmpty()) {
            return new Pricing("unavailable", "sku_not_listed", "The market lists no offer for " + shape + ".",
                    null, "low", "No offer, no estimate.", quoteSource);
        }
        ObjectNode row = matching.stream().filter(r -> r.path("available").asBoolean(false)).findFirst()
                .orElse(matching.get(0));
        int index = indexOf(rows, row);
        Long cost = nonNegative(fields, row, "marked_up_cost_cents", "rows[" + index + "].marked_up_cost_cents");
        Long hourly = nonNegative(fields, row, "marked_up_hourly_cents",
                "rows[" + index + "].marked_up_hourly_cents");
        Long byHourly = hourly == null ? null : BigDecimal.valueOf(hourly)
                .multiply(BigDecimal.valueOf(spec.wallclockMinutes()))
                .divide(BigDecimal.valueOf(60), 0, RoundingMode.CEILING).longValueExact();
        Long estimate;
        String confidence;
        String statement;
        if (cost != null && byHourly != null) {
            estimate = Math.max(cost, byHourly);
            confidence = "high";
            statement = "Market cost and hourly rate both quoted; the estimate is the larger of the cost and the "
                    + "hourly rate over " + spec.wallclockMinutes() + " min.";
        } else if (cost != null) {
            estimate = cost;
            confidence = "medium";
            statement = "Market cost without an hourly rate: it could not be checked against the wall-clock.";
        } else if (byHourly != null) {
            estimate = byHourly;
            confidence = "medium";
            statement = "Hourly market rate over " + spec.wallclockMinutes() + " min; no total cost quoted.";
        } else {
            estimate = null;
            confidence = "low";
            statement = "The market row has no price.";
        }
        if (!row.path("available").asBoolean(false)) {
            return new Pricing("unavailable", "no_capacity", "The market lists " + shape
                    + " but marks it unavailable.", estimate, confidence, statement, quoteSource);
        }
        if (estimate == null || estimate <= 0) {
            return new Pricing("unavailable", "no_price", "The market lists " + shape + " without a usable price.",
                    null, "low", statement, quoteSource);
        }
        return new Pricing("available", "available", "Matching capacity is available.", estimate, confidence,
                statement, quoteSource);
    }

    public static Pricing fromPrices(JsonNode doc, String source, JobSpec spec, String quoteSource) {
        Fields fields = new Fields(source);
        ObjectNode root = fields.requireObject(doc, "");
        ObjectNode prices = fields.requireObject(root.get("prices"), "prices");
        JsonNode price = prices.get(spec.gpuType().name());
        if (price == null || price.isNull()) {
            return new Pricing("unavailable", "sku_not_listed", "The price list has no " + spec.gpuType() + ".",
                    null, "low", "No list price, no estimate.", quoteSource);
        }
        Double dollars = Fields.finiteNumber(price);
        if (dollars == null || dollars <= 0) {
            throw fields.error("prices." + spec.gpuType(), "must be a positive number of US dollars per GPU-hour, "
                    + "found " + Fields.describe(price));
        }
        long estimate = price.decimalValue().multiply(BigDecimal.valueOf(100L * spec.gpuCount()))
                .multiply(BigDecimal.valueOf(spec.wallclockMinutes()))
                .divide(BigDecimal.valueOf(60), 0, RoundingMode.CEILING).longValueExact();
        return new Pricing("available", "list_price", "The market route is not offered; list price of "
                + price.decimalValue().toPlainString() + " USD per GPU-hour. Capacity is confirmed only at submit.",
                estimate, "low", "List price only: no market quote, no capacity check.", quoteSource);
    }

    private static int indexOf(JsonNode rows, JsonNode row) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i) == row) {
                return i;
            }
        }
        return -1;
    }

    private static Long nonNegative(Fields fields, JsonNode row, String name, String path) {
        var value = fields.optionalInteger(row, name, path);
        if (value.isEmpty()) {
            return null;
        }
        if (value.getAsLong() < 0) {
            throw fields.error(path, "must not be negative, got " + value.getAsLong());
        }
        return value.getAsLong();
    }
}
