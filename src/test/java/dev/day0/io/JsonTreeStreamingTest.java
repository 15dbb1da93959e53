package dev.day0.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * {@link Json} reads and writes on the streaming parser and generator; the ObjectMapper it replaced is the oracle:
 * on every document here both must give the same tree (node classes and values) and the same text, and the same
 * error message where one of them refuses the input.
 */
public class JsonTreeStreamingTest {
    private static final List<String> EDGES = List.of(
            "0", "-0", "0.0", "-0.0", "0.50", "1.000", "100", "1e2", "1E+2", "1.5e-3", "2.675", "0.1",
            "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
            "123456789012345678901234567890", "1e999999", "-1e-999999", "1e2147483647", "NaN", "Infinity",
            "-Infinity", "+Infinity", "[NaN, 1.0, -0.0]", "\"\"", "\"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\\"\"",
            "\"\u00e9\u4e2d\"", "true", "false", "null", "[]", "{}", "[[], {}, [[]], {\"a\": {}}]",
            "{\"a\": 1, \"a\": 2}", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1} x", "[1, 2", "{\"a\" 1}", "   ", "",
            "\ufeff{\"a\": 1}", "{\"a\": 01}", "{\"a\": .5}", "{'a': 1}", "[1,]", "{\"a\": 1,}", "// c\n{}",
            "{\"results\": {\"mmlu\": {\"acc,none\": 0.6530, \"acc_stderr,none\": 0.0038}}}",
            "[" + "[".repeat(998) + "]".repeat(998) + "]", "[".repeat(1001) + "]".repeat(1001),
            "{\"k\": 1}\n\n  \t", "5 6", "\"a\" \"b\"");

    private static String mapperParse(String text) {
        try {
            JsonNode node = Json.mapper().readTree(text);
            return node == null || node.isMissingNode() ? "is empty, expected JSON" : describe(node);
        } catch (JsonProcessingException e) {
            return "invalid JSON: " + firstLine(e.getOriginalMessage());
        }
    }

    private static String streamingParse(String text) {
        try {
            return describe(Json.parse(text, "t"));
        } catch (InputException e) {
            return e.getMessage().substring("t: ".length());
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The tree with every node's class, so an IntNode never passes for a LongNode nor 0.50 for 0.5. */
    private static String describe(JsonNode node) {
        StringBuilder out = new StringBuilder(node.getClass().getSimpleName()).append('(');
        if (node.isContainerNode()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                out.append(field.getKey()).append('=').append(describe(field.getValue())).append(',');
            }
            for (JsonNode element : node.isArray() ? node : List.<JsonNode>of()) {
                out.append(describe(element)).append(',');
            }
        } else if (node.isBigDecimal()) {
            out.append(node.decimalValue().unscaledValue()).append('e').append(-node.decimalValue().scale());
        } else {
            out.append(node.asText());
        }
        return out.append(')').toString();
    }

    private static void assertSameAsTheMapper(String text) throws Exception {
        assertThat(streamingParse(text)).as(text).isEqualTo(mapperParse(text));
        JsonNode node;
        try {
            node = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            return;
        }
        if (node == null || node.isMissingNode()) {
            return;
        }
        assertSameTextAsTheMapper(node, text);
    }

    /** The text both write, or the message both fail with (a decimal too large to write plainly). */
    private static void assertSameTextAsTheMapper(JsonNode node, String what) {
        assertThat(outcome(() -> Json.write(node))).as("pretty %s", what)
                .isEqualTo(outcome(() -> Json.mapper().writeValueAsString(node)));
        assertThat(outcome(() -> Json.writeLine(node))).as("line %s", what).isEqualTo(outcome(() -> Json.mapper()
                .writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node)));
    }

    private interface Writing {
        String write() throws JsonProcessingException;
    }

    private static String outcome(Writing writing) {
        try {
            return writing.write();
        } catch (JsonProcessingException e) {
            return "cannot serialize a result: " + e.getOriginalMessage();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    @Test
    public void shouldReadAndWriteEdgeCasesAsTheMapperDid() throws Exception {
        for (String text : EDGES) {
            assertSameAsTheMapper(text);
            assertSameAsTheMapper("{\"v\": " + text + "}");
        }
    }

    @Test
    public void shouldReadAndWriteEveryJsonFileOfTheTestResourcesAsTheMapperDid() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(Path.of("src/test/resources"))) {
            files = walk.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(40);
        for (Path file : files) {
            assertSameAsTheMapper(Files.readString(file, StandardCharsets.UTF_8));
        }
    }

    @Test
    public void shouldReadAndWriteRandomDocumentsAndTheirMutationsAsTheMapperDid() throws Exception {
        Random random = new Random(20261203);
        for (int i = 0; i < 3000; i++) {
            String document = document(random, 0);
            assertSameAsTheMapper(document);
            char[] mutated = document.toCharArray();
            mutated[random.nextInt(mutated.length)] = "{}[],:\"0.e-x \\n".charAt(random.nextInt(15));
            assertSameAsTheMapper(new String(mutated));
            assertSameAsTheMapper(document.substring(0, random.nextInt(document.length() + 1)));
        }
    }

    @Test
    public void shouldWriteTreesBuiltInCodeAsTheMapperDid() throws Exception {
        var record = Json.object();
        record.put("pass", true).put("threshold", 0.01).put("drop", new java.math.BigDecimal("0.0100"))
                .put("count", 3L).put("ratio", 0.1f).putNull("missing");
        record.put("big", new java.math.BigInteger("123456789012345678901234567890"));
        record.put("nan", Double.NaN).put("short", (short) 7).put("text", "a\u0000b\u2028c");
        record.putArray("rows").add(1).add("x").addObject().put("nested", -0.0);
        record.putPOJO("pojo", List.of("a", "b"));
        record.put("binary", new byte[] {1, 2, 3});

        assertThat(Json.write(record)).contains("\"pojo\" : [ \"a\", \"b\" ]");
        assertSameTextAsTheMapper(record, "built in code");
    }

    @Test
    public void shouldBuildStringArraysAndDecimalsAsTheMappersValueToTreeDid() {
        List<String> strings = new ArrayList<>(List.of("a", "", "caf\u00e9"));
        strings.add(null);
        assertThat(describe(Json.strings(strings))).isEqualTo(describe(Json.mapper().valueToTree(strings)));
        for (String text : List.of("0.0100", "-0.50", "0", "0.000", "1E+3", "12345678901234567890.10", "1e-40")) {
            java.math.BigDecimal value = new java.math.BigDecimal(text);
            assertThat(describe(Json.decimal(value))).as(text)
                    .isEqualTo(describe(Json.mapper().valueToTree(value)));
        }
    }

    private static String document(Random random, int depth) {
        int kind = depth > 4 ? 2 + random.nextInt(6) : random.nextInt(8);
        switch (kind) {
            case 0: {
                List<String> fields = new ArrayList<>();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    fields.add("\"" + (char) ('a' + random.nextInt(6)) + i + "\": " + document(random, depth + 1));
                }
                return "{" + String.join(", ", fields) + "}";
            }
            case 1: {
                List<String> elements = new ArrayList<>();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    elements.add(document(random, depth + 1));
                }
                return "[" + String.join(",", elements) + "]";
            }
            case 2:
                return Long.toString(random.nextLong() >> random.nextInt(64));
            case 3:
                return (random.nextBoolean() ? "-" : "") + random.nextInt(1000) + "." + "0".repeat(random.nextInt(3))
                        + random.nextInt(10000) + (random.nextBoolean() ? "" : "e" + (random.nextInt(40) - 20));
            case 4:
                return EDGES.get(random.nextInt(24));
            case 5:
                return "\"s" + random.nextInt(100) + (random.nextBoolean() ? "\\u00e9" : "") + "\"";
            case 6:
                return random.nextBoolean() ? "true" : "null";
            default:
                return Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(30) - 15));
        }
    }
}
