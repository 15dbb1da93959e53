package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Files;
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
 */
final class LmEvalResults implements EvalResultsFile {
    /** How far a results file's score may be from the mean of its own samples (float printing noise). */
    static final double MEAN_TOLERANCE = 1e-6;

    private final Path file;
    private final Fields fields;
    private final ObjectNode results;
    private final ObjectNode groups;
    private final Map<String, List<String>> groupSubtasks = new LinkedHashMap<>();
    private final ObjectNode nSamples;
    private final JsonNode higherIsBetter;
    private final JsonNode configs;
    private final JsonNode limit;

    private LmEvalResults(Path file, JsonNode root) {
        this.file = file;
        this.fields = new Fields(file.toString());
        fields.requireObject(root, "");
        this.results = fields.requireObject(root.get("results"), "results");
        this.groups = fields.optionalObject(root, "groups", "groups");
        this.nSamples = fields.optionalObject(root, "n-samples", "n-samples");
        this.higherIsBetter = root.path("higher_is_better");
        this.configs = root.path("configs");
        this.limit = root.path("config").path("limit");
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
            String metricName = metricKey.substring(0, metricKey.indexOf(','));
            JsonNode higher = higherIsBetter.path(name).path(metricName);
            evidence.higherIsBetter = higher.isBoolean() ? higher.booleanValue() : null;
            if (Boolean.FALSE.equals(evidence.higherIsBetter)) {
                evidence.errors.add("metric " + metricKey + " is lower-is-better; the compare gate needs a "
                        + "higher-is-better score: choose another metric in the task map");
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
        account(name, metricKey, evidence);
        if (spec.expectedSamples() != null) {
            if (evidence.expected != null && !evidence.expected.equals(spec.expectedSamples())) {
                evidence.notes.add("the harness counted " + evidence.expected + " items in the dataset "
                        + "(n-samples.original); " + expectedOrigin + " expects " + spec.expectedSamples());
            }
            evidence.expected = spec.expectedSamples();
            evidence.expectedFrom = expectedOrigin;
        }
        if (limit.isNumber()) {
            evidence.notes.add("the run was limited: config.limit = "
                    + limit.decimalValue().stripTrailingZeros().toPlainString());
        }
        return evidence;
    }

    private String chooseMetric(TaskMap.TaskSpec spec, JsonNode metrics, TaskEvidence evidence) {
        List<String> candidates = new ArrayList<>();
        metrics.fieldNames().forEachRemaining(key -> {
            if (key.indexOf(',') > 0 && !key.contains("_stderr,")) {
                candidates.add(key);
            }
        });
        String name = spec.source();
        if (spec.metric() != null) {
            String wanted = spec.metric();
            if (candidates.contains(wanted)) {
                return wanted;
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
            evidence.errors.add(matching.isEmpty()
                    ? "metric " + wanted + " is not reported for " + name + " (reported: " + String.join(", ",
                    candidates) + ")"
                    : "metric " + wanted + " is reported under several filters (" + String.join(", ", matching)
                    + "): name one as metric,filter in the task map");
            return null;
        }
        if (spec.lmEvalMetric() != null && candidates.contains(spec.lmEvalMetric())) {
            return spec.lmEvalMetric();
        }
        List<String> usable = new ArrayList<>();
        for (String key : candidates) {
            JsonNode higher = higherIsBetter.path(name).path(key.substring(0, key.indexOf(',')));
            if (!(higher.isBoolean() && !higher.booleanValue())) {
                usable.add(key);
            }
        }
        if (usable.size() == 1) {
            return usable.get(0);
        }
        evidence.errors.add(usable.isEmpty()
                ? "no higher-is-better metric reported for " + name + " (reported: " + String.join(", ", candidates)
                + "): choose one with metric: in the task map"
                : "several metrics reported for " + name + " (" + String.join(", ", usable) + "): choose one with "
                + "metric: in the task map");
        return null;
    }

    /** Fills expected (the dataset size the harness saw) and scored samples over the task's leaves. */
    private void account(String name, String metricKey, TaskEvidence evidence) {
        List<String> leaves = leaves(name);
        long original = 0;
        long scored = 0;
        long lines = 0;
        boolean anyLines = false;
        List<String> counted = new ArrayList<>();
        for (String leaf : leaves) {
            if (metricKey != null && !leaf.equals(name) && !results.path(leaf).has(metricKey)) {
                evidence.notes.add(leaf + " does not report " + metricKey + "; not counted for " + name);
                continue;
            }
            JsonNode counts = nSamples == null ? null : nSamples.get(leaf);
            if (counts == null) {
                evidence.errors.add("n-samples has no entry for " + leaf + ": the number of items scored is unknown");
                continue;
            }
            String field = "n-samples." + leaf;
            fields.requireObject(counts, field);
            long leafOriginal = fields.optionalInteger(counts, "original", field + ".original")
                    .orElseThrow(() -> fields.error(field + ".original", "is missing"));
            long leafEffective = fields.optionalInteger(counts, "effective", field + ".effective")
                    .orElseThrow(() -> fields.error(field + ".effective", "is missing"));
            original += leafOriginal;
            counted.add(leaf);
            Path samples = samplesFile(leaf);
            if (samples == null || metricKey == null) {
                scored += leafEffective;
                if (leafEffective < leafOriginal) {
                    evidence.notes.add(leaf + ": the harness evaluated " + leafEffective + " of " + leafOriginal
                            + " items (n-samples.effective < original)");
                }
                continue;
            }
            int comma = metricKey.indexOf(',');
            String metricName = metricKey.substring(0, comma);
            String filter = metricKey.substring(comma + 1);
            SampleAccount account = new SampleAccount(metricName);
            SampleFileReader.stream(samples, filter, account);
            evidence.samplesFiles.add(samples.toString());
            anyLines = true;
            lines += account.lines();
            scored += account.scored();
            checkSamples(leaf, metricKey, leafEffective, account, evidence);
        }
        evidence.expected = counted.isEmpty() ? null : original;
        evidence.expectedFrom = counted.isEmpty() ? null : "n-samples.original" + (leaves.size() > 1
                ? " summed over " + String.join(", ", counted) : "");
        evidence.scored = counted.isEmpty() ? null : scored;
        evidence.scoredFrom = counted.isEmpty() ? null : anyLines ? "distinct items with a finite " + metricKey
                + " in the samples files" : "n-samples.effective";
        evidence.sampleLines = anyLines ? lines : null;
    }

    private void checkSamples(String leaf, String metricKey, long effective, SampleAccount account,
                              TaskEvidence evidence) {
        if (account.duplicates() > 0) {
            evidence.errors.add(leaf + ": the samples file repeats " + account.duplicates() + " doc ids (first: "
                    + account.firstDuplicate() + ")");
        }
        if (account.distinct() != effective) {
            evidence.errors.add(leaf + ": the samples file has " + account.distinct() + " items for filter "
                    + metricKey.substring(metricKey.indexOf(',') + 1) + " but n-samples.effective is " + effective
                    + ": results and samples are not from the same run");
        }
        if (account.missingMetric() > 0 || account.nonFinite() > 0) {
            evidence.notes.add(leaf + ": " + account.missingMetric() + " items lack " + metricKey + " and "
                    + account.nonFinite() + " have a non-finite value; they are not counted as scored");
        }
        JsonNode reported = results.path(leaf).get(metricKey);
        String aggregation = aggregation(leaf, metricKey.substring(0, metricKey.indexOf(',')));
        if ("mean".equals(aggregation) && reported != null && reported.isNumber() && account.scored() > 0
                && Math.abs(account.mean() - reported.doubleValue()) > MEAN_TOLERANCE) {
            evidence.errors.add(leaf + ": the results file reports " + metricKey + " = " + reported.asText()
                    + " but its samples average " + account.mean() + ": results and samples are not from the same "
                    + "run");
        }
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

    /**
     * The samples file the harness wrote for {@code task} in the same run: {@code <prefix>samples_<task>_<date>
     * .jsonl} beside {@code <prefix>results_<date>.json}.
     */
    Path samplesFile(String task) {
        String fileName = file.getFileName().toString();
        int at = fileName.lastIndexOf("results_");
        if (at < 0 || !fileName.endsWith(".json")) {
            return null;
        }
        String prefix = fileName.substring(0, at);
        String date = fileName.substring(at + "results_".length(), fileName.length() - ".json".length());
        Path dir = file.getParent() == null ? Path.of("") : file.getParent();
        Path samples = dir.resolve(prefix + "samples_" + task + "_" + date + ".jsonl");
        return Files.isRegularFile(samples) ? samples : null;
    }
}
