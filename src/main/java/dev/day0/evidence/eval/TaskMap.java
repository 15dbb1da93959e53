package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which tasks a run must have, and for each its canonical metric, the metric's full scale and the number of items
 * a complete run scores. A YAML file ({@code --tasks}) names the tasks of a release; built-in defaults cover the
 * common suites, so a run of them needs no map.
 *
 * <pre>
 * tasks:
 *   gsm8k:
 *     metric: exact_match,strict-match   # lm-eval "metric,filter"; NeMo Evaluator "metric.score"
 *     scale: 1                           # the metric's full scale as the harness reports it (1 or 100)
 *     expected_samples: 1319
 *   gpqa:
 *     source: gpqa_diamond               # the task's name in the harness output, when it differs
 * </pre>
 */
public final class TaskMap {
    static final Set<String> ENTRY_KEYS = Set.of("metric", "scale", "expected_samples", "source",
            "accept_without_sample_count", "subtasks", "aggregate");

    /** How the subtasks of an entry make its score: lm-eval 0.3's MMLU rule, or 0.4's weighting by item count. */
    static final Set<String> AGGREGATES = Set.of("mean", "weighted_mean");

    /**
     * One task's settings; null fields are not set.
     *
     * @param name the task's name in the run summary and score files
     * @param source the task's name in the harness output
     * @param metric the canonical metric key the map chose
     * @param lmEvalMetric the built-in choice of metric for lm-evaluation-harness output of a known suite
     * @param scale the metric's full scale as reported (1 for fractions, 100 for percentages)
     * @param expectedSamples the items a complete run scores
     * @param acceptWithoutSampleCount accept a NeMo Evaluator result that carries no per-item count
     * @param expectedUnknownReason why a known suite has no default count, for the error message
     * @param subtasks shell patterns of the subtask names whose scores make this task's ({@code hendrycksTest-*})
     * @param aggregate how they make it: {@code mean} of the subtask scores, or {@code weighted_mean} by items
     */
    public record TaskSpec(String name, String source, String metric, String lmEvalMetric, Double scale,
                           Long expectedSamples, boolean acceptWithoutSampleCount, String expectedUnknownReason,
                           List<String> subtasks, String aggregate) {
        TaskSpec(String name, String source, String metric, String lmEvalMetric, Double scale, Long expectedSamples,
                 boolean acceptWithoutSampleCount, String expectedUnknownReason) {
            this(name, source, metric, lmEvalMetric, scale, expectedSamples, acceptWithoutSampleCount,
                    expectedUnknownReason, List.of(), null);
        }

        /** Whether a subtask name matches one of {@link #subtasks()} ({@code *} and {@code ?} wildcards). */
        boolean coversSubtask(String task) {
            for (String pattern : subtasks) {
                StringBuilder regex = new StringBuilder();
                for (char c : pattern.toCharArray()) {
                    regex.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
                }
                if (task.matches(regex.toString())) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final String VERSIONED = "its item count depends on the dataset release";

    /** The built-in defaults, keyed by the normalized task name (lower case, letters and digits only). */
    private static final Map<String, TaskSpec> DEFAULTS = defaults();

    private final Map<String, TaskSpec> tasks;
    private final String source;

    private TaskMap(Map<String, TaskSpec> tasks, String source) {
        this.tasks = tasks;
        this.source = source;
    }

    /** No map given: every task the results hold, with the built-in defaults. */
    public static TaskMap builtIn() {
        return new TaskMap(null, null);
    }

    /** Reads a task map file; bad structure is an {@link dev.day0.io.InputException} naming the file and field. */
    public static TaskMap read(Path file) {
        Fields fields = new Fields(file.toString());
        JsonNode root = fields.requireObject(Json.readYaml(file), "");
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            if (!key.equals("tasks")) {
                throw fields.error(key, "unknown key (a task map has only \"tasks\")");
            }
        }
        ObjectNode entries = fields.requireObject(root.get("tasks"), "tasks");
        if (entries.isEmpty()) {
            throw fields.error("tasks", "is empty: name at least one task");
        }
        Map<String, TaskSpec> tasks = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = entries.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            String prefix = "tasks." + name;
            JsonNode value = entry.getValue();
            if (value == null || value.isNull()) {
                tasks.put(name, new TaskSpec(name, name, null, null, null, null, false, null));
                continue;
            }
            fields.requireObject(value, prefix);
            value.fieldNames().forEachRemaining(key -> {
                if (!ENTRY_KEYS.contains(key)) {
                    throw fields.error(prefix + "." + key, "unknown key (known: " + String.join(", ",
                            new java.util.TreeSet<>(ENTRY_KEYS)) + ")");
                }
            });
            String metric = fields.optionalString(value, "metric", prefix + ".metric");
            String source = fields.optionalString(value, "source", prefix + ".source");
            OptionalDouble scale = fields.optionalFiniteNumber(value, "scale", prefix + ".scale");
            if (scale.isPresent() && scale.getAsDouble() <= 0) {
                throw fields.error(prefix + ".scale", "must be positive, found " + scale.getAsDouble());
            }
            OptionalLong expected = fields.optionalInteger(value, "expected_samples", prefix + ".expected_samples");
            if (expected.isPresent() && expected.getAsLong() <= 0) {
                throw fields.error(prefix + ".expected_samples", "must be at least 1, found " + expected.getAsLong());
            }
            JsonNode accept = value.get("accept_without_sample_count");
            if (accept != null && !accept.isNull() && !accept.isBoolean()) {
                throw fields.error(prefix + ".accept_without_sample_count", "must be true or false, found "
                        + Fields.describe(accept));
            }
            List<String> subtasks = value.path("subtasks").isTextual() ? List.of(value.get("subtasks").textValue())
                    : fields.optionalStringList(value, "subtasks", prefix + ".subtasks");
            String aggregate = fields.optionalString(value, "aggregate", prefix + ".aggregate");
            if (aggregate != null && !AGGREGATES.contains(aggregate)) {
                throw fields.error(prefix + ".aggregate", "must be mean or weighted_mean, found \"" + aggregate + "\"");
            }
            if (aggregate != null && subtasks.isEmpty()) {
                throw fields.error(prefix + ".subtasks", "is missing: aggregate needs the subtask names (e.g. "
                        + "hendrycksTest-*)");
            }
            if (aggregate == null && !subtasks.isEmpty()) {
                throw fields.error(prefix + ".aggregate", "is missing: say how the subtasks make the score (mean, "
                        + "as lm-eval 0.3 averages MMLU, or weighted_mean by item counts)");
            }
            tasks.put(name, new TaskSpec(name, source == null ? name : source, metric, null,
                    scale.isPresent() ? scale.getAsDouble() : null,
                    expected.isPresent() ? expected.getAsLong() : null,
                    accept != null && accept.asBoolean(false), null, subtasks, aggregate));
        }
        return new TaskMap(Collections.unmodifiableMap(tasks), file.toString());
    }

    /** True when a map file names the tasks; false for the built-in defaults (report every task found). */
    public boolean explicit() {
        return tasks != null;
    }

    /** Where the settings come from, for the report. */
    public String source() {
        return source == null ? "built-in defaults" : source;
    }

    /** The tasks a map file names, in file order. */
    public List<TaskSpec> tasks() {
        return tasks == null ? List.of() : List.copyOf(tasks.values());
    }

    /**
     * The settings for a task found in the results: the map's entry filled in with the built-in defaults for the
     * same suite.
     */
    public TaskSpec resolve(String name) {
        TaskSpec given = tasks == null ? null : tasks.get(name);
        TaskSpec fallback = builtInFor(given == null ? name : given.source());
        if (given == null) {
            return fallback == null ? new TaskSpec(name, name, null, null, null, null, false, null)
                    : new TaskSpec(name, name, null, fallback.lmEvalMetric(), fallback.scale(),
                            fallback.expectedSamples(), false, fallback.expectedUnknownReason());
        }
        if (fallback == null) {
            return given;
        }
        return new TaskSpec(given.name(), given.source(), given.metric(), fallback.lmEvalMetric(),
                given.scale() != null ? given.scale() : fallback.scale(),
                given.expectedSamples() != null ? given.expectedSamples() : fallback.expectedSamples(),
                given.acceptWithoutSampleCount(), fallback.expectedUnknownReason(), given.subtasks(),
                given.aggregate());
    }

    /** Where a task's expected sample count comes from: the map file, the built-in defaults, or null (neither). */
    public String expectedOrigin(String name) {
        TaskSpec given = tasks == null ? null : tasks.get(name);
        if (given != null && given.expectedSamples() != null) {
            return "task map " + source;
        }
        TaskSpec fallback = builtInFor(given == null ? name : given.source());
        return fallback != null && fallback.expectedSamples() != null ? "built-in default for " + fallback.name()
                : null;
    }

    /** The built-in defaults for a task name (a launcher prefix such as {@code simple_evals.} is ignored). */
    public static TaskSpec builtInFor(String name) {
        String bare = name.substring(name.lastIndexOf('.') + 1);
        String key = normalize(bare);
        if (key.startsWith(MMLU_03_PREFIX) && key.length() > MMLU_03_PREFIX.length()) {
            return new TaskSpec(bare, bare, null, "acc,none", null, null, false, "an MMLU subject of lm-eval 0.3, "
                    + "whose results files record no item counts; to judge MMLU, map mmlu with subtasks: "
                    + "hendrycksTest-* and aggregate: mean");
        }
        return DEFAULTS.get(key);
    }

    /** lm-evaluation-harness 0.3 names the MMLU subjects hendrycksTest-&lt;subject&gt;. */
    private static final String MMLU_03_PREFIX = "hendryckstest";

    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private static Map<String, TaskSpec> defaults() {
        Map<String, TaskSpec> map = new LinkedHashMap<>();
        // Item counts of the published test sets; a harness that reports its own count is checked against them.
        put(map, List.of("gsm8k"), "exact_match,strict-match", 1319L, null);
        put(map, List.of("mmlu"), "acc,none", 14042L, null);
        put(map, List.of("mmlu_pro", "mmlupro"), "exact_match,custom-extract", 12032L, null);
        put(map, List.of("ifeval"), "prompt_level_strict_acc,none", 541L, null);
        put(map, List.of("gpqa_diamond"), null, 198L, null);
        put(map, List.of("math500", "math_500", "math_test_500", "minerva_math500"), null, 500L, null);
        put(map, List.of("aime24", "aime_2024", "aime2024"), null, 30L, null);
        put(map, List.of("aime25", "aime_2025", "aime2025"), null, 30L, null);
        put(map, List.of("humaneval"), null, 164L, null);
        put(map, List.of("hle", "humanitys_last_exam"), null, 2500L, null);
        put(map, List.of("livecodebench"), null, null, VERSIONED);
        put(map, List.of("scicode"), null, null, VERSIONED + " and on whether subproblems are counted");
        put(map, List.of("ifbench"), null, null, VERSIONED);
        put(map, List.of("aime"), null, null, "AIME is released per year (aime24, aime25 ...); name the year");
        return Collections.unmodifiableMap(map);
    }

    private static void put(Map<String, TaskSpec> map, List<String> names, String metric, Long expected,
                            String unknownReason) {
        for (String name : names) {
            map.put(normalize(name), new TaskSpec(name, name, null, metric, null, expected, false, unknownReason));
        }
    }
}
