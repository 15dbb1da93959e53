package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the platform's price data says about one job spec: availability, the estimate and how far to trust it.
 * The shapes and rules are those of the platform's own quote helper ({@code quote_term_sheet.py}); docs/rockie.md
 * lists where day0 is stricter.
 *
 * <p>Two sources. {@code GET /api/gpu/market} answers rows (under {@code rows} or {@code options}, as a bare list,
 * or one row as the whole answer) with {@code gpu_type, gpu_count, region, tier, available} and prices: a total
 * ({@code recommended_total_cost_cents} of the answer, else the row's {@code marked_up_cost_cents} or
 * {@code recommended_total_cost_cents}) and a rate per GPU-hour ({@code marked_up_hourly_cents}, else
 * {@code usd_per_hour} or {@code price_usd_per_hour} in dollars). Rates are per GPU, so they are multiplied by the
 * GPU count. The estimate is the larger of the total and the rate over the wall-clock (never the smaller: a budget
 * that runs out mid-job is the worst outcome of a quote). {@code GET /api/gpu/prices}, the fallback when the market
 * route is missing, answers {@code {"prices": {gpu_type: US dollars per GPU-hour}}}: a list price with no capacity
 * information.
 */
public record Pricing(String availability, String statusCode, String statusReason, Long estimateCents,
                      String confidence, String confidenceStatement, String quoteSource) {

    /** What a row without {@code region} or {@code tier} offers, as the platform's helper reads it. */
    static final String DEFAULT_REGION = "us";
    static final String DEFAULT_TIER = "spot";
    private static final Set<String> AVAILABLE_STATUSES = Set.of("available", "ok", "ready");
    private static final List<String> ROUTE_MISSING_MARKERS = List.of("route", "endpoint", "not implemented",
            "not found", "/api/gpu/market");

    /**
     * Whether a market answer means "this platform has no market route" (then the price list is asked): only a
     * 404 whose body says so. A 404 saying {@code no_sku_fits} is the market's answer, not a missing route.
     */
    public static boolean isRouteMissing(int status, String body) {
        if (status != 404) {
            return false;
        }
        String text = body == null ? "" : body.toLowerCase(Locale.ROOT);
        if (text.contains("no_sku_fits")) {
            return false;
        }
        return ROUTE_MISSING_MARKERS.stream().anyMatch(text::contains);
    }

    /**
     * The quote states a price source answers with an HTTP status instead of prices: 402 insufficient credit, 502
     * the quote source failed, 503 out of stock. Null for any other status.
     */
    public static Pricing fromStatus(int status, String quoteSource) {
        return switch (status) {
            case 402 -> new Pricing("unavailable", "insufficient_credit", "Quote source rejected the request for "
                    + "insufficient credit. Top up or lower the duration / SKU.", null, "n/a", "No approvable quote.",
                    quoteSource);
            case 502 -> new Pricing("quote_failed", "quote_source_failed", "Quote source failed. Retry later; do "
                    + "not submit.", null, "n/a", "No approvable quote.", quoteSource);
            case 503 -> new Pricing("quote_failed", "out_of_stock", "Matching capacity is out of stock. Try "
                    + "another region/tier or wait.", null, "n/a", "No approvable quote.", quoteSource);
            default -> null;
        };
    }

    public static Pricing fromMarket(JsonNode doc, String source, JobSpec spec, String quoteSource) {
        Fields fields = new Fields(source);
        String text = doc.toString().toLowerCase(Locale.ROOT);
        if (text.contains("adapter") && text.contains("failed")) {
            return new Pricing("quote_failed", "quote_source_failed", "Every market adapter failed. Retry later; "
                    + "do not submit.", null, "n/a", "No approvable quote.", quoteSource);
        }
        List<JsonNode> rows = rows(doc, fields);
        List<JsonNode> matching = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (matches(fields, rows.get(i), "rows[" + i + "]", spec)) {
                matching.add(rows.get(i));
            }
        }
        String shape = spec.gpuCount() + " x " + spec.gpuType() + " in region " + spec.region() + ", tier "
                + spec.tier();
        if (matching.isEmpty()) {
            return new Pricing("unavailable", "no_sku_fits", "The market lists no offer for " + shape + ".",
                    null, "low", "No offer, no estimate.", quoteSource);
        }
        JsonNode row = matching.stream().filter(r -> available(fields, r, "rows[" + rows.indexOf(r) + "]"))
                .findFirst().orElse(null);
        if (row == null) {
            return new Pricing("unavailable", "out_of_stock", "The market lists " + shape
                    + " but marks it unavailable.", null, "low", "No capacity, no estimate.", quoteSource);
        }
        String path = "rows[" + rows.indexOf(row) + "]";
        Long total = firstNonNegative(fields, doc.isObject() ? doc : null, "recommended_total_cost_cents",
                "recommended_total_cost_cents");
        if (total == null) {
            total = firstNonNegative(fields, row, "marked_up_cost_cents", path + ".marked_up_cost_cents");
        }
        if (total == null) {
            total = firstNonNegative(fields, row, "recommended_total_cost_cents",
                    path + ".recommended_total_cost_cents");
        }
        Long byRate = null;
        boolean rateInCents = true;
        Long hourly = firstNonNegative(fields, row, "marked_up_hourly_cents", path + ".marked_up_hourly_cents");
        if (hourly != null) {
            byRate = overWallClock(BigDecimal.valueOf(hourly), spec);
        } else {
            for (String dollarsField : List.of("usd_per_hour", "price_usd_per_hour")) {
                BigDecimal dollars = nonNegativeDecimal(fields, row, dollarsField, path + "." + dollarsField);
                if (dollars != null) {
                    byRate = overWallClock(dollars.movePointRight(2), spec);
                    rateInCents = false;
                    break;
                }
            }
        }
        Long estimate;
        String confidence;
        String statement;
        String hours = Quotes.durationHours(spec.wallclockMinutes());
        if (total != null && byRate != null) {
            estimate = Math.max(total, byRate);
            confidence = rateInCents ? "high" : "medium";
            statement = "Market cost and hourly rate both quoted; the estimate is the larger of the cost and "
                    + spec.gpuCount() + " GPU(s) at the hourly rate for " + hours + " h.";
        } else if (total != null) {
            estimate = total;
            confidence = "medium";
            statement = "Market cost without an hourly rate: it could not be checked against the wall-clock.";
        } else if (byRate != null) {
            estimate = byRate;
            confidence = "medium";
            statement = "Hourly market rate for " + spec.gpuCount() + " GPU(s) over " + hours
                    + " h; no total cost quoted.";
        } else {
            return new Pricing("unavailable", "no_price", "The market lists " + shape + " without a usable price.",
                    null, "low", "The market row has no price.", quoteSource);
        }
        if (estimate <= 0) {
            return new Pricing("unavailable", "no_price", "The market lists " + shape + " without a usable price.",
                    null, "low", statement, quoteSource);
        }
        return new Pricing("available", "available", "Matching capacity is available.", estimate, confidence,
                statement, quoteSource);
    }

    public static Pricing fromPrices(JsonNode doc, String source, JobSpec spec, String quoteSource) {
        Fields fields = new Fields(source);
        ObjectNode root = fields.requireObject(doc, "");
        JsonNode prices = root.get("prices");
        JsonNode price;
        String field;
        if (prices != null && prices.isArray()) {
            return fromMarket(prices, source, spec, quoteSource).asListPrice();
        } else if (prices != null) {
            price = fields.requireObject(prices, "prices").get(spec.gpuType().name());
            field = "prices." + spec.gpuType();
        } else {
            price = root.get(spec.gpuType().name());
            field = spec.gpuType().name();
        }
        if (price == null || price.isNull()) {
            return new Pricing("unavailable", "no_sku_fits", "The price list has no " + spec.gpuType() + ".",
                    null, "low", "No list price, no estimate.", quoteSource);
        }
        Double dollars = Fields.finiteNumber(price);
        if (dollars == null || dollars <= 0) {
            throw fields.error(field, "must be a positive number of US dollars per GPU-hour, found "
                    + Fields.describe(price));
        }
        long estimate = overWallClock(price.decimalValue().movePointRight(2), spec);
        return new Pricing("available", "list_price", "The market route is not offered; list price of "
                + price.decimalValue().toPlainString() + " USD per GPU-hour. Capacity is confirmed only at submit.",
                estimate, "medium", "List price for " + spec.gpuCount() + " GPU(s) over "
                + Quotes.durationHours(spec.wallclockMinutes()) + " h: no market quote, no capacity check.",
                quoteSource);
    }

    private Pricing asListPrice() {
        if (!"available".equals(availability)) {
            return this;
        }
        return new Pricing(availability, "list_price", "The market route is not offered; priced from the price "
                + "list. Capacity is confirmed only at submit.", estimateCents, "medium", confidenceStatement,
                quoteSource);
    }

    /** The rows of a market answer in any of the shapes the platform uses. */
    private static List<JsonNode> rows(JsonNode doc, Fields fields) {
        List<JsonNode> rows = new ArrayList<>();
        JsonNode list = null;
        if (doc.isArray()) {
            list = doc;
        } else if (doc.isObject()) {
            for (String name : List.of("rows", "options")) {
                if (doc.has(name)) {
                    if (!doc.get(name).isArray()) {
                        throw fields.error(name, "is not a list: not a market response");
                    }
                    list = doc.get(name);
                    break;
                }
            }
            if (list == null && (doc.has("gpu_type") || doc.has("usd_per_hour") || doc.has("price_usd_per_hour")
                    || doc.has("marked_up_cost_cents"))) {
                rows.add(doc);
                return rows;
            }
        }
        if (list == null) {
            throw fields.error("", "has no rows (rows, options, a list or one row): not a market response");
        }
        for (int i = 0; i < list.size(); i++) {
            rows.add(fields.requireObject(list.get(i), "rows[" + i + "]"));
        }
        return rows;
    }

    private static boolean matches(Fields fields, JsonNode row, String path, JobSpec spec) {
        String type = fields.optionalString(row, "gpu_type", path + ".gpu_type");
        if (type == null) {
            type = fields.optionalString(row, "sku", path + ".sku");
        }
        if (type != null && !type.trim().equals(spec.gpuType().name())) {
            return false;
        }
        String countField = row.has("gpu_count") ? "gpu_count" : "count";
        var count = fields.optionalInteger(row, countField, path + "." + countField);
        if (count.isPresent() && count.getAsLong() != spec.gpuCount()) {
            return false;
        }
        String region = fields.optionalString(row, "region", path + ".region");
        String tier = fields.optionalString(row, "tier", path + ".tier");
        return (region == null ? DEFAULT_REGION : region).equals(spec.region())
                && (tier == null ? DEFAULT_TIER : tier).equals(spec.tier());
    }

    /** {@code available}, {@code is_available} or {@code in_stock} when given, else a {@code status}; else yes. */
    private static boolean available(Fields fields, JsonNode row, String path) {
        for (String name : List.of("available", "is_available", "in_stock")) {
            JsonNode value = row.get(name);
            if (value != null && !value.isNull()) {
                if (!value.isBoolean()) {
                    throw fields.error(path + "." + name, "must be true or false, found " + Fields.describe(value));
                }
                return value.booleanValue();
            }
        }
        String status = fields.optionalString(row, "status", path + ".status");
        if (status != null && !status.isBlank()) {
            return AVAILABLE_STATUSES.contains(status.toLowerCase(Locale.ROOT));
        }
        return true;
    }

    /** Cents per GPU-hour x GPUs x wall-clock minutes / 60, in exact arithmetic, rounded up. */
    private static long overWallClock(BigDecimal centsPerGpuHour, JobSpec spec) {
        return centsPerGpuHour.multiply(BigDecimal.valueOf(spec.gpuCount()))
                .multiply(BigDecimal.valueOf(spec.wallclockMinutes()))
                .divide(BigDecimal.valueOf(60), 0, RoundingMode.CEILING).longValueExact();
    }

    private static Long firstNonNegative(Fields fields, JsonNode row, String name, String path) {
        if (row == null || row.get(name) == null || row.get(name).isNull()) {
            return null;
        }
        var value = fields.optionalInteger(row, name, path);
        if (value.isEmpty()) {
            return null;
        }
        if (value.getAsLong() < 0) {
            throw fields.error(path, "must not be negative, got " + value.getAsLong());
        }
        return value.getAsLong();
    }

    private static BigDecimal nonNegativeDecimal(Fields fields, JsonNode row, String name, String path) {
        JsonNode value = row.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        Double number = Fields.finiteNumber(value);
        if (number == null || number < 0) {
            throw fields.error(path, "must be a non-negative number of US dollars per GPU-hour, found "
                    + Fields.describe(value));
        }
        return value.decimalValue();
    }
}
