package dev.day0.rockie;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Turns a job spec and the platform's prices into a pending term sheet. */
public final class Quotes {
    /** The cost split every sheet shows, in percent of the estimate; they add up to 100. */
    public static final List<String> STAGE_NAMES =
            List.of("bootstrap", "data_prep", "train_or_run", "eval", "artifact_storage");
    static final int[] STAGE_PERCENT = {5, 10, 75, 7, 3};
    /** The stage that takes the cents rounding leaves over, so the stages sum exactly to the estimate. */
    static final int REMAINDER_STAGE = 2;
    /** The smallest margin a recommended budget keeps over the estimate, in cents. */
    public static final long MIN_MARGIN_CENTS = 5000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Quotes() {
    }

    /** The stages of an estimate: each share rounded down, the remainder to train_or_run. */
    public static List<TermSheet.Stage> stages(long estimateCents) {
        long[] cents = new long[STAGE_PERCENT.length];
        long assigned = 0;
        for (int i = 0; i < cents.length; i++) {
            cents[i] = Math.floorDiv(Math.multiplyExact(estimateCents, STAGE_PERCENT[i]), 100);
            assigned += cents[i];
        }
        cents[REMAINDER_STAGE] += estimateCents - assigned;
        List<TermSheet.Stage> stages = new ArrayList<>();
        for (int i = 0; i < cents.length; i++) {
            stages.add(new TermSheet.Stage(STAGE_NAMES.get(i), cents[i]));
        }
        return stages;
    }

    /**
     * max(1.5 x estimate, estimate + 50 USD); with low confidence max(2 x estimate, estimate + 50 USD). Rounded up
     * to whole cents.
     */
    public static long recommendedBudget(long estimateCents, String confidence) {
        long scaled = "low".equals(confidence)
                ? Math.multiplyExact(estimateCents, 2)
                : BigDecimal.valueOf(estimateCents).multiply(new BigDecimal("1.5"))
                        .setScale(0, RoundingMode.CEILING).longValueExact();
        return Math.max(scaled, Math.addExact(estimateCents, MIN_MARGIN_CENTS));
    }

    public static ObjectNode termSheet(JobSpec spec, Pricing pricing, Instant now) {
        String confidence = pricing.confidence();
        String statement = pricing.confidenceStatement();
        if ("low".equals(spec.confidence()) && !"low".equals(confidence)
                || "medium".equals(spec.confidence()) && "high".equals(confidence)) {
            confidence = spec.confidence();
            statement = statement + " Lowered to " + confidence + " by the job spec.";
        }
        Long estimate = pricing.estimateCents();
        boolean approvable = "available".equals(pricing.availability()) && estimate != null && estimate > 0;

        ObjectNode sheet = Json.object();
        sheet.put("quote_id", "qts_" + HexFormat.of().formatHex(randomBytes(10)));
        sheet.put("job_shape", spec.jobShape());
        sheet.put("availability", pricing.availability());
        sheet.put("status_code", pricing.statusCode());
        sheet.put("status_reason", pricing.statusReason());
        sheet.put("quote_source", pricing.quoteSource());
        sheet.put("generated_at", now.truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode compute = sheet.putObject("compute");
        compute.put("display_provider", "Rockie GPU");
        compute.put("gpu_type", spec.gpuType().name());
        compute.put("gpu_count", spec.gpuCount());
        compute.put("region", spec.region());
        compute.put("tier", spec.tier());
        ArrayNode stageList = sheet.putArray("stages");
        if (estimate != null && estimate > 0) {
            for (TermSheet.Stage stage : stages(estimate)) {
                stageList.addObject().put("name", stage.name()).put("cents", stage.cents());
            }
            long recommended = recommendedBudget(estimate, confidence);
            sheet.put("estimate_cents", estimate);
            sheet.put("recommended_budget_cents", recommended);
            sheet.put("user_budget_cents", spec.budgetCents() != null ? spec.budgetCents() : recommended);
        } else {
            sheet.putNull("estimate_cents");
            sheet.putNull("recommended_budget_cents");
            sheet.putNull("user_budget_cents");
        }
        sheet.put("wallclock_minutes", spec.wallclockMinutes());
        sheet.put("confidence_bucket", confidence);
        sheet.put("confidence_statement", statement);
        ObjectNode decision = sheet.putObject(TermSheet.DECISION);
        decision.put("state", "pending");
        decision.put("approvable", approvable);
        decision.put("approved_for_submit", false);
        return sheet;
    }

    /** The wall-clock in hours with two decimals, as the market's {@code duration_hours} parameter takes it. */
    public static String durationHours(int wallclockMinutes) {
        return BigDecimal.valueOf(wallclockMinutes).divide(BigDecimal.valueOf(60), 2, RoundingMode.HALF_EVEN)
                .toPlainString();
    }

    /**
     * The query of {@code GET /api/gpu/market} as the platform's quote helper sends it: {@code gpu_type},
     * {@code gpu_count}, {@code duration_hours} (two decimals), {@code region}, {@code tier}.
     */
    public static java.util.Map<String, String> marketQuery(JobSpec spec) {
        java.util.Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("gpu_type", spec.gpuType().name());
        query.put("gpu_count", Integer.toString(spec.gpuCount()));
        query.put("duration_hours", durationHours(spec.wallclockMinutes()));
        query.put("region", spec.region());
        query.put("tier", spec.tier());
        return query;
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
