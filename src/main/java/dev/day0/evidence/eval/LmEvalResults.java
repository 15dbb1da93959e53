package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One lm-evaluation-harness {@code results_<date>.json}: per-task metrics keyed {@code "<metric>,<filter>"},
 * {@code n-samples.<task>.{original,effective}}, {@code higher_is_better}, groups and their subtasks, and the
 * {@code samples_<task>_<date>.jsonl} files written beside it with {@code --log_samples}.
 *
 * <p>Files of the 0.3 era ({@code results} and {@code versions}, no {@code n-samples}) key metrics by name alone
 * ({@code "acc"}); a key without a filter is read as filter {@code none}. They record no item counts, and no
 * {@code higher_is_better}: the perplexity-type metrics lm-eval defines as lower-is-better are known by name.
 */
final class LmEvalResults implements EvalResultsFile {
    /** Metrics lm-evaluation-harness defines as lower-is-better, for files that do not say (0.3). */
    static final Set<String> LOWER = Set.of("ppl", "perplexity", "word_perplexity", "byte_perplexity",
            "bits_per_byte", "token_perplexity");

    /** Prefix of errors that the run gate counts as sample accounting (items scored cannot be shown complete). */
    static final String ACCOUNTING = "sample accounting: ";
    /** Prefix of errors the user fixes in the task map. */
    static final String TASK_MAP = "task map: ";

    private final Path file;
    private final Fields fields;
    private final ObjectNode results;
    private final ObjectNode groups;
    private final Map<String, List<String>> groupSubtasks = new LinkedHashMap<>();
    private final ObjectNode nSamples;
    private final JsonNode higherIsBetter;
    private final JsonNode configs;
    private final JsonNode limit;
    private final RunConfig config = new RunConfig();
    private final List<String> samplesNotFound = new ArrayList<>();
    private final LmEvalSamples samplesFiles;

    private LmEvalResults(Path file, JsonNode root) {
        this.file = file;
        this.samplesFiles = new LmEvalSamples(file);
        this.fields = new Fields(file.toString());
        fields.requireObject(root, "");
        this.results = fields.requireObject(root.get("results"), "results");
        this.groups = fields.optionalObject(root, "groups", "groups");
        this.nSamples = fields.optionalObject(root, "n-samples", "n-samples");
        this.higherIsBetter = root.path("higher_is_better");
        this.configs = root.path("configs");
        this.limit = root.path("config").path("limit");
        // How the run was made, as the harness records it (0.3: config; 0.4: also configs, n-shot, hashes).
        for (String key : List.of("config", "configs", "versions", "n-shot", "task_hashes", "chat_template_sha",
                "system_instruction_sha", "fewshot_as_multiturn", "model_name", "model_source", "lm_eval_version",
                "transformers_version", "git_hash", "tokenizer_pad_token", "tokenizer_eos_token",
                "tokenizer_bos_token", "eot_token_id", "max_length")) {
            config.add(key, root.get(key));
        }
        if (!config.isEmpty()) {
            config.source(file.toString());
        }
        ObjectNode subtasks = fields.optionalObject(root, "group_subtasks", "group_subtasks");
        if (subtasks != null) {
            Iterator<Map.Entry<String, JsonNode>> it = subtasks.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                groupSubtasks.put(entry.getKey(), fields.optionalStringList(subtasks, entry.getKey(),
                        "group_subtasks." + entry.getKey()));
            }
        }
    }

    static LmEvalResults read(Path file) {
        return new LmEvalResults(file, Json.read(file));
    }

    /** Whether a parsed JSON document is an lm-evaluation-harness results file. */
    static boolean looksLike(JsonNode root) {
        return root.isObject() && root.path("results").isObject()
                && (root.has("n-samples") || root.has("configs") || root.has("versions"));
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public RunConfig config() {
        return config;
    }

    @Override
    public List<String> samplesNotFound() {
        return samplesNotFound;
    }

    @Override
    public boolean holds(TaskMap.TaskSpec spec) {
        if (has(spec.source())) {
            return true;
        }
        if (spec.aggregate() == null) {
            return false;
        }
        Iterator<String> names = results.fieldNames();
        while (names.hasNext()) {
            if (spec.coversSubtask(names.next())) {
                return true;
            }
        }
        return false;
    }

    /** The tasks a reader sees first: groups and stand-alone tasks, not the subtasks of a group. */
    @Override
    public List<String> roots() {
        Set<String> children = new LinkedHashSet<>();
        groupSubtasks.values().forEach(children::addAll);
        List<String> roots = new ArrayList<>();
        if (groupSubtasks.isEmpty()) {
            results.fieldNames().forEachRemaining(roots::add);
            return roots;
        }
        for (String name : groupSubtasks.keySet()) {
            if (!children.contains(name)) {
                roots.add(name);
            }
        }
        results.fieldNames().forEachRemaining(name -> {
            if (!children.contains(name) && !roots.contains(name)) {
                roots.add(name);
            }
        });
        return roots;
    }

    /** Every task and group name the file reports. */
    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        results.fieldNames().forEachRemaining(names::add);
        if (groups != null) {
            groups.fieldNames().forEachRemaining(names::add);
        }
        names.addAll(groupSubtasks.keySet());
        return names;
    }

    boolean has(String name) {
        return names().contains(name);
    }

    /** Evaluates one task (or group) of this file. */
    @Override
    public TaskEvidence evaluate(TaskMap.TaskSpec spec, String expectedOrigin) {
        if (spec.aggregate() != null && !has(spec.source())) {
            return aggregate(spec, expectedOrigin);
        }
        String name = spec.source();
        TaskEvidence evidence = new TaskEvidence(spec.name(), name);
        evidence.resultsFile = file.toString();
        JsonNode metrics = groups != null && groups.has(name) ? groups.get(name) : results.get(name);
        if (metrics == null || !metrics.isObject()) {
            evidence.errors.add("no metrics for " + name + " in " + file.getFileName());
        }
        String metricKey = metrics == null || !metrics.isObject() ? null : chooseMetric(spec, metrics, evidence);
        evidence.metric = metricKey;
        if (metricKey != null) {
            evidence.higherIsBetter = higherIsBetter(name, metricName(metricKey));
            if (Boolean.FALSE.equals(evidence.higherIsBetter)) {
                evidence.errors.add(TASK_MAP + "metric " + metricKey + " is lower-is-better (its direction: "
                        + directionFrom(name) + "); the compare gate compares higher-is-better scores: name a "
                        + "higher-is-better metric with metric:, or leave " + name + " out of the task map");
            }
            JsonNode value = metrics.get(metricKey);
            if (value.isNumber()) {
                evidence.reported = value.doubleValue();
            } else {
                evidence.errors.add("score " + metricKey + " is not a number: " + Fields.describe(value));
            }
        }
        if (spec.scale() != null) {
            evidence.scale = spec.scale();
            evidence.scaleFrom = "task map";
        }
        account(name, leaves(name), metricKey, evidence);
        applyExpected(spec, expectedOrigin, evidence);
        return evidence;
    }

    /**
     * A task the file reports only as subtasks (lm-eval 0.3's 57 {@code hendrycksTest-*} subjects of MMLU), scored
     * as the task map says: the mean of the subtask scores (0.3's own rule for MMLU), or their mean weighted by the
     * items each scored (which needs counts).
     */
    private TaskEvidence aggregate(TaskMap.TaskSpec spec, String expectedOrigin) {
        TaskEvidence evidence = new TaskEvidence(spec.name(), spec.source());
        evidence.resultsFile = file.toString();
        List<String> subtasks = new ArrayList<>();
        results.fieldNames().forEachRemaining(name -> {
            if (spec.coversSubtask(name)) {
                subtasks.add(name);
            }
        });
        String metricKey = null;
        double sum = 0;
        double weighted = 0;
        long weights = 0;
        boolean valid = true;
        for (String subtask : subtasks) {
            String key = chooseMetric(spec, results.get(subtask), evidence);
            if (key == null) {
                valid = false;
                break;
            }
            if (metricKey != null && !metricName(metricKey).equals(metricName(key))) {
                evidence.errors.add(TASK_MAP + "the subtasks report different metrics (" + metricKey + ", " + key
                        + "): name one with metric:");
                valid = false;
                break;
            }
            metricKey = metricKey == null ? key : metricKey;
            JsonNode value = results.get(subtask).get(key);
            if (!value.isNumber()) {
                evidence.errors.add("score " + key + " of " + subtask + " is not a number: " + Fields.describe(value));
                valid = false;
                break;
            }
            sum += value.doubleValue();
            JsonNode counts = nSamples == null ? null : nSamples.get(subtask);
            if (counts != null && counts.path("effective").canConvertToLong()) {
                weighted += value.doubleValue() * counts.get("effective").asLong();
                weights += counts.get("effective").asLong();
            }
        }
        evidence.metric = metricKey;
        evidence.covers.addAll(subtasks);
        if (spec.scale() != null) {
            evidence.scale = spec.scale();
            evidence.scaleFrom = "task map";
        }
        if (valid && metricKey != null) {
            evidence.higherIsBetter = higherIsBetter(subtasks.get(0), metricName(metricKey));
            if ("mean".equals(spec.aggregate())) {
                evidence.reported = sum / subtasks.size();
                evidence.notes.add("score: the mean of " + metricKey + " over " + subtasks.size() + " subtasks ("
                        + String.join(", ", spec.subtasks()) + "; aggregate: mean in the task map, lm-eval 0.3's rule "
                        + "for MMLU)");
            } else if (weights > 0 && nSamples != null && subtasks.stream().allMatch(nSamples::has)) {
                evidence.reported = weighted / weights;
                evidence.notes.add("score: the mean of " + metricKey + " over " + subtasks.size() + " subtasks "
                        + "weighted by n-samples.effective (aggregate: weighted_mean in the task map)");
            } else {
                evidence.errors.add(ACCOUNTING + "aggregate: weighted_mean needs the items each subtask scored, and "
                        + file.getFileName() + " records no n-samples: use aggregate: mean");
            }
        }
        account(spec.source(), subtasks, metricKey, evidence);
        applyExpected(spec, expectedOrigin, evidence);
        return evidence;
    }

    /** The task map's (or the built-in) expected count, which wins over the harness's own dataset size. */
    private void applyExpected(TaskMap.TaskSpec spec, String expectedOrigin, TaskEvidence evidence) {
        if (spec.expectedSamples() != null) {
            if (evidence.expected != null && !evidence.expected.equals(spec.expectedSamples())) {
                evidence.notes.add("the harness counted " + evidence.expected + " items in the dataset "
                        + "(n-samples.original); " + expectedOrigin + " expects " + spec.expectedSamples());
            }
            evidence.expected = spec.expectedSamples();
            evidence.expectedFrom = expectedOrigin;
        }
        if (nSamples == null && evidence.scored == null && evidence.errors.stream()
                .noneMatch(error -> error.startsWith(ACCOUNTING))) {
            // No counts at all (0.3, early 0.4): an unlimited run evaluated every item, so the count is known
            // exactly when the task map (or a built-in default) gives the dataset size.
            if (evidence.expected != null) {
                evidence.scored = evidence.expected;
                evidence.scoredFrom = "config.limit is null: the harness evaluated every item; the count is "
                        + evidence.expectedFrom + "'s (" + file.getFileName() + " records no n-samples)";
            } else {
                evidence.errors.add(ACCOUNTING + file.getFileName() + " records no n-samples (an lm-eval 0.3-era "
                        + "file): the number of items scored is unknown; set expected_samples for " + evidence.name
                        + " in the task map");
                evidence.expectedReported = true;
            }
        }
    }

    private String directionFrom(String task) {
        return higherIsBetter.path(task).isObject() ? "higher_is_better in " + file.getFileName()
                : "lm-eval defines perplexity-type metrics as lower-is-better";
    }

    /** The metric's direction: the file's {@code higher_is_better}, else lm-eval's definition by name, else null. */
    private Boolean higherIsBetter(String task, String metric) {
        JsonNode higher = higherIsBetter.path(task).path(metric);
        if (higher.isBoolean()) {
            return higher.booleanValue();
        }
        return LOWER.contains(metric) ? Boolean.FALSE : null;
    }

    static String metricName(String key) {
        int comma = key.indexOf(',');
        return comma < 0 ? key : key.substring(0, comma);
    }

    static String filterOf(String key) {
        int comma = key.indexOf(',');
        return comma < 0 ? SampleFileReader.DEFAULT_FILTER : key.substring(comma + 1);
    }

    /**
     * A key that holds a metric value: {@code acc,none}; in a 0.3 task (no key with a filter) {@code acc} with a
     * number. 0.4 tasks also carry plain numbers that are not metrics ({@code sample_len}).
     */
    private static boolean isMetricKey(String key, JsonNode value, boolean filtered) {
        if (key.contains("_stderr")) {
            return false;
        }
        return filtered ? key.indexOf(',') > 0 : value.isNumber();
    }

    /** Whether a reported key is the metric a map names: {@code acc,none} matches a 0.3 {@code acc}. */
    private static boolean sameMetric(String key, String wanted) {
        if (key.equals(wanted)) {
            return true;
        }
        return key.indexOf(',') < 0 && wanted.equals(key + "," + SampleFileReader.DEFAULT_FILTER);
    }

    private String chooseMetric(TaskMap.TaskSpec spec, JsonNode metrics, TaskEvidence evidence) {
        List<String> candidates = new ArrayList<>();
        boolean filtered = false;
        for (Iterator<String> keys = metrics.fieldNames(); keys.hasNext(); ) {
            filtered |= keys.next().indexOf(',') > 0;
        }
        boolean withFilters = filtered;
        metrics.fields().forEachRemaining(entry -> {
            if (isMetricKey(entry.getKey(), entry.getValue(), withFilters)) {
                candidates.add(entry.getKey());
            }
        });
        String name = spec.source();
        if (spec.metric() != null) {
            String wanted = spec.metric();
            for (String key : candidates) {
                if (sameMetric(key, wanted)) {
                    return key;
                }
            }
            List<String> matching = new ArrayList<>();
            for (String key : candidates) {
                if (!wanted.contains(",") && key.startsWith(wanted + ",")) {
                    matching.add(key);
                }
            }
            if (matching.size() == 1) {
                return matching.get(0);
            }
            evidence.errors.add(TASK_MAP + (matching.isEmpty()
                    ? "metric " + wanted + " is not reported for " + name + " (reported: " + String.join(", ",
                    candidates) + ")"
                    : "metric " + wanted + " is reported under several filters (" + String.join(", ", matching)
                    + "): name one as metric,filter in the task map"));
            return null;
        }
        if (spec.lmEvalMetric() != null) {
            for (String key : candidates) {
                if (sameMetric(key, spec.lmEvalMetric())) {
                    return key;
                }
            }
        }
        List<String> usable = new ArrayList<>();
        List<String> lower = new ArrayList<>();
        for (String key : candidates) {
            if (Boolean.FALSE.equals(higherIsBetter(name, metricName(key)))) {
                lower.add(key);
            } else {
                usable.add(key);
            }
        }
        if (usable.size() == 1) {
            return usable.get(0);
        }
        if (usable.isEmpty() && !lower.isEmpty()) {
            evidence.errors.add(TASK_MAP + name + " reports only lower-is-better metrics (" + String.join(", ", lower)
                    + "; direction: " + directionFrom(name) + "), and the compare gate compares higher-is-better "
                    + "scores, so there is no score to compare: leave " + name + " out of the task map, or, if the "
                    + "harness can report a higher-is-better metric for it, name that one with metric: <name>,<filter>");
            return null;
        }
        evidence.errors.add(TASK_MAP + (usable.isEmpty()
                ? "no metric reported for " + name
                : "several metrics reported for " + name + " (" + String.join(", ", usable) + "): choose one with "
                + "metric: in the task map (higher-is-better; its direction comes from the results' "
                + "higher_is_better)"));
        return null;
    }

    /** Fills expected (the dataset size the harness saw) and scored samples over the task's leaves. */
    private void account(String name, List<String> leaves, String metricKey, TaskEvidence evidence) {
        if (nSamples == null) {
            if (limit.isNumber()) {
                evidence.errors.add(ACCOUNTING + "the run was limited (config.limit = " + limitText() + ") and "
                        + file.getFileName() + " records no n-samples: how many items were scored is unknown (at "
                        + "most " + limitText() + " per task)");
            }
            return;
        }
        long original = 0;
        long scored = 0;
        long lines = 0;
        boolean anyLines = false;
        boolean limited = false;
        List<String> counted = new ArrayList<>();
        for (String leaf : leaves) {
            if (metricKey != null && !leaf.equals(name) && !results.path(leaf).has(metricKey)) {
                evidence.notes.add(leaf + " does not report " + metricKey + "; not counted for " + name);
                continue;
            }
            JsonNode counts = nSamples.get(leaf);
            if (counts == null) {
                evidence.errors.add(ACCOUNTING + "n-samples has no entry for " + leaf + ": the number of items "
                        + "scored is unknown");
                continue;
            }
            String field = "n-samples." + leaf;
            fields.requireObject(counts, field);
            long leafOriginal = fields.optionalInteger(counts, "original", field + ".original")
                    .orElseThrow(() -> fields.error(field + ".original", "is missing"));
            long leafEffective = fields.optionalInteger(counts, "effective", field + ".effective")
                    .orElseThrow(() -> fields.error(field + ".effective", "is missing"));
            original += leafOriginal;
            limited |= leafEffective < leafOriginal;
            counted.add(leaf);
            Path samples = samplesFiles.find(leaf);
            if (samples == null || metricKey == null) {
                scored += leafEffective;
                if (leafEffective < leafOriginal) {
                    evidence.notes.add(leaf + ": the harness evaluated " + leafEffective + " of " + leafOriginal
                            + " items (n-samples.effective < original)");
                }
                if (samples == null && metricKey != null) {
                    String missing = samplesFiles.expectedButMissing(leaf);
                    if (missing != null) {
                        evidence.notes.add(missing);
                        samplesNotFound.add(evidence.name + ": " + missing);
                    }
                }
                continue;
            }
            String metricName = metricName(metricKey);
            String filter = filterOf(metricKey);
            SampleAccount account = new SampleAccount(metricName);
            SampleFileReader.stream(samples, filter, false, account);
            evidence.samplesFiles.add(samples.toString());
            anyLines = true;
            lines += account.lines();
            scored += account.scored();
            LmEvalSamples.check(leaf, metricKey, leafEffective, account, results.path(leaf).get(metricKey),
                    aggregation(leaf, metricName), evidence);
        }
        if (limit.isNumber()) {
            evidence.notes.add(limited ? "the run was limited: config.limit = " + limitText()
                    : "config.limit = " + limitText() + " is not below the dataset size: every item was evaluated "
                    + "(n-samples.effective = original), so the run is not limited");
        }
        evidence.expected = counted.isEmpty() ? null : original;
        evidence.expectedFrom = counted.isEmpty() ? null : "n-samples.original" + (leaves.size() > 1
                ? " summed over " + String.join(", ", counted) : "");
        evidence.scored = counted.isEmpty() ? null : scored;
        evidence.scoredFrom = counted.isEmpty() ? null : anyLines ? "distinct items with a finite " + metricKey
                + " in the samples files" : "n-samples.effective";
        evidence.sampleLines = anyLines ? lines : null;
    }

    private String limitText() {
        return limit.decimalValue().stripTrailingZeros().toPlainString();
    }

    /** The leaf tasks under {@code name}: itself when it is not a group. */
    List<String> leaves(String name) {
        List<String> leaves = new ArrayList<>();
        collectLeaves(name, leaves, new LinkedHashSet<>());
        return leaves;
    }

    private void collectLeaves(String name, List<String> into, Set<String> visiting) {
        List<String> children = groupSubtasks.get(name);
        if (children == null || children.isEmpty() || !visiting.add(name)) {
            into.add(name);
            return;
        }
        for (String child : children) {
            collectLeaves(child, into, visiting);
        }
    }

    private String aggregation(String task, String metricName) {
        JsonNode list = configs.path(task).path("metric_list");
        if (list.isArray()) {
            for (JsonNode entry : list) {
                if (metricName.equals(entry.path("metric").asText(null))) {
                    JsonNode aggregation = entry.get("aggregation");
                    return aggregation != null && aggregation.isTextual() ? aggregation.textValue() : null;
                }
            }
        }
        return null;
    }
}
