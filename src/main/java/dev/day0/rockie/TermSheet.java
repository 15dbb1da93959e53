package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A budget term sheet: the quote a person approves before GPU money is spent. Reading one checks its structure
 * (anything else is "no term sheet", exit 9); the approval checks live in {@link Approval} and {@link Preflight}.
 *
 * <p>{@code quote_sha256} is the SHA-256 of the canonical JSON of the sheet without its {@code decision} block:
 * object keys sorted, no whitespace, strings as JSON writes them (UTF-8, not ASCII-escaped), numbers as written.
 * Any change to the quote after approval, the budget included, changes the hash.
 */
public final class TermSheet {
    public static final String DECISION = "decision";

    /** One line of the cost split. */
    public record Stage(String name, long cents) {
    }

    private final ObjectNode json;
    private final String source;
    private final String quoteId;
    private final String availability;
    private final String gpuType;
    private final long gpuCount;
    private final String region;
    private final String tier;
    private final Long estimateCents;
    private final Long recommendedBudgetCents;
    private final Long userBudgetCents;
    private final long wallclockMinutes;
    private final List<Stage> stages;
    private final long stagesTotal;
    private final String decisionState;
    private final boolean approvable;
    private final boolean approvedForSubmit;
    private final String approvedBy;
    private final String approvedAt;
    private final String recordedSha256;
    private final String approvalHmac;

    private TermSheet(ObjectNode json, String source) {
        this.json = json;
        this.source = source;
        Fields fields = new Fields(source);
        quoteId = fields.requireString(json, "quote_id", "quote_id");
        availability = fields.requireString(json, "availability", "availability");
        ObjectNode compute = fields.requireObject(json.get("compute"), "compute");
        gpuType = fields.requireString(compute, "gpu_type", "compute.gpu_type");
        gpuCount = requireLong(fields, compute, "gpu_count", "compute.gpu_count");
        region = fields.requireString(compute, "region", "compute.region");
        tier = fields.requireString(compute, "tier", "compute.tier");
        estimateCents = optionalLong(fields, json, "estimate_cents", "estimate_cents");
        recommendedBudgetCents = optionalLong(fields, json, "recommended_budget_cents", "recommended_budget_cents");
        userBudgetCents = optionalLong(fields, json, "user_budget_cents", "user_budget_cents");
        wallclockMinutes = requireLong(fields, json, "wallclock_minutes", "wallclock_minutes");
        stages = new ArrayList<>();
        JsonNode stageList = json.get("stages");
        if (stageList != null && !stageList.isNull()) {
            if (!stageList.isArray()) {
                throw fields.error("stages", "must be a list, found " + Fields.describe(stageList));
            }
            long total = 0;
            for (int i = 0; i < stageList.size(); i++) {
                ObjectNode stage = fields.requireObject(stageList.get(i), "stages[" + i + "]");
                long cents = requireLong(fields, stage, "cents", "stages[" + i + "].cents");
                // The stages must add up to the estimate before anything is approved: a negative stage, or a sum
                // that wraps past the largest long, could make nonsense add up to it.
                if (cents < 0) {
                    throw fields.error("stages[" + i + "].cents", "must not be negative, found " + cents);
                }
                try {
                    total = Math.addExact(total, cents);
                } catch (ArithmeticException e) {
                    throw fields.error("stages[" + i + "].cents", "takes the stages' sum past the largest number "
                            + "of cents a quote can hold (" + Long.MAX_VALUE + ")");
                }
                stages.add(new Stage(fields.requireString(stage, "name", "stages[" + i + "].name"), cents));
            }
            stagesTotal = total;
        } else {
            stagesTotal = 0;
        }
        ObjectNode decision = fields.requireObject(json.get(DECISION), DECISION);
        decisionState = fields.requireString(decision, "state", "decision.state");
        approvable = decision.path("approvable").asBoolean(false) && decision.path("approvable").isBoolean();
        approvedForSubmit = decision.path("approved_for_submit").isBoolean()
                && decision.path("approved_for_submit").booleanValue();
        approvedBy = fields.optionalString(decision, "approved_by", "decision.approved_by");
        approvedAt = fields.optionalString(decision, "approved_at", "decision.approved_at");
        recordedSha256 = fields.optionalString(decision, "quote_sha256", "decision.quote_sha256");
        approvalHmac = fields.optionalString(decision, Approval.HMAC_FIELD, "decision." + Approval.HMAC_FIELD);
    }

    /**
     * Reads a term sheet file. The text passes the redactor first, so a secret that found its way into a quote is
     * never copied into an approval, a request body or a state file.
     */
    public static TermSheet read(Path file, Redactor redactor) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw noSheet(name + ": no term sheet: file not found (quote one with 'day0 rockie quote')");
        } catch (IOException e) {
            throw noSheet(name + ": no term sheet: cannot be read: " + e.getMessage());
        }
        if (text.isBlank()) {
            throw noSheet(name + ": no term sheet: the file is empty");
        }
        try {
            return of(Json.parse(redactor.redact(text), name), name);
        } catch (InputException e) {
            throw noSheet("no term sheet: " + e.getMessage());
        }
    }

    /** Checks the structure of a parsed sheet; every defect is exit 9. */
    public static TermSheet of(JsonNode node, String source) {
        if (node == null || !node.isObject()) {
            throw noSheet(source + ": no term sheet: expected a JSON object, found " + Fields.describe(node));
        }
        try {
            return new TermSheet((ObjectNode) node.deepCopy(), source);
        } catch (InputException e) {
            throw noSheet("no term sheet: " + e.getMessage());
        }
    }

    private static RockieException noSheet(String message) {
        return new RockieException(RockieExit.NO_TERM_SHEET.code(), "NO_TERM_SHEET", message);
    }

    private static long requireLong(Fields fields, JsonNode parent, String name, String path) {
        Long value = optionalLong(fields, parent, name, path);
        if (value == null) {
            throw fields.error(path, "is missing, expected a whole number");
        }
        return value;
    }

    private static Long optionalLong(Fields fields, JsonNode parent, String name, String path) {
        var value = fields.optionalInteger(parent, name, path);
        return value.isPresent() ? value.getAsLong() : null;
    }

    /** The SHA-256 of the quote without its decision block (see the class comment). */
    public String computeSha256() {
        return quoteSha256(json);
    }

    public static String quoteSha256(ObjectNode sheet) {
        ObjectNode quote = sheet.deepCopy();
        quote.remove(DECISION);
        return FileDigest.sha256(canonical(quote).getBytes(StandardCharsets.UTF_8));
    }

    /** Canonical JSON: keys sorted at every level, compact. */
    public static String canonical(JsonNode node) {
        return Json.writeLine(sorted(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> entries = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                entries.put(entry.getKey(), sorted(entry.getValue()));
            }
            ObjectNode copy = Json.object();
            entries.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            var copy = Json.array();
            node.forEach(item -> copy.add(sorted(item)));
            return copy;
        }
        return node;
    }

    public ObjectNode json() {
        return json.deepCopy();
    }

    public String source() {
        return source;
    }

    public String quoteId() {
        return quoteId;
    }

    public String jobShape() {
        return json.path("job_shape").asText("");
    }

    public String availability() {
        return availability;
    }

    public boolean available() {
        return "available".equals(availability);
    }

    public String gpuType() {
        return gpuType;
    }

    public long gpuCount() {
        return gpuCount;
    }

    public String region() {
        return region;
    }

    public String tier() {
        return tier;
    }

    public Long estimateCents() {
        return estimateCents;
    }

    public Long recommendedBudgetCents() {
        return recommendedBudgetCents;
    }

    public Long userBudgetCents() {
        return userBudgetCents;
    }

    public long wallclockMinutes() {
        return wallclockMinutes;
    }

    public List<Stage> stages() {
        return List.copyOf(stages);
    }

    public long stagesTotal() {
        return stagesTotal;
    }

    public String decisionState() {
        return decisionState;
    }

    public boolean approvable() {
        return approvable;
    }

    public boolean approvedForSubmit() {
        return approvedForSubmit;
    }

    public String approvedBy() {
        return approvedBy;
    }

    public String approvedAt() {
        return approvedAt;
    }

    /** The approval's HMAC-SHA256 ({@link Approval#verify}); null when the sheet carries none. */
    public String approvalHmac() {
        return approvalHmac;
    }

    /** The hash recorded at approval; null when the sheet was never approved by day0. */
    public String recordedSha256() {
        return recordedSha256;
    }
}
