package dev.day0.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The one place JSON and YAML are read and written.
 *
 * <p>Reading is strict where strictness protects a decision: duplicate keys are rejected (which of two scores
 * would count?), while {@code NaN} and {@code Infinity} tokens are accepted by the parser because Python's
 * {@code json} module writes them: the gates then see them as non-finite numbers and fail closed.
 */
public final class Json {
    /**
     * The one JSON configuration: strict duplicate detection, NaN and Infinity accepted, BigDecimals written
     * plainly. Files and option values are read, and documents written, on this factory's streaming parser and
     * generator by {@link TreeReader} and {@link TreeWriter}, not through {@link #mapper()}: building an
     * ObjectMapper and its first tree cost a gate call about 35 ms of its start-up. JsonTreeStreamingTest checks
     * both give the same trees and the same text on a corpus of real and adversarial documents.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    /** The same configuration as an ObjectMapper, built on first use, for the callers that bind values. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    /** Built on first use: only plans are YAML, and building it loads SnakeYAML, a gate call's start-up cost. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = YAMLMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
    }

    private Json() {
    }

    public static ObjectMapper mapper() {
        return Mapper.MAPPER;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** The strings as a JSON array (a null element as null), as the mapper's {@code valueToTree} makes it. */
    public static ArrayNode strings(java.util.Collection<String> values) {
        ArrayNode array = array();
        values.forEach(array::add);
        return array;
    }

    /** A decimal as a node exactly as reading its text gives it: trailing zeros stripped, as the mapper does. */
    public static JsonNode decimal(java.math.BigDecimal value) {
        return value == null ? JsonNodeFactory.instance.nullNode() : TreeReader.decimal(value);
    }

    /** Reads a JSON file; every failure is an {@link InputException} naming the file. */
    public static JsonNode read(Path file) {
        return read(file, "JSON", bytes -> TreeReader.read(FACTORY.createParser(bytes)));
    }

    /** Reads a YAML file (YAML 1.1 as SnakeYAML reads it); every failure is an {@link InputException}. */
    public static JsonNode readYaml(Path file) {
        return read(file, "YAML", bytes -> {
            JsonNode node = Yaml.MAPPER.readTree(bytes);
            return node == null || node.isMissingNode() ? null : node;
        });
    }

    /** Reads JSON given as text, for example an option value; {@code source} names the option. */
    public static JsonNode parse(String text, String source) {
        try {
            JsonNode node = TreeReader.read(FACTORY.createParser(text));
            if (node == null) {
                throw new InputException(source, "", "is empty, expected JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InputException(source, "", "invalid JSON: " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new InputException(source, "", "cannot be read: " + e.getMessage(), e);
        }
    }

    /** Turns a file's bytes into its one value, or null when it holds none. */
    private interface TreeParser {
        JsonNode parse(byte[] bytes) throws IOException;
    }

    private static JsonNode read(Path file, String kind, TreeParser parser) {
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new InputException(name, "", "is a directory, expected a " + kind + " file");
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) {
                throw new InputException(name, "", "is empty, expected " + kind);
            }
            JsonNode node = parser.parse(bytes);
            if (node == null) {
                throw new InputException(name, "", "is empty, expected " + kind);
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new InputException(name, "", "file not found", e);
        } catch (JsonParseException e) {
            throw new InputException(name, "", "invalid " + kind + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ": " + firstLine(e.getOriginalMessage()), e);
        } catch (JsonProcessingException e) {
            throw new InputException(name, "", "invalid " + kind + ": " + firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new InputException(name, "", "cannot be read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    /** Pretty JSON. A document that cannot be written is a defect in day0, never the user's input. */
    public static String write(JsonNode node) {
        return TreeWriter.write(FACTORY, node, true);
    }

    /** Compact single-line JSON, for event lines on a console or in a log. */
    public static String writeLine(JsonNode node) {
        return TreeWriter.write(FACTORY, node, false);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
