package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One NeMo Evaluator evaluation bundle ({@code eval-<benchmark>.json}, as {@code nel gate} and {@code nel compare}
 * read it: {@code benchmark.name}, {@code benchmark.scores.<metric>.value}, optional {@code benchmark.samples} and
 * {@code config}) with the per-problem records beside it ({@code results.jsonl}: {@code problem_idx}, {@code reward},
 * optional {@code repeat}, whose repeats are averaged per problem).
 */
final class NelBundle implements EvalResultsFile {
    static final String RECORDS = "results.jsonl";

    private final Path file;
    private final Fields fields;
    private final String name;
    private final ObjectNode scores;
    private final Long samples;
    private final RunConfig config = new RunConfig();

    private NelBundle(Path file, JsonNode root) {
        this.file = file;
        this.fields = new Fields(file.toString());
        fields.requireObject(root, "");
        JsonNode benchmark = fields.requireObject(root.get("benchmark"), "benchmark");
        this.name = fields.requireString(benchmark, "name", "benchmark.name");
        this.scores = fields.requireObject(benchmark.get("scores"), "benchmark.scores");
        if (scores.isEmpty()) {
            throw fields.error("benchmark.scores", "is empty: the bundle reports no score");
        }
        OptionalLong count = fields.optionalInteger(benchmark, "samples", "benchmark.samples");
        this.samples = count.isPresent() ? count.getAsLong() : null;
        config.add("config", root.get("config"));
        config.add("run_id", root.get("run_id"));
        config.source(file.toString());
    }

    static NelBundle read(Path file) {
        return new NelBundle(file, Json.read(file));
    }

    /** Whether a parsed document is an evaluation bundle. */
    static boolean looksLike(JsonNode root) {
        return root.isObject() && root.path("benchmark").isObject() && root.path("benchmark").has("scores");
    }

    static boolean isBundleName(Path path) {
        String fileName = path.getFileName().toString();
        return fileName.startsWith("eval-") && fileName.endsWith(".json");
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public List<String> roots() {
        return List.of(name);
    }

    @Override
    public Set<String> names() {
        return new LinkedHashSet<>(List.of(name));
    }

    @Override
    public RunConfig config() {
        return config;
    }

    @Override
    public TaskEvidence evaluate(TaskMap.TaskSpec spec, String expectedOrigin) {
        TaskEvidence evidence = new TaskEvidence(spec.name(), name);
        evidence.resultsFile = file.toString();
        List<String> candidates = new ArrayList<>();
        scores.fieldNames().forEachRemaining(candidates::add);
        String chosen = null;
        String wanted = spec.metric();
        if (wanted != null) {
            if (candidates.contains(wanted)) {
                chosen = wanted;
            } else {
                evidence.errors.add(LmEvalResults.TASK_MAP + "metric " + wanted + " is not in benchmark.scores of "
                        + file.getFileName() + " (" + String.join(", ", candidates) + ")");
            }
        } else if (candidates.size() == 1) {
            chosen = candidates.get(0);
        } else if (candidates.contains("mean_reward")) {
            chosen = "mean_reward";
        } else {
            evidence.errors.add(LmEvalResults.TASK_MAP + "several scores in " + file.getFileName() + " ("
                    + String.join(", ", candidates) + "): choose one with metric: in the task map");
        }
        evidence.metric = chosen;
        if (chosen != null) {
            String field = "benchmark.scores." + chosen;
            JsonNode value = fields.requireObject(scores.get(chosen), field).get("value");
            if (value != null && value.isNumber()) {
                evidence.reported = value.doubleValue();
            } else {
                evidence.errors.add("score " + field + ".value is not a number: " + Fields.describe(value));
            }
        }
        if (spec.scale() != null) {
            evidence.scale = spec.scale();
            evidence.scaleFrom = "task map";
        }
        evidence.expected = spec.expectedSamples();
        evidence.expectedFrom = expectedOrigin;
        Path records = (file.getParent() == null ? Path.of("") : file.getParent()).resolve(RECORDS);
        if (Files.isRegularFile(records)) {
            accountRecords(records, chosen, evidence);
        } else if (samples != null) {
            evidence.scored = samples;
            evidence.scoredFrom = "benchmark.samples in " + file.getFileName();
        } else if (spec.acceptWithoutSampleCount()) {
            evidence.notes.add("accepted without a sample count (accept_without_sample_count in the task map)");
        } else {
            evidence.errors.add(LmEvalResults.ACCOUNTING + file.getFileName() + " has no benchmark.samples and no "
                    + RECORDS + " beside it: the number of problems scored is unknown");
        }
        if (evidence.expected == null && samples != null) {
            evidence.expected = samples;
            evidence.expectedFrom = "benchmark.samples in " + file.getFileName();
        }
        return evidence;
    }

    /**
     * Counts the problems of {@code results.jsonl} (distinct {@code problem_idx} with a finite reward) and checks
     * that their mean reward, repeats averaged per problem first, is the bundle's {@code mean_reward}.
     */
    private void accountRecords(Path records, String chosen, TaskEvidence evidence) {
        Map<String, double[]> perProblem = new HashMap<>();
        long[] nonFinite = new long[1];
        long lines = SampleFileReader.stream(records, null, record -> {
            Double reward = record.metrics().get("reward");
            if (reward == null) {
                throw new dev.day0.io.InputException(records.toString(), "problem_idx " + record.docId(),
                        "has no reward");
            }
            if (!Double.isFinite(reward)) {
                nonFinite[0]++;
                return;
            }
            double[] sums = perProblem.computeIfAbsent(record.docId(), key -> new double[2]);
            sums[0] += reward;
            sums[1]++;
        });
        evidence.samplesFiles.add(records.toString());
        evidence.sampleLines = lines;
        evidence.scored = (long) perProblem.size();
        evidence.scoredFrom = "distinct problem_idx with a finite reward in " + RECORDS;
        if (nonFinite[0] > 0) {
            evidence.errors.add(RECORDS + ": " + nonFinite[0] + " records have a non-finite reward (inf or NaN): "
                    + "the mean reward is non-finite");
            return;
        }
        if (samples != null && samples != perProblem.size()) {
            evidence.notes.add("benchmark.samples is " + samples + " but " + RECORDS + " holds " + perProblem.size()
                    + " problems");
        }
        if ("mean_reward".equals(chosen) && evidence.reported != null && !perProblem.isEmpty()) {
            double sum = 0;
            for (double[] sums : perProblem.values()) {
                sum += sums[0] / sums[1];
            }
            double mean = sum / perProblem.size();
            // Bundles print scores rounded to three decimals (0.782): half a unit of that is printing, not a change.
            if (Math.abs(mean - evidence.reported) > 5e-4) {
                evidence.errors.add(RECORDS + " averages a reward of " + mean + " over " + perProblem.size()
                        + " problems but " + file.getFileName() + " reports mean_reward " + evidence.reported
                        + ": the bundle and its records are not from the same run");
            }
        }
    }
}
