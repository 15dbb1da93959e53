package dev.day0.sota;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.core.Direction;
import dev.day0.io.Json;

/**
 * One number the source claims.
 *
 * @param name the metric's name, unique in the claims file; the key in metrics.json unless a pointer is given
 * @param value the claimed value
 * @param direction whether higher or lower is better
 * @param pointer a JSON Pointer (RFC 6901) to the value in metrics.json, or null for the default lookup
 * @param tolerance how far a reproduction may fall short and still reproduce the claim
 * @param where where the source states it (e.g. "Table 2"), or null
 */
public record ClaimedMetric(String name, double value, Direction direction, String pointer, Tolerance tolerance,
                            String where) {
    /** The pointer used to find this metric: the explicit one, else {@code /metrics/NAME} or {@code /NAME}. */
    JsonPointer pointerIn(boolean hasMetricsObject) {
        if (pointer != null) {
            return JsonPointer.compile(pointer);
        }
        JsonPointer byName = JsonPointer.compile("/" + name.replace("~", "~0").replace("/", "~1"));
        return hasMetricsObject ? JsonPointer.compile("/metrics").append(byName) : byName;
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("name", name);
        json.put("claimed", Decimals.round(value));
        json.put("direction", direction.metricLabel());
        json.put("pointer", pointer);
        json.set("tolerance", tolerance.toJson());
        json.put("allowed_shortfall", Decimals.round(tolerance.allowance(value)));
        json.put("where", where);
        return json;
    }

    /** The success criterion in words: {@code accuracy >= 91.63 (claimed 93.5, higher is better, ...)}. */
    public String criterion() {
        double allowance = tolerance.allowance(value);
        double bound = direction == Direction.HIGHER ? value - allowance : value + allowance;
        return name + " " + direction.comparator() + " " + Decimals.text(bound) + " (claimed "
                + Decimals.text(value) + ", " + direction.metricLabel().replace('_', ' ') + ", tolerance "
                + tolerance.describe() + ")";
    }
}
