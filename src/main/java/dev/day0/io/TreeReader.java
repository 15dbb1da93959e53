package dev.day0.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * Builds a JSON tree from a streaming parser, node for node as Jackson's tree deserializer does with day0's
 * settings (floats as BigDecimal without trailing zeros, NaN and Infinity as doubles, integers in the smallest of
 * int, long and BigInteger, no trailing tokens), without building an ObjectMapper. Duplicate keys and the nesting
 * limit are the parser's own checks, so they fail here exactly as they did through the mapper.
 */
final class TreeReader {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TreeReader() {
    }

    /** The one value the parser holds, or null when it holds none (empty or only white space); closes it. */
    static JsonNode read(JsonParser parser) throws IOException {
        try (parser) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            JsonNode node = value(parser, first);
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                // The mapper's wording (DeserializationFeature.FAIL_ON_TRAILING_TOKENS), so messages stay as they were.
                throw new InputCoercionException(parser, "Trailing token (of type " + trailing
                        + ") found after value (bound as `com.fasterxml.jackson.databind.JsonNode`): not allowed as"
                        + " per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`", trailing, JsonNode.class);
            }
            return node;
        }
    }

    private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT:
                return object(parser);
            case START_ARRAY:
                return array(parser);
            case VALUE_STRING:
                return NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT:
                return switch (parser.getNumberType()) {
                    case INT -> NODES.numberNode(parser.getIntValue());
                    case LONG -> NODES.numberNode(parser.getLongValue());
                    default -> NODES.numberNode(parser.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT:
                if (parser.isNaN()) {
                    return NODES.numberNode(parser.getDoubleValue());
                }
                return decimal(parser.getDecimalValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new IllegalStateException("unexpected JSON token " + token);
        }
    }

    static JsonNode decimal(BigDecimal value) {
        BigDecimal normalized = value;
        try {
            normalized = value.stripTrailingZeros();
        } catch (ArithmeticException e) {
            // a scale past int range cannot be normalized; Jackson keeps such a value as it is too
        }
        return NODES.numberNode(normalized);
    }

    private static ObjectNode object(JsonParser parser) throws IOException {
        ObjectNode object = NODES.objectNode();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            object.set(name, value(parser, parser.nextToken()));
        }
        return object;
    }

    private static ArrayNode array(JsonParser parser) throws IOException {
        ArrayNode array = NODES.arrayNode();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            array.add(value(parser, token));
        }
        return array;
    }
}
