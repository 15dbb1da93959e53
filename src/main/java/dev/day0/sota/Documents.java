package dev.day0.sota;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Fields;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Checks shared by the claims and recipe readers: strict field sets and plain, printable text. */
final class Documents {
    private Documents() {
    }

    /** Rejects a field this format does not define: a misspelt {@code direciton} must not be silently ignored. */
    static void knownFields(Fields fields, JsonNode object, String path, List<String> known) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw fields.error(join(path, name), "unknown field (known: " + String.join(", ",
                        new TreeSet<>(known)) + ")");
            }
        }
    }

    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** A required, non-blank single-line string of at most {@code max} characters. */
    static String requireLine(Fields fields, JsonNode parent, String name, String path, int max) {
        String value = optionalLine(fields, parent, name, path, max);
        if (value == null) {
            throw fields.error(path, "is missing, expected a string");
        }
        return value;
    }

    /** An optional single-line string; blank counts as a mistake, not as absent. */
    static String optionalLine(Fields fields, JsonNode parent, String name, String path, int max) {
        String value = fields.optionalString(parent, name, path);
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw fields.error(path, "is blank");
        }
        if (value.length() > max) {
            throw fields.error(path, "is " + value.length() + " characters long, at most " + max + " allowed");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw fields.error(path, "contains control characters (line breaks, tabs)");
        }
        return value.strip();
    }

    /** A string or a number written as text (YAML reads {@code version: 1.0} as a number). */
    static String optionalLabel(Fields fields, JsonNode parent, String name, String path, int max) {
        JsonNode node = parent.get(name);
        if (node != null && node.isNumber()) {
            return node.asText();
        }
        return optionalLine(fields, parent, name, path, max);
    }
}
