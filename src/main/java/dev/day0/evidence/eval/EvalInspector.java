package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code day0 inspect eval}: reads an evaluation's output (NeMo Evaluator Launcher or lm-evaluation-harness) and
 * writes the run summary {@code day0 gate run} judges and the {@code {task: score}} file {@code day0 gate compare}
 * compares. Scores are written on a 0-100 scale (the reported value times 100 over the metric's scale), so a
 * baseline and a candidate, and a published model card, are compared in the same units.
 */
public final class EvalInspector {
    private static final int SEARCH_DEPTH = 8;

    /** The output formats understood. */
    public enum Format {
        NEL("nel"), LM_EVAL("lm-eval"), AUTO("auto");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Format parse(String text) {
            for (Format format : values()) {
                if (format.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return format;
                }
            }
            throw new InputException("--format", "", "must be nel, lm-eval or auto, got \"" + text + "\"");
        }
    }

    /** The three documents: run summary, scores, and the report of where every number came from. */
    public record Inspection(ObjectNode runSummary, ObjectNode scores, ObjectNode report, int taskCount) {
    }

    private EvalInspector() {
    }

    public static Inspection inspect(Path results, Format format, TaskMap map) {
        if (!Files.exists(results)) {
            throw new InputException("--results", "", results + " does not exist");
        }
        Format chosen = format;
        List<Path> files;
        if (Files.isDirectory(results)) {
            List<Path> nel = walk(results, EvalInspector::isNelFile);
            List<Path> lmEval = walk(results, path -> isLmEvalName(path) && LmEvalResults.looksLike(Json.read(path)));
            if (nel.isEmpty()) {
                // Without results.yml: the newer evaluation bundles, or launcher JSON exports.
                nel = walk(results, path -> NelBundle.isBundleName(path) && NelBundle.looksLike(Json.read(path)));
                if (nel.isEmpty()) {
                    nel = walk(results, path -> isExportName(path) && NelExport.looksLike(Json.read(path)));
                }
            }
            if (chosen == Format.AUTO) {
                chosen = !nel.isEmpty() && (isNelFile(nel.get(0)) || lmEval.isEmpty()) ? Format.NEL : Format.LM_EVAL;
            }
            files = chosen == Format.NEL ? nel : lmEval;
            if (files.isEmpty()) {
                throw new InputException(results.toString(), "", "holds no " + (format == Format.AUTO
                        ? "results.yml (NeMo Evaluator) or results_*.json (lm-evaluation-harness)"
                        : chosen == Format.NEL ? "results.yml (NeMo Evaluator)" : "results_*.json "
                        + "(lm-evaluation-harness)") + " file");
            }
        } else {
            chosen = fileFormat(results, format);
            files = List.of(results);
        }
        List<EvalResultsFile> sources = new ArrayList<>();
        for (Path file : files) {
            sources.add(chosen == Format.NEL ? readNel(file) : LmEvalResults.read(file));
        }
        return assemble(chosen, sources, map);
    }

    /** A NeMo Evaluator file of any of its three shapes: results.yml, an evaluation bundle, a JSON export. */
    private static EvalResultsFile readNel(Path file) {
        String name = file.getFileName().toString();
        if (isNelFile(file) || name.endsWith(".yml") || name.endsWith(".yaml")) {
            return NelResults.read(file);
        }
        JsonNode root = Json.read(file);
        if (NelBundle.looksLike(root)) {
            return NelBundle.read(file);
        }
        if (NelExport.looksLike(root)) {
            return NelExport.read(file);
        }
        return NelResults.read(file);
    }

    private static Inspection assemble(Format format, List<EvalResultsFile> sources, TaskMap map) {
        Map<String, EvalResultsFile> byName = new LinkedHashMap<>();
        Set<String> roots = new LinkedHashSet<>();
        for (EvalResultsFile source : sources) {
            for (String name : source.names()) {
                EvalResultsFile earlier = byName.putIfAbsent(name, source);
                if (earlier != null) {
                    throw new InputException(source.file().toString(), "", "reports task " + name + ", and so does "
                            + earlier.file() + ": point --results at one run");
                }
            }
            roots.addAll(source.roots());
        }
        List<String> reported = new ArrayList<>();
        if (map.explicit()) {
            map.tasks().forEach(spec -> reported.add(spec.name()));
        } else {
            reported.addAll(roots);
        }

        ObjectNode tasks = Json.object();
        ObjectNode scores = Json.object();
        ObjectNode reportTasks = Json.object();
        Set<String> used = new LinkedHashSet<>();
        for (String name : reported) {
            TaskMap.TaskSpec spec = map.resolve(name);
            EvalResultsFile source = byName.get(spec.source());
            if (source == null) {
                source = sources.stream().filter(file -> file.holds(spec)).findFirst().orElse(null);
            }
            TaskEvidence evidence;
            if (source == null) {
                evidence = new TaskEvidence(name, spec.source());
                evidence.status = TaskEvidence.MISSING;
                evidence.expected = spec.expectedSamples();
                evidence.expectedFrom = map.expectedOrigin(name);
                List<String> found = new ArrayList<>(byName.keySet());
                evidence.errors.add("task " + spec.source() + " is not in the results (found: "
                        + String.join(", ", found.subList(0, Math.min(10, found.size())))
                        + (found.size() > 10 ? ", ... " + (found.size() - 10) + " more" : "") + ")");
            } else {
                evidence = source.evaluate(spec, map.expectedOrigin(name));
                used.add(spec.source());
                used.addAll(evidence.covers);
            }
            evidence.finish(spec.expectedUnknownReason());
            tasks.set(name, evidence.runEntry());
            scores.put(name, evidence.points());
            reportTasks.set(name, evidence.reportEntry());
        }

        ObjectNode runSummary = Json.object();
        runSummary.set("tasks", tasks);
        RunConfig config = new RunConfig();
        List<String> samplesNotFound = new ArrayList<>();
        for (EvalResultsFile source : sources) {
            config.addAll(source.config());
            samplesNotFound.addAll(source.samplesNotFound());
        }
        runSummary.set("config", config.toJson());
        runSummary.put("config_source", config.sources());
        if (!samplesNotFound.isEmpty()) {
            runSummary.set("samples_not_found", Json.strings(samplesNotFound));
        }
        ObjectNode report = Json.object();
        report.put("format", format.label());
        var files = report.putArray("results_files");
        sources.forEach(source -> files.add(source.file().toString()));
        report.put("task_map", map.source());
        report.set("tasks", reportTasks);
        if (map.explicit()) {
            var ignored = report.putArray("not_in_task_map");
            roots.stream().filter(name -> !used.contains(name)).forEach(ignored::add);
        }
        return new Inspection(runSummary, scores, report, reported.size());
    }

    private static Format fileFormat(Path file, Format format) {
        String name = file.getFileName().toString();
        if (name.endsWith(".jsonl")) {
            throw new InputException(file.toString(), "", "is a per-sample file; give the results_*.json beside it, "
                    + "or their directory");
        }
        boolean yaml = name.endsWith(".yml") || name.endsWith(".yaml");
        if (format == Format.NEL || format == Format.AUTO && yaml) {
            return Format.NEL;
        }
        if (yaml) {
            throw new InputException(file.toString(), "", "is YAML, not an lm-evaluation-harness results_*.json");
        }
        JsonNode root = Json.read(file);
        if (format != Format.LM_EVAL && (NelBundle.looksLike(root) || NelExport.looksLike(root))) {
            return Format.NEL;
        }
        if (!LmEvalResults.looksLike(root)) {
            throw new InputException(file.toString(), "", "is not an lm-evaluation-harness results file (expected "
                    + "\"results\" with \"n-samples\", \"configs\" or \"versions\"), a NeMo Evaluator evaluation "
                    + "bundle (\"benchmark\" with \"scores\") or a nemo-evaluator-launcher JSON export "
                    + "(\"benchmarks\" with \"models\")");
        }
        return Format.LM_EVAL;
    }

    private static boolean isNelFile(Path path) {
        String name = path.getFileName().toString();
        return name.equals("results.yml") || name.equals("results.yaml");
    }

    /** The launcher's JSON export: {@code processed_results.json} as its docs name it, or a combined export. */
    private static boolean isExportName(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".json") && (name.contains("processed_results") || name.contains("processed_outputs"));
    }

    private static boolean isLmEvalName(Path path) {
        String name = path.getFileName().toString();
        return name.contains("results_") && name.endsWith(".json");
    }

    private static List<Path> walk(Path dir, java.util.function.Predicate<Path> wanted) {
        try (Stream<Path> walk = Files.walk(dir, SEARCH_DEPTH)) {
            return walk.filter(Files::isRegularFile).sorted().filter(wanted).toList();
        } catch (IOException e) {
            throw new InputException(dir.toString(), "", "cannot be searched: " + e.getMessage(), e);
        }
    }

}
