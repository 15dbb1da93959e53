package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict typed reading of one plan file. Every error names the plan file and the field path; unknown fields are
 * errors too, because a misspelt {@code treshold} that is silently ignored changes a release decision.
 */
final class PlanReader {
    private final Fields fields;

    PlanReader(String source) {
        this.fields = new Fields(source);
    }

    String source() {
        return fields.source();
    }

    InputException error(String field, String problem) {
        return fields.error(field, problem);
    }

    ObjectNode object(JsonNode node, String field) {
        return fields.requireObject(node, field);
    }

    /** Refuses fields the plan format does not define. */
    void onlyKnown(ObjectNode node, String field, Set<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw error(join(field, name), "unknown field (known here: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    String requireString(ObjectNode parent, String name, String field) {
        String value = fields.requireString(parent, name, join(field, name));
        if (value.isBlank()) {
            throw error(join(field, name), "must not be empty");
        }
        return value;
    }

    String optionalString(ObjectNode parent, String name, String field) {
        String value = fields.optionalString(parent, name, join(field, name));
        if (value != null && value.isBlank()) {
            throw error(join(field, name), "must not be empty");
        }
        return value;
    }

    boolean optionalBoolean(ObjectNode parent, String name, String field, boolean fallback) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw error(join(field, name), "must be true or false, found " + Fields.describe(node));
        }
        return node.booleanValue();
    }

    /** A whole number within [min, max], or the fallback when absent. */
    long optionalLong(ObjectNode parent, String name, String field, long fallback, long min, long max) {
        OptionalLong value = fields.optionalInteger(parent, name, join(field, name));
        if (value.isEmpty()) {
            return fallback;
        }
        long v = value.getAsLong();
        if (v < min || v > max) {
            throw error(join(field, name), "must be between " + min + " and " + max + ", found " + v);
        }
        return v;
    }

    long requireLong(ObjectNode parent, String name, String field, long min, long max) {
        if (!parent.has(name) || parent.get(name).isNull()) {
            throw error(join(field, name), "is missing, expected a whole number");
        }
        return optionalLong(parent, name, field, 0, min, max);
    }

    OptionalDouble optionalNumber(ObjectNode parent, String name, String field) {
        return fields.optionalFiniteNumber(parent, name, join(field, name));
    }

    /** A non-empty list of distinct, non-empty strings. */
    List<String> requireStringList(ObjectNode parent, String name, String field) {
        String path = join(field, name);
        if (!parent.has(name) || parent.get(name).isNull()) {
            throw error(path, "is missing, expected a list of strings");
        }
        List<String> values = fields.optionalStringList(parent, name, path);
        if (values.isEmpty()) {
            throw error(path, "must not be empty");
        }
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).isBlank()) {
                throw error(path + "[" + i + "]", "must not be empty");
            }
            if (!seen.add(values.get(i))) {
                throw error(path + "[" + i + "]", "\"" + values.get(i) + "\" is listed twice");
            }
        }
        return values;
    }

    List<String> optionalStringList(ObjectNode parent, String name, String field) {
        return fields.optionalStringList(parent, name, join(field, name));
    }

    /** A map of names to string values (an environment block). Numbers and booleans are taken as their text. */
    Map<String, String> optionalStringMap(ObjectNode parent, String name, String field) {
        Map<String, String> values = new LinkedHashMap<>();
        ObjectNode node = fields.optionalObject(parent, name, join(field, name));
        if (node == null) {
            return values;
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            String path = join(join(field, name), entry.getKey());
            if (!entry.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw error(path, "is not a valid environment variable name");
            }
            if (!(value.isTextual() || value.isNumber() || value.isBoolean())) {
                throw error(path, "must be a string, found " + Fields.describe(value));
            }
            values.put(entry.getKey(), value.isNumber() ? value.decimalValue().toPlainString() : value.asText());
        }
        return values;
    }

    PathTemplate requirePath(ObjectNode parent, String name, String field) {
        return PathTemplate.of(requireString(parent, name, field), source(), join(field, name));
    }

    PathTemplate optionalPath(ObjectNode parent, String name, String field) {
        String text = optionalString(parent, name, field);
        return text == null ? null : PathTemplate.of(text, source(), join(field, name));
    }

    /** One of a fixed set of words, or the fallback when absent. */
    String optionalChoice(ObjectNode parent, String name, String field, List<String> choices, String fallback) {
        String value = optionalString(parent, name, field);
        if (value == null) {
            return fallback;
        }
        if (!choices.contains(value)) {
            throw error(join(field, name), "must be one of " + String.join(", ", choices) + ", found \""
                    + value + "\"");
        }
        return value;
    }

    List<Integer> optionalIntList(ObjectNode parent, String name, String field, List<Integer> fallback,
                                  int min, int max) {
        JsonNode node = parent.get(name);
        String path = join(field, name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isArray()) {
            throw error(path, "must be a list of whole numbers, found " + Fields.describe(node));
        }
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            Long value = Fields.wholeNumber(node.get(i));
            if (value == null || value < min || value > max) {
                throw error(path + "[" + i + "]", "must be a whole number between " + min + " and " + max
                        + ", found " + Fields.describe(node.get(i)));
            }
            values.add(value.intValue());
        }
        return values;
    }

    static String join(String field, String name) {
        return field == null || field.isEmpty() ? name : field + "." + name;
    }
}
