package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
 * The JSON export of NeMo Evaluator Launcher ({@code nemo-evaluator-launcher export <id> --dest local --format
 * json}, {@code processed_results.json}): {@code benchmarks.<task>.models.<model>[]} entries, one per job, each with
 * its {@code invocation_id}, {@code harness}, {@code container} and flattened {@code scores} named
 * {@code <task>_<metric>_<score>}. An export of several invocations combines their benchmarks in one file.
 *
 * <p>The export keeps scores only, no item counts: a task is read, but cannot be shown complete unless the task
 * map accepts that ({@code accept_without_sample_count}); the run's own {@code results.yml} and artifacts have
 * what the export dropped.
 */
final class NelExport implements EvalResultsFile {
    /** One job's entry for one benchmark. */
    private record Entry(String model, String invocation, ObjectNode scores, String field) {
    }

    private final Path file;
    private final Map<String, Entry> byTask = new LinkedHashMap<>();
    private final RunConfig config = new RunConfig();

    private NelExport(Path file, JsonNode root) {
        this.file = file;
        Fields fields = new Fields(file.toString());
        fields.requireObject(root, "");
        ObjectNode benchmarks = fields.requireObject(root.get("benchmarks"), "benchmarks");
        if (benchmarks.isEmpty()) {
            throw fields.error("benchmarks", "is empty: the export holds no results");
        }
        Iterator<Map.Entry<String, JsonNode>> it = benchmarks.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> benchmark = it.next();
            String task = benchmark.getKey();
            String prefix = "benchmarks." + task;
            fields.requireObject(benchmark.getValue(), prefix);
            ObjectNode models = fields.requireObject(benchmark.getValue().get("models"), prefix + ".models");
            List<Entry> entries = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> modelIt = models.fields();
            while (modelIt.hasNext()) {
                Map.Entry<String, JsonNode> model = modelIt.next();
                String modelField = prefix + ".models." + model.getKey();
                if (!model.getValue().isArray()) {
                    throw fields.error(modelField, "must be a list of job entries, found "
                            + Fields.describe(model.getValue()));
                }
                for (int i = 0; i < model.getValue().size(); i++) {
                    String field = modelField + "[" + i + "]";
                    JsonNode job = fields.requireObject(model.getValue().get(i), field);
                    ObjectNode scores = fields.requireObject(job.get("scores"), field + ".scores");
                    String invocation = fields.optionalString(job, "invocation_id", field + ".invocation_id");
                    entries.add(new Entry(model.getKey(), invocation, scores, field));
                    for (String key : List.of("invocation_id", "job_id", "harness", "container", "executor")) {
                        config.add("benchmarks." + task + "." + key, job.get(key));
                    }
                    config.add("benchmarks." + task + ".model", JsonNodeFactory.instance
                            .textNode(model.getKey()));
                }
            }
            if (entries.size() > 1) {
                Set<String> seen = new LinkedHashSet<>();
                entries.forEach(entry -> seen.add(entry.model() + " (invocation " + entry.invocation() + ")"));
                throw fields.error(prefix + ".models", "holds " + entries.size() + " results for " + task + ": "
                        + String.join(", ", seen) + "; export one run per model and task");
            }
            if (!entries.isEmpty()) {
                byTask.put(task, entries.get(0));
            }
        }
        config.add("export_timestamp", root.get("export_timestamp"));
        config.source(file.toString());
    }

    static NelExport read(Path file) {
        return new NelExport(file, Json.read(file));
    }

    /** Whether a parsed document is a launcher JSON export. */
    static boolean looksLike(JsonNode root) {
        return root.isObject() && root.path("benchmarks").isObject() && !root.has("results")
                && root.path("benchmarks").elements().hasNext()
                && root.path("benchmarks").elements().next().path("models").isObject();
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public List<String> roots() {
        return new ArrayList<>(byTask.keySet());
    }

    @Override
    public Set<String> names() {
        return new LinkedHashSet<>(byTask.keySet());
    }

    @Override
    public RunConfig config() {
        return config;
    }

    @Override
    public TaskEvidence evaluate(TaskMap.TaskSpec spec, String expectedOrigin) {
        String task = spec.source();
        Entry entry = byTask.get(task);
        TaskEvidence evidence = new TaskEvidence(spec.name(), task);
        evidence.resultsFile = file.toString();
        List<String> candidates = new ArrayList<>();
        entry.scores().fieldNames().forEachRemaining(candidates::add);
        String chosen = chooseScore(spec, task, candidates, evidence);
        evidence.metric = chosen;
        if (chosen != null) {
            JsonNode value = entry.scores().get(chosen);
            if (value.isNumber()) {
                evidence.reported = value.doubleValue();
            } else {
                evidence.errors.add("score " + chosen + " is not a number: " + Fields.describe(value));
            }
        }
        if (spec.scale() != null) {
            evidence.scale = spec.scale();
            evidence.scaleFrom = "task map";
        }
        evidence.expected = spec.expectedSamples();
        evidence.expectedFrom = expectedOrigin;
        evidence.notes.add("model " + entry.model() + ", invocation " + entry.invocation());
        if (spec.acceptWithoutSampleCount()) {
            evidence.notes.add("accepted without a sample count (accept_without_sample_count in the task map)");
        } else {
            evidence.errors.add(LmEvalResults.ACCOUNTING + file.getFileName() + " is a nemo-evaluator-launcher JSON "
                    + "export, which keeps scores but no item counts, so the run cannot be shown complete: point "
                    + "--results at the invocation's output directory (its results.yml and artifacts), or set "
                    + "accept_without_sample_count for " + spec.name() + " in the task map");
            evidence.expectedReported = true;
        }
        return evidence;
    }

    /**
     * The score key a map entry means: the exact key, {@code <task>_<metric>} or {@code <task>_<metric>_<score>}
     * for a NEL {@code metric.score} or an lm-eval {@code metric,filter}, else the only score.
     */
    private static String chooseScore(TaskMap.TaskSpec spec, String task, List<String> candidates,
                                      TaskEvidence evidence) {
        String wanted = spec.metric() != null ? spec.metric() : spec.lmEvalMetric();
        if (wanted != null) {
            String bare = wanted.contains(",") ? wanted.substring(0, wanted.indexOf(',')) : wanted;
            String flat = bare.replace('.', '_');
            List<String> forms = List.of(wanted, bare, task + "_" + flat, task + "_" + flat + "_" + flat);
            for (String form : forms) {
                if (candidates.contains(form)) {
                    return form;
                }
            }
            List<String> prefixed = candidates.stream().filter(key -> key.startsWith(task + "_" + flat + "_"))
                    .toList();
            if (prefixed.size() == 1) {
                return prefixed.get(0);
            }
            if (spec.metric() != null) {
                evidence.errors.add(LmEvalResults.TASK_MAP + "metric " + wanted + " is not among the exported scores "
                        + "of " + task + " (" + String.join(", ", candidates) + "): name one of them with metric:");
                return null;
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        evidence.errors.add(LmEvalResults.TASK_MAP + "several scores exported for " + task + " (" + String.join(", ",
                candidates) + "): choose one with metric: in the task map");
        return null;
    }
}
