package dev.day0.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.FileDigest;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What makes two evaluation runs comparable: the same model, the same task set and the same sampling parameters
 * (and, when the run came from NeMo Evaluator Launcher and its config hash is known, the same config hash). A baseline
 * found in MLflow is reused only when every part agrees; anything else is not a match.
 *
 * <p>The task set and the sampling parameters are compared by hash: {@link #sha256(JsonNode)} of their canonical
 * JSON ({@link #canonicalJson(JsonNode)}), so two spellings of the same document (key order, {@code 1} or
 * {@code 1.0}, white space) give the same hash. This is a public contract: the release conductor and anything that
 * writes runs for day0 to find must compute the same hashes, so the canonical form is specified exactly here and must
 * not change without a new tag name.
 *
 * <p>Canonical JSON, byte for byte (UTF-8):
 * <ul>
 *   <li>objects: members sorted by key in Unicode code point order, written {@code {"k":v,...}} with no white
 *       space; duplicate keys are rejected when the document is read;</li>
 *   <li>arrays: elements in their order, {@code [a,b]};</li>
 *   <li>numbers: the exact decimal value with trailing zeros removed and no exponent ({@code 1.0}, {@code 1} and
 *       {@code 1e0} are all {@code 1}; {@code 0.50} is {@code 0.5}; {@code -0} is {@code 0}); NaN and infinities
 *       are rejected;</li>
 *   <li>strings: in double quotes; {@code "} and {@code \} are escaped with a backslash, code points below U+0020
 *       as {@code \}{@code u00xx} (lower-case hex); everything else is written as is;</li>
 *   <li>{@code true}, {@code false}, {@code null}.</li>
 * </ul>
 *
 * <p>A task set is given either as a list of task names (a set: order does not matter, a repeated name is an
 * error) or as an object {@code {task: {task config}}}. A list is hashed as the object with an empty config for
 * every task, so {@code ["gsm8k","mmlu_pro"]} and {@code {"mmlu_pro": {}, "gsm8k": {}}} are the same task set.
 */
public final class BaselineKey {
    /** Tag holding the model name, compared as an exact string. */
    public static final String TAG_MODEL = "day0.model";
    /** Tag holding {@link #taskSetHash()}. */
    public static final String TAG_TASK_SET_HASH = "day0.task_set_hash";
    /** Tag holding {@link #samplingParamsHash()}. */
    public static final String TAG_SAMPLING_PARAMS_HASH = "day0.sampling_params_hash";
    /** Tag holding NeMo Evaluator Launcher's config hash, when known. */
    public static final String TAG_CONFIG_HASH = "day0.config_hash";

    /** Values must be writable inside an MLflow filter string, which has no escape for quotes. */
    private static final Pattern FILTER_SAFE = Pattern.compile("[^'\"`\\\\\\r\\n]+");
    private static final Pattern CONFIG_HASH = Pattern.compile("[A-Za-z0-9._:+=/-]{1,250}");

    private final String model;
    private final List<String> tasks;
    private final String taskSetHash;
    private final String samplingParamsHash;
    private final String configHash;

    private BaselineKey(String model, List<String> tasks, String taskSetHash, String samplingParamsHash,
                        String configHash) {
        this.model = model;
        this.tasks = tasks;
        this.taskSetHash = taskSetHash;
        this.samplingParamsHash = samplingParamsHash;
        this.configHash = configHash;
    }

    /**
     * Builds a key; every problem is an {@link InputException} naming the source.
     *
     * @param model the model name as the evaluation names it (e.g. {@code meta-llama/Llama-3.1-8B-Instruct})
     * @param taskSet a list of task names or an object {@code {task: config}}
     * @param taskSetSource where the task set came from, for error messages
     * @param samplingParams an object of sampling parameters (temperature, top_p, max_tokens, seed, ...)
     * @param samplingSource where the sampling parameters came from
     * @param configHash NeMo Evaluator Launcher's config hash, or null
     */
    public static BaselineKey of(String model, JsonNode taskSet, String taskSetSource, JsonNode samplingParams,
                                 String samplingSource, String configHash) {
        if (model == null || model.isBlank()) {
            throw new InputException("--model", "", "is missing or empty");
        }
        if (!FILTER_SAFE.matcher(model).matches() || model.length() > 250) {
            throw new InputException("--model", "", "must be at most 250 characters without quotes, backticks, "
                    + "backslashes or line breaks, found \"" + model + "\"");
        }
        if (configHash != null && !CONFIG_HASH.matcher(configHash).matches()) {
            throw new InputException("--config-hash", "", "must be 1 to 250 characters of letters, digits and "
                    + "._:+=/-, found \"" + configHash + "\"");
        }
        ObjectNode tasks = normalizeTaskSet(taskSet, taskSetSource);
        List<String> names = new ArrayList<>();
        tasks.fieldNames().forEachRemaining(names::add);
        names.sort(BaselineKey::compareCodePoints);
        Fields sampling = new Fields(samplingSource);
        ObjectNode params = sampling.requireObject(samplingParams, "");
        return new BaselineKey(model, Collections.unmodifiableList(names), sha256(tasks, taskSetSource),
                sha256(params, samplingSource), configHash);
    }

    private static ObjectNode normalizeTaskSet(JsonNode taskSet, String source) {
        Fields fields = new Fields(source);
        if (taskSet == null || taskSet.isMissingNode() || taskSet.isNull()) {
            throw fields.error("", "is missing, expected a list of task names or an object {task: config}");
        }
        ObjectNode normalized = Json.object();
        if (taskSet.isArray()) {
            for (int i = 0; i < taskSet.size(); i++) {
                JsonNode name = taskSet.get(i);
                if (!name.isTextual() || name.textValue().isBlank()) {
                    throw fields.error("[" + i + "]", "must be a task name, found " + Fields.describe(name));
                }
                if (normalized.has(name.textValue())) {
                    throw fields.error("[" + i + "]", "repeats task \"" + name.textValue() + "\"");
                }
                normalized.putObject(name.textValue());
            }
        } else if (taskSet.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = taskSet.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().isBlank()) {
                    throw fields.error("", "has an empty task name");
                }
                fields.requireObject(entry.getValue(), entry.getKey());
                normalized.set(entry.getKey(), entry.getValue());
            }
        } else {
            throw fields.error("", "must be a list of task names or an object {task: config}, found "
                    + Fields.describe(taskSet));
        }
        if (normalized.isEmpty()) {
            throw fields.error("", "has no tasks");
        }
        return normalized;
    }

    /** The canonical JSON text of a document, as specified in the class comment. */
    public static String canonicalJson(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out, "");
        return out.toString();
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes of {@link #canonicalJson(JsonNode)}. */
    public static String sha256(JsonNode node) {
        return FileDigest.sha256(canonicalJson(node).getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(JsonNode node, String source) {
        try {
            return sha256(node);
        } catch (NonFiniteNumber e) {
            throw new InputException(source, e.path, "must be a finite number, found " + e.getMessage());
        }
    }

    private static final class NonFiniteNumber extends RuntimeException {
        private final String path;

        NonFiniteNumber(String path, String value) {
            super(value, null, false, false);
            this.path = path;
        }
    }

    private static void write(JsonNode node, StringBuilder out, String path) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> keys = new ArrayList<>();
                node.fieldNames().forEachRemaining(keys::add);
                keys.sort(BaselineKey::compareCodePoints);
                out.append('{');
                for (int i = 0; i < keys.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    writeString(keys.get(i), out);
                    out.append(':');
                    write(node.get(keys.get(i)), out, path.isEmpty() ? keys.get(i) : path + "." + keys.get(i));
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out, path + "[" + i + "]");
                }
                out.append(']');
            }
            case NUMBER -> out.append(canonicalNumber(node, path));
            case STRING -> writeString(node.textValue(), out);
            case BOOLEAN -> out.append(node.booleanValue());
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    private static String canonicalNumber(JsonNode node, String path) {
        if (node.isDouble() || node.isFloat()) {
            if (!Double.isFinite(node.doubleValue())) {
                throw new NonFiniteNumber(path, node.asText());
            }
        }
        BigDecimal value = node.isIntegralNumber() ? new BigDecimal(node.bigIntegerValue()) : node.decimalValue();
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }

    private static void writeString(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    public String model() {
        return model;
    }

    /** The task names of the set, in code point order. */
    public List<String> tasks() {
        return tasks;
    }

    public String taskSetHash() {
        return taskSetHash;
    }

    public String samplingParamsHash() {
        return samplingParamsHash;
    }

    /** NeMo Evaluator Launcher's config hash, or null when not known. */
    public String configHash() {
        return configHash;
    }

    /** The tags a run carries for this key, in a fixed order; the config hash only when known. */
    public Map<String, String> tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_MODEL, model);
        tags.put(TAG_TASK_SET_HASH, taskSetHash);
        tags.put(TAG_SAMPLING_PARAMS_HASH, samplingParamsHash);
        if (configHash != null) {
            tags.put(TAG_CONFIG_HASH, configHash);
        }
        return tags;
    }

    /**
     * Why a run with these tags is not a match, or null when it is. The config hash is compared when this key
     * has one: a run without it, or with another, does not match.
     */
    public String mismatch(Map<String, String> runTags) {
        for (Map.Entry<String, String> tag : tags().entrySet()) {
            String found = runTags.get(tag.getKey());
            if (found == null) {
                return "tag " + tag.getKey() + " is missing";
            }
            if (!found.equals(tag.getValue())) {
                return "tag " + tag.getKey() + " is \"" + found + "\", expected \"" + tag.getValue() + "\"";
            }
        }
        return null;
    }

    /** The key as JSON: model, tasks, the hashes and the tags. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("model", model);
        json.set("tasks", Json.mapper().valueToTree(tasks));
        json.put("task_set_hash", taskSetHash);
        json.put("sampling_params_hash", samplingParamsHash);
        json.put("config_hash", configHash);
        json.set("tags", Json.mapper().valueToTree(tags()));
        return json;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BaselineKey key && model.equals(key.model) && taskSetHash.equals(key.taskSetHash)
                && samplingParamsHash.equals(key.samplingParamsHash) && Objects.equals(configHash, key.configHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, taskSetHash, samplingParamsHash, configHash);
    }

    @Override
    public String toString() {
        return "BaselineKey[" + model + ", tasks " + taskSetHash.substring(0, 12) + ", sampling "
                + samplingParamsHash.substring(0, 12) + (configHash == null ? "" : ", config " + configHash) + "]";
    }
}
