package dev.day0.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Typed access to fields of a parsed document, each failure an {@link InputException} that names the source and
 * the field path. "Number" means a JSON number token: booleans and numeric strings are never numbers here.
 */
public final class Fields {
    /** How much of a string or a number's text is echoed into a result or an error message. */
    static final int MAX_ECHO_CHARS = 200;

    private final String source;

    public Fields(String source) {
        this.source = source;
    }

    public String source() {
        return source;
    }

    public InputException error(String field, String problem) {
        return new InputException(source, field, problem);
    }

    public ObjectNode requireObject(JsonNode node, String field) {
        if (node == null || node.isMissingNode()) {
            throw error(field, "is missing, expected an object");
        }
        if (!node.isObject()) {
            throw error(field, "must be an object, found " + describe(node));
        }
        return (ObjectNode) node;
    }

    /** An optional object field: absent or null yields null; anything else but an object is an error. */
    public ObjectNode optionalObject(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        return requireObject(node, field);
    }

    /** An optional string field; a value of another type is an error. */
    public String optionalString(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw error(field, "must be a string, found " + describe(node));
        }
        return node.textValue();
    }

    public String requireString(JsonNode parent, String name, String field) {
        String value = optionalString(parent, name, field);
        if (value == null) {
            throw error(field, "is missing, expected a string");
        }
        return value;
    }

    /** An optional whole number: 3 and 3.0 are accepted, 3.5, "3", true and NaN are not. */
    public OptionalLong optionalInteger(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return OptionalLong.empty();
        }
        Long value = wholeNumber(node);
        if (value == null) {
            throw error(field, "must be a whole number, found " + describe(node));
        }
        return OptionalLong.of(value);
    }

    /** An optional finite number; booleans, strings, NaN and infinities are errors. */
    public OptionalDouble optionalFiniteNumber(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return OptionalDouble.empty();
        }
        Double value = finiteNumber(node);
        if (value == null) {
            throw error(field, "must be a finite number, found " + describe(node));
        }
        return OptionalDouble.of(value);
    }

    /** A list of strings; null or absent yields an empty list. */
    public List<String> optionalStringList(JsonNode parent, String name, String field) {
        JsonNode node = parent.get(name);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw error(field, "must be a list of strings, found " + describe(node));
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw error(field + "[" + i + "]", "must be a string, found " + describe(item));
            }
            values.add(item.textValue());
        }
        return values;
    }

    /** The value of a JSON number token when it is finite, else null (booleans and strings are not numbers). */
    public static Double finiteNumber(JsonNode node) {
        if (node == null || !node.isNumber()) {
            return null;
        }
        double value = node.doubleValue();
        return Double.isFinite(value) ? value : null;
    }

    /** The value of a JSON number token when it is a whole number that fits a long, else null. */
    public static Long wholeNumber(JsonNode node) {
        if (node == null || !node.isNumber()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            BigInteger big = node.bigIntegerValue();
            return big.bitLength() < 64 ? big.longValue() : null;
        }
        if (!Double.isFinite(node.doubleValue())) {
            return null;
        }
        BigDecimal decimal = node.decimalValue();
        try {
            return decimal.stripTrailingZeros().scale() <= 0 ? decimal.longValueExact() : null;
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /**
     * A value from an input, safe to echo into output, and bounded: numbers that no double can hold (1e999999) or
     * that are not finite become their text, long strings are cut, and lists and objects become a short
     * description, so a report shows what was there without failing to serialize it (a value nested 998 deep
     * would pass the writer's depth limit once placed in a result) or growing with the input.
     */
    public static JsonNode echo(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
        if (node.isContainerNode()) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(describe(node));
        }
        if (node.isTextual() && node.textValue().length() > MAX_ECHO_CHARS) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(
                    node.textValue().substring(0, MAX_ECHO_CHARS) + "...");
        }
        if (node.isNumber() && (!Double.isFinite(node.doubleValue())
                || node.isBigDecimal() && Math.abs(node.decimalValue().scale()) > 9999
                || node.asText().length() > MAX_ECHO_CHARS)) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(bounded(node.isBigDecimal()
                    ? node.decimalValue().toString() : node.asText()));
        }
        return node;
    }

    /** A short description of a value for error messages: its JSON type and, for scalars, the value. */
    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isNull()) {
            return "null";
        }
        if (node.isBoolean()) {
            return "boolean " + node.booleanValue();
        }
        if (node.isTextual()) {
            String text = node.textValue();
            return "string \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
        }
        if (node.isNumber()) {
            return "number " + bounded(node.isBigDecimal() ? node.decimalValue().toString() : node.asText());
        }
        if (node.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static String bounded(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
