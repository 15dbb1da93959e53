package dev.day0.noise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The standard errors of one run's scores ({@code --baseline-stderr} / {@code --candidate-stderr}), in one of two
 * shapes:
 * <ul>
 *   <li>{@code {task: stderr}} on the same scale as the score files; a value may be {@code "N/A"} or null (lm-eval
 *       writes "N/A" for metrics it has no standard error for), which means "not available";</li>
 *   <li>an lm-evaluation-harness {@code results_*.json} as written: the task's {@code "<metric>_stderr,<filter>"}
 *       entry, on the harness's own scale, which is reconciled with the compared score through the harness's
 *       {@code "<metric>,<filter>"} value next to it.</li>
 * </ul>
 * A negative number, a boolean or any other string is an input error; NaN counts as not available.
 */
public final class StandardErrors {
    private final String source;
    private final ObjectNode document;
    private final boolean lmEval;

    private StandardErrors(String source, ObjectNode document, boolean lmEval) {
        this.source = source;
        this.document = document;
        this.lmEval = lmEval;
    }

    public static StandardErrors read(Path file) {
        return parse(Json.read(file), file.toString());
    }

    public static StandardErrors parse(JsonNode node, String source) {
        Fields fields = new Fields(source);
        ObjectNode document = fields.requireObject(node, "");
        if (document.has("results") && document.get("results").isObject()) {
            return new StandardErrors(source, (ObjectNode) document.get("results"), true);
        }
        Iterator<Map.Entry<String, JsonNode>> it = document.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            checkValue(fields, entry.getKey(), entry.getValue());
        }
        return new StandardErrors(source, document, false);
    }

    public String source() {
        return source;
    }

    /**
     * One task's standard error.
     *
     * @param value the standard error, or null when not available
     * @param reportedScore for lm-eval results, the harness's score next to it (to reconcile scales), else null
     * @param unavailable why there is none, when value is null
     */
    public record Entry(Double value, Double reportedScore, String unavailable) {
    }

    /**
     * The standard error of {@code task}'s canonical metric.
     *
     * @param metric the policy's canonical metric ({@code name} or {@code name,filter}), or null
     */
    public Entry lookup(String task, String metric) {
        Fields fields = new Fields(source);
        if (!lmEval) {
            JsonNode value = document.get(task);
            if (value == null) {
                return new Entry(null, null, "no entry for " + task + " in " + source);
            }
            return entry(checkValue(fields, task, value), null, task);
        }
        JsonNode row = document.get(task);
        if (row == null || !row.isObject()) {
            return new Entry(null, null, "no results." + task + " in " + source);
        }
        String key = metric == null ? null : metricKey(metric);
        if (key == null) {
            List<String> candidates = new ArrayList<>();
            row.fieldNames().forEachRemaining(name -> {
                if (name.contains("_stderr,")) {
                    candidates.add(name.replace("_stderr,", ","));
                }
            });
            if (candidates.size() != 1) {
                throw fields.error("results." + task, candidates.isEmpty() ? "has no \"<metric>_stderr,<filter>\" entry"
                        : "has several metrics (" + String.join(", ", candidates) + "); name the canonical one in the "
                        + "policy (metric: name,filter)");
            }
            key = candidates.get(0);
        }
        int comma = key.indexOf(',');
        String stderrKey = key.substring(0, comma) + "_stderr" + key.substring(comma);
        JsonNode score = row.get(key);
        Double reported = Fields.finiteNumber(score);
        if (reported == null) {
            return new Entry(null, null, "results." + task + "." + key + " in " + source + " is "
                    + Fields.describe(score) + ", not a score");
        }
        JsonNode value = row.get(stderrKey);
        if (value == null) {
            return new Entry(null, reported, "no results." + task + "." + stderrKey + " in " + source);
        }
        return entry(checkValue(fields, "results." + task + "." + stderrKey, value), reported, task);
    }

    private Entry entry(Double value, Double reported, String task) {
        if (value == null) {
            return new Entry(null, reported, "the standard error of " + task + " in " + source + " is not available");
        }
        if (value.isNaN()) {
            return new Entry(null, reported, "the standard error of " + task + " in " + source + " is NaN");
        }
        if (value == 0) {
            return new Entry(null, reported, "the standard error of " + task + " in " + source
                    + " is 0, which no real evaluation has");
        }
        return new Entry(value, reported, null);
    }

    /** The metric's results key: {@code acc} means {@code acc,none}. */
    static String metricKey(String metric) {
        return metric.contains(",") ? metric : metric + ",none";
    }

    /** A number, NaN, or null for "N/A" and null; anything else is an input error. */
    private static Double checkValue(Fields fields, String field, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual() && value.textValue().trim().toUpperCase(Locale.ROOT).equals("N/A")) {
            return null;
        }
        if (value.isNumber()) {
            double number = value.doubleValue();
            if (Double.isNaN(number)) {
                return Double.NaN;
            }
            if (Double.isFinite(number) && number >= 0) {
                return number;
            }
        }
        throw new InputException(fields.source(), field, "must be a standard error (a finite number of at least 0, "
                + "\"N/A\" or null), found " + Fields.describe(value));
    }
}
