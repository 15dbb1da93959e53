package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One NeMo Evaluator Launcher {@code results.yml}: scores under
 * {@code results.{tasks,groups}.<name>.metrics.<metric>.scores.<score>.value} and the run's parameters under
 * {@code config.params} ({@code limit_samples} marks a run limited to its first items).
 *
 * <p>The file carries no item count. The count comes from per-item results in the task's artifacts when there
 * are any (lm-evaluation-harness {@code samples_<task>_*.jsonl}, or its {@code results_*.json}
 * {@code n-samples}); a {@code limit_samples} run is counted at most at its limit; otherwise the count is
 * unknown and the task fails unless the task map accepts that explicitly.
 */
final class NelResults implements EvalResultsFile {
    private static final int SEARCH_DEPTH = 6;

    private final Path file;
    private final Fields fields;
    private final ObjectNode tasks;
    private final ObjectNode groups;
    private final Long limitSamples;
    private final RunConfig config = new RunConfig();

    private NelResults(Path file, JsonNode root) {
        this.file = file;
        this.fields = new Fields(file.toString());
        fields.requireObject(root, "");
        ObjectNode results = fields.requireObject(root.get("results"), "results");
        this.tasks = fields.optionalObject(results, "tasks", "results.tasks");
        this.groups = fields.optionalObject(results, "groups", "results.groups");
        if ((tasks == null || tasks.isEmpty()) && (groups == null || groups.isEmpty())) {
            throw fields.error("results", "has neither tasks nor groups: the evaluation reported no score");
        }
        JsonNode params = root.path("config").path("params");
        OptionalLong limit = params.isObject()
                ? fields.optionalInteger(params, "limit_samples", "config.params.limit_samples") : OptionalLong.empty();
        this.limitSamples = limit.isPresent() ? limit.getAsLong() : null;
        readConfig(root);
    }

    /**
     * The launcher's {@code config.yml} beside the task's {@code artifacts/} directory (how the evaluation was
     * configured: task, params, target), else the {@code config} and {@code target} sections of results.yml.
     */
    private void readConfig(JsonNode root) {
        Path dir = file.getParent();
        Path beside = dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("artifacts")
                && dir.getParent() != null ? dir.getParent().resolve("config.yml") : null;
        if (beside != null && Files.isRegularFile(beside)) {
            config.add("", Json.readYaml(beside));
            config.source(beside.toString());
            return;
        }
        config.add("config", root.get("config"));
        config.add("target", root.get("target"));
        if (!config.isEmpty()) {
            config.source(file.toString());
        }
    }

    @Override
    public RunConfig config() {
        return config;
    }

    static NelResults read(Path file) {
        return new NelResults(file, Json.readYaml(file));
    }

    @Override
    public Path file() {
        return file;
    }

    /** The task names a run reports: its tasks, or its groups when it has no tasks. */
    @Override
    public List<String> roots() {
        List<String> names = new ArrayList<>();
        (tasks != null && !tasks.isEmpty() ? tasks : groups).fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        if (tasks != null) {
            tasks.fieldNames().forEachRemaining(names::add);
        }
        if (groups != null) {
            groups.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    @Override
    public TaskEvidence evaluate(TaskMap.TaskSpec spec, String expectedOrigin) {
        String name = spec.source();
        TaskEvidence evidence = new TaskEvidence(spec.name(), name);
        evidence.resultsFile = file.toString();
        boolean isTask = tasks != null && tasks.has(name);
        String prefix = (isTask ? "results.tasks." : "results.groups.") + name;
        JsonNode node = isTask ? tasks.get(name) : groups.get(name);
        fields.requireObject(node, prefix);
        ObjectNode metrics = fields.requireObject(node.get("metrics"), prefix + ".metrics");
        List<String> candidates = new ArrayList<>();
        Map<String, String[]> parts = new java.util.HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = metrics.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> metric = it.next();
            String metricField = prefix + ".metrics." + metric.getKey();
            fields.requireObject(metric.getValue(), metricField);
            ObjectNode scores = fields.requireObject(metric.getValue().get("scores"), metricField + ".scores");
            scores.fieldNames().forEachRemaining(score -> {
                candidates.add(metric.getKey() + "." + score);
                parts.put(metric.getKey() + "." + score, new String[] {metric.getKey(), score});
            });
        }
        String chosen = chooseMetric(spec, candidates, evidence);
        evidence.metric = chosen;
        if (chosen != null) {
            String metric = parts.get(chosen)[0];
            String score = parts.get(chosen)[1];
            String field = prefix + ".metrics." + metric + ".scores." + score;
            JsonNode entry = fields.requireObject(metrics.get(metric).get("scores").get(score), field);
            JsonNode value = entry.get("value");
            if (value != null && value.isNumber()) {
                evidence.reported = value.doubleValue();
            } else {
                evidence.errors.add("score " + chosen + " has no numeric value: " + Fields.describe(value));
            }
        }
        if (spec.scale() != null) {
            evidence.scale = spec.scale();
            evidence.scaleFrom = "task map";
        }
        evidence.expected = spec.expectedSamples();
        evidence.expectedFrom = expectedOrigin;
        account(spec, evidence);
        return evidence;
    }

    private static String chooseMetric(TaskMap.TaskSpec spec, List<String> candidates, TaskEvidence evidence) {
        String wanted = spec.metric();
        if (wanted != null) {
            if (candidates.contains(wanted)) {
                return wanted;
            }
            List<String> matching = candidates.stream().filter(key -> key.startsWith(wanted + ".")).toList();
            if (matching.size() == 1) {
                return matching.get(0);
            }
            evidence.errors.add(LmEvalResults.TASK_MAP + (matching.isEmpty()
                    ? "metric " + wanted + " is not reported for " + spec.source() + " (reported: "
                    + String.join(", ", candidates) + ")"
                    : "metric " + wanted + " has several scores (" + String.join(", ", matching) + "): name one as "
                    + "metric.score in the task map"));
            return null;
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        evidence.errors.add(LmEvalResults.TASK_MAP + "several scores reported for " + spec.source() + " (" + String.join(", ", candidates)
                + "): choose one with metric: in the task map");
        return null;
    }

    private void account(TaskMap.TaskSpec spec, TaskEvidence evidence) {
        String name = spec.source();
        // samples_<task>_<ISO date>.jsonl: the date keeps gsm8k from matching samples_gsm8k_cot_...
        Pattern ownSamples = Pattern.compile(".*samples_" + Pattern.quote(name) + "_\\d{4}-.*\\.jsonl");
        List<Path> samples = find(path -> ownSamples.matcher(path.getFileName().toString()).matches());
        if (samples.size() > 1) {
            evidence.errors.add("several per-item files for " + name + " (" + String.join(", ",
                    samples.stream().map(Path::toString).toList()) + "): keep the one of this run");
            return;
        }
        if (samples.size() == 1) {
            SampleAccount account = new SampleAccount(null);
            SampleFileReader.stream(samples.get(0), null, false, account);
            evidence.samplesFiles.add(samples.get(0).toString());
            evidence.sampleLines = account.lines();
            evidence.scored = account.scored();
            evidence.scoredFrom = "distinct items with a finite metric in the per-item file";
            fillExpectedFromHarness(name, evidence, false);
            return;
        }
        if (fillExpectedFromHarness(name, evidence, true)) {
            return;
        }
        if (limitSamples != null && (evidence.expected == null || limitSamples < evidence.expected)) {
            evidence.scored = limitSamples;
            evidence.scoredFrom = "config.params.limit_samples (at most this many: the run was limited)";
            evidence.notes.add("the run was limited to its first " + limitSamples + " items");
            return;
        }
        if (spec.acceptWithoutSampleCount()) {
            evidence.notes.add("accepted without a sample count (accept_without_sample_count in the task map)");
            return;
        }
        evidence.errors.add(LmEvalResults.ACCOUNTING + "no per-item results and results.yml carries no item count: the run cannot be shown "
                + "complete (keep the harness's per-item output, or set accept_without_sample_count in the task map)");
    }

    /**
     * Uses an lm-evaluation-harness results file in the artifacts (the launcher's lm-eval container writes one)
     * for the dataset size and, when {@code scoredToo}, the items evaluated. Returns whether it found one.
     */
    private boolean fillExpectedFromHarness(String name, TaskEvidence evidence, boolean scoredToo) {
        for (Path candidate : find(path -> {
            String fileName = path.getFileName().toString();
            return fileName.contains("results_") && fileName.endsWith(".json");
        })) {
            JsonNode root = Json.read(candidate);
            JsonNode counts = root.path("n-samples").path(name);
            if (!LmEvalResults.looksLike(root) || !counts.isObject()) {
                continue;
            }
            Fields harness = new Fields(candidate.toString());
            long original = harness.optionalInteger(counts, "original", "n-samples." + name + ".original")
                    .orElseThrow(() -> harness.error("n-samples." + name + ".original", "is missing"));
            long effective = harness.optionalInteger(counts, "effective", "n-samples." + name + ".effective")
                    .orElseThrow(() -> harness.error("n-samples." + name + ".effective", "is missing"));
            if (evidence.expected == null) {
                evidence.expected = original;
                evidence.expectedFrom = "n-samples.original in " + candidate;
            }
            if (scoredToo) {
                evidence.scored = effective;
                evidence.scoredFrom = "n-samples.effective in " + candidate;
            }
            return true;
        }
        return false;
    }

    private List<Path> find(java.util.function.Predicate<Path> wanted) {
        Path dir = file.getParent() == null ? Path.of("") : file.getParent();
        try (Stream<Path> walk = Files.walk(dir, SEARCH_DEPTH)) {
            return walk.filter(Files::isRegularFile).filter(wanted).sorted().toList();
        } catch (IOException e) {
            throw new InputException(dir.toString(), "", "cannot be searched: " + e.getMessage(), e);
        }
    }
}
