package dev.day0.noise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Direction;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The per-task release policy ({@code --policy policy.yaml}). Strict: an unknown key, a misspelt tier or a task
 * the score files do not have is an input error, because a typo in a policy silently changes what blocks a
 * release.
 *
 * <pre>
 * defaults:               # optional; for every task, including those not listed
 *   tier: critical        # critical | supporting | advisory
 *   threshold: 0.01       # largest allowed drop, fraction of the scale (default: --threshold)
 *   direction: higher     # higher | lower is better
 * tasks:
 *   gpqa_diamond:
 *     threshold: 0.02
 *     relative_guard: 0.1 # limit is also at most 10 % of the baseline score
 *     metric: acc,none    # canonical per-sample metric (name or name,filter)
 *     n: 198              # items, for the binomial fallback
 *     samples: gpqa_diamond_cot   # task name in the per-sample file names, when it differs
 * </pre>
 */
public final class NoisePolicy {
    private static final Set<String> DEFAULT_KEYS = Set.of("tier", "threshold", "direction", "relative_guard",
            "metric");
    private static final Set<String> TASK_KEYS = Set.of("tier", "threshold", "direction", "relative_guard", "metric",
            "n", "samples");

    private final String source;
    private final ObjectNode defaults;
    private final Map<String, ObjectNode> tasks;

    private NoisePolicy(String source, ObjectNode defaults, Map<String, ObjectNode> tasks) {
        this.source = source;
        this.defaults = defaults;
        this.tasks = tasks;
    }

    /** No policy file: every task critical, the command's threshold, higher is better. */
    public static NoisePolicy none() {
        return new NoisePolicy(null, Json.object(), Map.of());
    }

    public static NoisePolicy read(Path file) {
        return parse(Json.readYaml(file), file.toString());
    }

    /** Parses and checks a policy document; every problem is an {@link InputException} naming the field. */
    public static NoisePolicy parse(JsonNode document, String source) {
        Fields fields = new Fields(source);
        ObjectNode root = fields.requireObject(document, "");
        requireKnownKeys(fields, root, Set.of("defaults", "tasks"), "");
        ObjectNode defaults = fields.optionalObject(root, "defaults", "defaults");
        if (defaults == null) {
            defaults = Json.object();
        }
        requireKnownKeys(fields, defaults, DEFAULT_KEYS, "defaults");
        Map<String, ObjectNode> tasks = new LinkedHashMap<>();
        ObjectNode taskNode = fields.optionalObject(root, "tasks", "tasks");
        if (taskNode != null) {
            Iterator<Map.Entry<String, JsonNode>> it = taskNode.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                String field = "tasks." + entry.getKey();
                ObjectNode task = entry.getValue() == null || entry.getValue().isNull() ? Json.object()
                        : fields.requireObject(entry.getValue(), field);
                requireKnownKeys(fields, task, TASK_KEYS, field);
                tasks.put(entry.getKey(), task);
            }
        }
        NoisePolicy policy = new NoisePolicy(source, defaults, tasks);
        // Resolve every entry once now, so a bad value fails before any task is judged.
        policy.forTask(null, 0.0);
        for (String task : tasks.keySet()) {
            policy.forTask(task, 0.0);
        }
        return policy;
    }

    /** Whether a policy file was given. */
    public boolean present() {
        return source != null;
    }

    public String source() {
        return source;
    }

    /** Fails when the policy names tasks the score files do not have (most often a misspelt task name). */
    public void requireKnownTasks(Collection<String> scoredTasks) {
        TreeSet<String> unknown = new TreeSet<>(tasks.keySet());
        unknown.removeAll(scoredTasks);
        if (!unknown.isEmpty()) {
            throw new InputException(source, "tasks." + unknown.first(), "is not a task in the score files (unknown: "
                    + String.join(", ", unknown) + ")");
        }
    }

    /**
     * The resolved policy of one task: its own entry, then {@code defaults}, then the built-in default (critical,
     * {@code commandThreshold}, higher is better).
     */
    public TaskPolicy forTask(String task, double commandThreshold) {
        ObjectNode own = task == null ? null : tasks.get(task);
        Fields fields = new Fields(source);
        String prefix = own == null ? "defaults" : "tasks." + task;
        ObjectNode entry = own == null ? defaults : own;

        Tier tier = enumValue(fields, pick(entry, "tier"), fieldOf(entry, "tier", prefix), Tier.class, Tier.CRITICAL);
        Direction direction = enumValue(fields, pick(entry, "direction"), fieldOf(entry, "direction", prefix),
                Direction.class, Direction.HIGHER);
        Double threshold = number(fields, pick(entry, "threshold"), fieldOf(entry, "threshold", prefix));
        if (threshold != null && dev.day0.core.Threshold.problem(threshold) != null) {
            throw fields.error(fieldOf(entry, "threshold", prefix), dev.day0.core.Threshold.problem(threshold));
        }
        Double guard = number(fields, pick(entry, "relative_guard"), fieldOf(entry, "relative_guard", prefix));
        if (guard != null && !(guard > 0)) {
            throw fields.error(fieldOf(entry, "relative_guard", prefix), "must be greater than 0, got "
                    + Fields.describe(pick(entry, "relative_guard")));
        }
        String metric = text(fields, pick(entry, "metric"), fieldOf(entry, "metric", prefix));
        Long items = null;
        String samples = null;
        if (own != null) {
            JsonNode n = own.get("n");
            if (n != null && !n.isNull()) {
                items = Fields.wholeNumber(n);
                if (items == null || items < 1) {
                    throw fields.error(prefix + ".n", "must be a whole number of items of at least 1, found "
                            + Fields.describe(n));
                }
            }
            samples = text(fields, own.get("samples"), prefix + ".samples");
        }
        return new TaskPolicy(tier, threshold == null ? commandThreshold : threshold, direction, guard, metric, items,
                samples);
    }

    /** A task's own value when it sets one, else the default's. */
    private JsonNode pick(ObjectNode entry, String key) {
        JsonNode value = entry.get(key);
        if ((value == null || value.isNull()) && entry != defaults) {
            value = defaults.get(key);
        }
        return value == null || value.isNull() ? null : value;
    }

    private String fieldOf(ObjectNode entry, String key, String prefix) {
        JsonNode own = entry.get(key);
        return own != null && !own.isNull() ? prefix + "." + key : "defaults." + key;
    }

    private static void requireKnownKeys(Fields fields, ObjectNode node, Set<String> allowed, String prefix) {
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            String field = prefix.isEmpty() ? unknown.get(0) : prefix + "." + unknown.get(0);
            throw fields.error(field, "is not a policy key (allowed here: "
                    + String.join(", ", new TreeSet<>(allowed)) + ")");
        }
    }

    private static <E extends Enum<E>> E enumValue(Fields fields, JsonNode value, String field, Class<E> type,
                                                   E fallback) {
        if (value == null) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        if (value.isTextual()) {
            String text = value.textValue().trim().toUpperCase(Locale.ROOT);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(text)) {
                    return constant;
                }
            }
        }
        throw fields.error(field, "must be one of " + String.join(", ", names) + ", found " + Fields.describe(value));
    }

    private static Double number(Fields fields, JsonNode value, String field) {
        if (value == null) {
            return null;
        }
        Double number = Fields.finiteNumber(value);
        if (number == null) {
            throw fields.error(field, "must be a finite number, found " + Fields.describe(value));
        }
        return number;
    }

    private static String text(Fields fields, JsonNode value, String field) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw fields.error(field, "must be a non-empty string, found " + Fields.describe(value));
        }
        return value.textValue().trim();
    }
}
