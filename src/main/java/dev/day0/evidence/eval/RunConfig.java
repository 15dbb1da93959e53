package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a harness recorded about how a run was made (model arguments, few-shot counts, generation settings, task
 * versions and hashes, the launcher's configuration), flattened into dotted keys with scalar values so that two
 * runs can be compared key by key. Nothing is left out here: which keys may differ between a baseline and a
 * candidate (the checkpoint path, the served model name) is the comparing side's decision.
 */
final class RunConfig {
    private final Map<String, JsonNode> values = new TreeMap<>();
    private final StringBuilder sources = new StringBuilder();

    /** Adds every leaf under {@code node} as {@code prefix.key.sub...}; lists index their items by position. */
    void add(String prefix, JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (node.isObject()) {
            if (node.isEmpty()) {
                values.put(prefix, JsonNodeFactory.instance.textNode("{}"));
                return;
            }
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                add(prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey(), entry.getValue());
            }
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                values.put(prefix, JsonNodeFactory.instance.textNode("[]"));
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                add(prefix + "." + i, node.get(i));
            }
        } else if (node.isTextual() && prefix.endsWith("model_args") && node.textValue().contains("=")) {
            addModelArgs(prefix, node.textValue());
        } else {
            values.put(prefix, node);
        }
    }

    /**
     * lm-eval records {@code --model_args} as the one string given on its command line
     * ({@code pretrained=...,tensor_parallel_size=1}); split into one key per argument, the checkpoint path
     * ({@code pretrained}) can be told apart from a parallelism or memory setting that must match. A part without
     * {@code =} keeps the whole string, so nothing is dropped.
     */
    private void addModelArgs(String prefix, String text) {
        Map<String, JsonNode> parts = new TreeMap<>();
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                values.put(prefix, JsonNodeFactory.instance.textNode(text));
                return;
            }
            parts.put(prefix + "." + part.substring(0, eq).trim(),
                    JsonNodeFactory.instance.textNode(part.substring(eq + 1).trim()));
        }
        values.putAll(parts);
    }

    /** Records which file the values came from. */
    void source(String file) {
        if (sources.indexOf(file) < 0) {
            sources.append(sources.length() == 0 ? "" : ", ").append(file);
        }
    }

    void addAll(RunConfig other) {
        other.values.forEach(values::putIfAbsent);
        if (other.sources.length() > 0) {
            for (String file : other.sources.toString().split(", ")) {
                source(file);
            }
        }
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    /** The flattened keys, sorted, as one JSON object of scalars. */
    ObjectNode toJson() {
        ObjectNode json = Json.object();
        values.forEach(json::set);
        return json;
    }

    String sources() {
        return sources.length() == 0 ? null : sources.toString();
    }
}
