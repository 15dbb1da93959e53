package dev.day0.evidence.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the metadata a serving engine reads besides the weights: {@code config.json} (architecture, context
 * length, token ids ...), {@code generation_config.json}, the tokenizer files and the chat template. A quantizer
 * must change none of it except the quantization section and dtype fields; any other difference is blocking,
 * because it changes how the model is served or prompted.
 */
public final class MetadataDiff {
    /** Keys that quantization legitimately adds or changes, at any depth of config.json. */
    static final Set<String> EXPECTED_CONFIG_KEYS = Set.of("quantization_config", "compression_config",
            "torch_dtype", "dtype", "transformers_version", "_name_or_path");
    static final Set<String> EXPECTED_GENERATION_KEYS = Set.of("transformers_version");
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json", "tokenizer.model",
            "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt", "preprocessor_config.json",
            "processor_config.json");
    private static final int MAX_DIFFS_PER_FILE = 20;

    private final List<String> blocking = new ArrayList<>();
    private final List<String> expected = new ArrayList<>();
    private long bytesRead;

    /** Compares {@code source} with {@code output} and returns the result. */
    public static MetadataDiff compare(Path source, Path output) {
        MetadataDiff diff = new MetadataDiff();
        diff.compareJson(source, output, "config.json", EXPECTED_CONFIG_KEYS, true);
        diff.compareJson(source, output, "generation_config.json", EXPECTED_GENERATION_KEYS, false);
        for (String name : TOKENIZER_FILES) {
            diff.compareTokenizerFile(source, output, name);
        }
        diff.compareChatTemplate(source, output);
        if (Files.isRegularFile(output.resolve(QuantDeclaration.MODELOPT_FILE))
                && !Files.isRegularFile(source.resolve(QuantDeclaration.MODELOPT_FILE))) {
            diff.expected.add(QuantDeclaration.MODELOPT_FILE + ": added");
        }
        return diff;
    }

    /** Differences that block the release. */
    public List<String> blocking() {
        return blocking;
    }

    /** Differences quantization is expected to make, listed for the record. */
    public List<String> expected() {
        return expected;
    }

    public long bytesRead() {
        return bytesRead;
    }

    private void compareJson(Path source, Path output, String name, Set<String> expectedKeys, boolean required) {
        Path left = source.resolve(name);
        Path right = output.resolve(name);
        boolean inSource = Files.isRegularFile(left);
        boolean inOutput = Files.isRegularFile(right);
        if (!inSource && !inOutput) {
            if (required) {
                blocking.add(name + ": missing from both source and output");
            }
            return;
        }
        if (!inOutput) {
            blocking.add(name + ": missing from the output");
            return;
        }
        if (!inSource) {
            blocking.add(name + ": present in the output but not in the source");
            return;
        }
        List<String> differences = new ArrayList<>();
        List<String> allowed = new ArrayList<>();
        walk(readJson(left), readJson(right), "", expectedKeys, differences, allowed);
        report(name, differences, blocking);
        report(name, allowed, expected);
    }

    private void compareTokenizerFile(Path source, Path output, String name) {
        Path left = source.resolve(name);
        Path right = output.resolve(name);
        boolean inSource = Files.isRegularFile(left);
        boolean inOutput = Files.isRegularFile(right);
        if (!inSource && !inOutput) {
            return;
        }
        if (!inOutput) {
            blocking.add(name + ": missing from the output");
            return;
        }
        if (!inSource) {
            blocking.add(name + ": present in the output but not in the source");
            return;
        }
        bytesRead += size(left) + size(right);
        if (FileDigest.sha256(left).equals(FileDigest.sha256(right))) {
            return;
        }
        if (!name.endsWith(".json")) {
            blocking.add(name + ": content differs (sha256 " + FileDigest.sha256(left).substring(0, 12) + " -> "
                    + FileDigest.sha256(right).substring(0, 12) + ")");
            return;
        }
        JsonNode a = readJson(left);
        JsonNode b = readJson(right);
        if ("tokenizer_config.json".equals(name)) {
            // The chat template is compared on its own, wherever each side keeps it.
            a = withoutField(a, "chat_template");
            b = withoutField(b, "chat_template");
        }
        List<String> differences = new ArrayList<>();
        walk(a, b, "", Set.of(), differences, new ArrayList<>());
        if (differences.isEmpty()) {
            expected.add(name + ": rewritten with the same content (formatting only)");
        } else {
            report(name, differences, blocking);
        }
    }

    private void compareChatTemplate(Path source, Path output) {
        Template left = chatTemplate(source);
        Template right = chatTemplate(output);
        if (left == null && right == null) {
            return;
        }
        if (right == null) {
            blocking.add("chat template: missing from the output (the source has one in " + left.file() + ")");
            return;
        }
        if (left == null) {
            blocking.add("chat template: the output has one in " + right.file() + ", the source has none");
            return;
        }
        if (!left.text().equals(right.text())) {
            blocking.add("chat template: differs (" + left.file() + " sha256 " + shortHash(left.text()) + " -> "
                    + right.file() + " sha256 " + shortHash(right.text()) + ")");
        } else if (!left.file().equals(right.file())) {
            expected.add("chat template: moved from " + left.file() + " to " + right.file() + ", same text");
        }
    }

    private record Template(String file, String text) {
    }

    /** The chat template a tokenizer loads: chat_template.jinja, else chat_template.json, else tokenizer_config. */
    private Template chatTemplate(Path dir) {
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            try {
                bytesRead += size(jinja);
                return new Template("chat_template.jinja", Files.readString(jinja, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new InputException(jinja.toString(), "", "cannot be read: " + e.getMessage(), e);
            }
        }
        for (String name : List.of("chat_template.json", "tokenizer_config.json")) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                JsonNode template = readJson(file).get("chat_template");
                if (template != null && !template.isNull()) {
                    return new Template(name, template.isTextual() ? template.textValue() : Json.writeLine(template));
                }
            }
        }
        return null;
    }

    private JsonNode readJson(Path file) {
        bytesRead += size(file);
        return Json.read(file);
    }

    private static JsonNode withoutField(JsonNode node, String field) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        copy.remove(field);
        return copy;
    }

    private static void walk(JsonNode a, JsonNode b, String path, Set<String> expectedKeys, List<String> differences,
                             List<String> allowed) {
        if (a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                String child = path.isEmpty() ? key : path + "." + key;
                JsonNode left = a.get(key);
                JsonNode right = b.get(key);
                if (left != null && right != null && same(left, right)) {
                    continue;
                }
                List<String> into = expectedKeys.contains(key) ? allowed : differences;
                if (left == null) {
                    into.add(child + ": added (" + render(right) + ")");
                } else if (right == null) {
                    into.add(child + ": removed (was " + render(left) + ")");
                } else if (into == allowed || !(left.isObject() && right.isObject())) {
                    into.add(child + ": " + render(left) + " -> " + render(right));
                } else {
                    walk(left, right, child, expectedKeys, differences, allowed);
                }
            }
            return;
        }
        if (!same(a, b)) {
            differences.add((path.isEmpty() ? "content" : path) + ": " + render(a) + " -> " + render(b));
        }
    }

    /** Deep equality where 10000 and 10000.0 are the same number, as they are to the Python that reads them. */
    static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            Iterator<Map.Entry<String, JsonNode>> it = a.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode other = b.get(entry.getKey());
                if (other == null || !same(entry.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static String render(JsonNode node) {
        String text = Json.writeLine(node);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private static void report(String file, List<String> differences, List<String> into) {
        for (int i = 0; i < differences.size() && i < MAX_DIFFS_PER_FILE; i++) {
            into.add(file + ": " + differences.get(i));
        }
        if (differences.size() > MAX_DIFFS_PER_FILE) {
            into.add(file + ": ... and " + (differences.size() - MAX_DIFFS_PER_FILE) + " more differences");
        }
    }

    private static String shortHash(String text) {
        return FileDigest.sha256(text.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new InputException(file.toString(), "", "cannot be read: " + e.getMessage(), e);
        }
    }
}
