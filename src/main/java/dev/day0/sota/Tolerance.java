package dev.day0.sota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.util.List;
import java.util.OptionalDouble;

/**
 * How far a value may fall short of a reference (a claimed value, or a baseline) and still count as the same.
 * The allowance is {@code max(absolute, relative * |reference|)}: when both are given, meeting either is enough.
 * The maximum rather than the sum keeps the allowance no larger than the more lenient bound a person wrote.
 *
 * @param absolute allowed shortfall in the metric's own units (0 when not given)
 * @param relative allowed shortfall as a fraction of |reference| (0 when not given)
 * @param origin where it came from: {@code metric} (the metric's own), {@code claims} (the claims file's
 *     default) or {@code day0-default}
 */
public record Tolerance(double absolute, double relative, String origin) {
    /** When a claims file states no tolerance: 2 % of the claimed value, the run-to-run spread of most papers. */
    public static final Tolerance DEFAULT = new Tolerance(0.0, 0.02, "day0-default");

    public double allowance(double reference) {
        return Math.max(absolute, relative * Math.abs(reference));
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("absolute", Decimals.round(absolute));
        json.put("relative", Decimals.round(relative));
        json.put("origin", origin);
        return json;
    }

    public String describe() {
        if (absolute > 0 && relative > 0) {
            return "absolute " + Decimals.text(absolute) + " or relative " + Decimals.percent(relative);
        }
        if (absolute > 0) {
            return "absolute " + Decimals.text(absolute);
        }
        return "relative " + Decimals.percent(relative);
    }

    /** Reads {@code {absolute, relative}}; at least one must be given, each finite and at least 0. */
    static Tolerance read(Fields fields, JsonNode node, String path, String origin) {
        fields.requireObject(node, path);
        Documents.knownFields(fields, node, path, List.of("absolute", "relative"));
        OptionalDouble absolute = fields.optionalFiniteNumber(node, "absolute", path + ".absolute");
        OptionalDouble relative = fields.optionalFiniteNumber(node, "relative", path + ".relative");
        if (absolute.isEmpty() && relative.isEmpty()) {
            throw fields.error(path, "give absolute and/or relative");
        }
        if (absolute.isPresent() && absolute.getAsDouble() < 0) {
            throw fields.error(path + ".absolute", "must be at least 0, found " + absolute.getAsDouble());
        }
        if (relative.isPresent() && (relative.getAsDouble() < 0 || relative.getAsDouble() > 1)) {
            throw fields.error(path + ".relative", "must be a fraction between 0 and 1 (0.02 is 2 %), found "
                    + relative.getAsDouble());
        }
        return new Tolerance(absolute.orElse(0), relative.orElse(0), origin);
    }
}
