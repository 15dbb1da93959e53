package dev.day0.rockie;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a person wants to run, as input to a quote: {@code job_shape}, {@code gpu_type}, {@code gpu_count},
 * {@code region}, {@code tier}, {@code wallclock_minutes}, optionally {@code budget_cents} (default: the recommended
 * budget) and {@code confidence: low|medium|high} (which can only lower the quote's confidence). JSON, or YAML when
 * the file name ends in .yaml or .yml.
 */
public record JobSpec(String jobShape, GpuType gpuType, int gpuCount, String region, String tier,
                      int wallclockMinutes, Long budgetCents, String confidence) {
    public static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    static final Set<String> CONFIDENCE = Set.of("low", "medium", "high");
    public static final int MAX_GPUS = 64;
    static final int MAX_WALLCLOCK_MINUTES = 7 * 24 * 60;

    public static JobSpec read(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        JsonNode doc = name.endsWith(".yaml") || name.endsWith(".yml") ? Json.readYaml(file) : Json.read(file);
        return of(doc, file.toString());
    }

    public static JobSpec of(JsonNode doc, String source) {
        Fields fields = new Fields(source);
        ObjectNode spec = fields.requireObject(doc, "");
        String shape = token(fields, spec, "job_shape");
        String gpu = fields.requireString(spec, "gpu_type", "gpu_type");
        GpuType type = GpuType.parse(gpu).orElseThrow(() -> fields.error("gpu_type",
                "unknown GPU type \"" + gpu + "\" (known: " + GpuType.known() + ")"));
        long count = fields.optionalInteger(spec, "gpu_count", "gpu_count")
                .orElseThrow(() -> fields.error("gpu_count", "is missing, expected a whole number"));
        if (count < 1 || count > MAX_GPUS) {
            throw fields.error("gpu_count", "must be between 1 and " + MAX_GPUS + ", got " + count);
        }
        long minutes = fields.optionalInteger(spec, "wallclock_minutes", "wallclock_minutes")
                .orElseThrow(() -> fields.error("wallclock_minutes", "is missing, expected a whole number"));
        if (minutes < 2 || minutes > MAX_WALLCLOCK_MINUTES) {
            throw fields.error("wallclock_minutes", "must be between 2 and " + MAX_WALLCLOCK_MINUTES + ", got "
                    + minutes);
        }
        var budget = fields.optionalInteger(spec, "budget_cents", "budget_cents");
        if (budget.isPresent() && budget.getAsLong() <= 0) {
            throw fields.error("budget_cents", "must be positive, got " + budget.getAsLong());
        }
        String confidence = fields.optionalString(spec, "confidence", "confidence");
        if (confidence != null && !CONFIDENCE.contains(confidence)) {
            throw fields.error("confidence", "must be low, medium or high, got \"" + confidence + "\"");
        }
        return new JobSpec(shape, type, (int) count, token(fields, spec, "region"), token(fields, spec, "tier"),
                (int) minutes, budget.isPresent() ? budget.getAsLong() : null, confidence);
    }

    private static String token(Fields fields, ObjectNode spec, String name) {
        String value = fields.requireString(spec, name, name);
        if (!TOKEN.matcher(value).matches()) {
            throw fields.error(name, "must be a short name of letters, digits, '_', '.' or '-', got \""
                    + value + "\"");
        }
        return value;
    }
}
