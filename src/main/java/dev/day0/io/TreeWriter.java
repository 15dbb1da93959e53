package dev.day0.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes a JSON tree on a streaming generator as the ObjectMapper day0 configures would (the default pretty
 * printer when indenting), without building the mapper. A node kind day0 never builds (binary, a wrapped Java
 * object) is left to the mapper, which knows how to write it.
 */
final class TreeWriter {
    private TreeWriter() {
    }

    static String write(JsonFactory factory, JsonNode node, boolean indent) {
        StringWriter text = new StringWriter();
        try (JsonGenerator generator = factory.createGenerator(text)) {
            if (indent) {
                generator.useDefaultPrettyPrinter();
            }
            if (!value(generator, node)) {
                return viaMapper(node, indent);
            }
        } catch (IOException e) {
            throw cannotWrite(e);
        }
        return text.toString();
    }

    /** Writes {@code node}; false when it holds a node kind this writer leaves to the mapper. */
    private static boolean value(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                generator.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    generator.writeFieldName(field.getKey());
                    if (!value(generator, field.getValue())) {
                        return false;
                    }
                }
                generator.writeEndObject();
            }
            case ARRAY -> {
                generator.writeStartArray();
                for (JsonNode element : node) {
                    if (!value(generator, element)) {
                        return false;
                    }
                }
                generator.writeEndArray();
            }
            case STRING -> generator.writeString(node.textValue());
            case BOOLEAN -> generator.writeBoolean(node.booleanValue());
            case NULL, MISSING -> generator.writeNull();
            case NUMBER -> number(generator, node);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void number(JsonGenerator generator, JsonNode node) throws IOException {
        switch (node.numberType()) {
            case INT -> generator.writeNumber(node.intValue());
            case LONG -> generator.writeNumber(node.longValue());
            case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
            case FLOAT -> generator.writeNumber(node.floatValue());
            case DOUBLE -> generator.writeNumber(node.doubleValue());
            default -> generator.writeNumber(node.decimalValue());
        }
    }

    private static String viaMapper(JsonNode node, boolean indent) {
        try {
            var writer = Json.mapper().writer();
            return indent ? writer.writeValueAsString(node)
                    : writer.without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node);
        } catch (IOException e) {
            throw cannotWrite(e);
        }
    }

    /** A document that cannot be written is a defect in day0 (a decimal too large to write plainly, say). */
    private static IllegalStateException cannotWrite(IOException e) {
        String why = e instanceof JsonProcessingException processing ? processing.getOriginalMessage()
                : e.getMessage();
        return new IllegalStateException("cannot serialize a result: " + why, e);
    }
}
