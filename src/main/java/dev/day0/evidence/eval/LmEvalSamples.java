package dev.day0.evidence.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code samples_<task>_<timestamp>.jsonl} files lm-evaluation-harness writes beside one results file with
 * {@code --log_samples}: which one belongs to a task, whether the run logged samples but none for a task, and
 * whether a samples file agrees with the results it sits beside.
 */
final class LmEvalSamples {
    /** How far a results file's score may be from the mean of its own samples (float printing noise). */
    static final double MEAN_TOLERANCE = 1e-6;

    /** The timestamp lm-eval puts at the end of results and samples file names. */
    private static final Pattern TIMESTAMP = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2}T\\d{2}[-:]\\d{2}[-:]\\d{2}(?:\\.\\d+)?)\\.jsonl?$");

    private final Path resultsFile;
    private final Path dir;

    LmEvalSamples(Path resultsFile) {
        this.resultsFile = resultsFile;
        this.dir = resultsFile.getParent() == null ? Path.of("") : resultsFile.getParent();
    }

    /**
     * The samples file the harness wrote for {@code task} in the same run: {@code samples_<task>_<timestamp>.jsonl}
     * beside {@code results_<timestamp>.json}, {@code results_<model>_<timestamp>.json} (some versions name the
     * model), or with the same prefix as the results file. The timestamp is what the two names share.
     */
    Path find(String task) {
        String fileName = resultsFile.getFileName().toString();
        int at = fileName.lastIndexOf("results_");
        if (at < 0 || !fileName.endsWith(".json")) {
            return null;
        }
        String prefix = fileName.substring(0, at);
        Matcher stamp = TIMESTAMP.matcher(fileName);
        String date = stamp.find() ? stamp.group(1)
                : fileName.substring(at + "results_".length(), fileName.length() - ".json".length());
        for (String candidate : List.of(prefix + "samples_" + task + "_" + date + ".jsonl",
                "samples_" + task + "_" + date + ".jsonl")) {
            Path samples = dir.resolve(candidate);
            if (Files.isRegularFile(samples)) {
                return samples;
            }
        }
        return null;
    }

    /**
     * When the run logged samples (a samples file with this results file's timestamp sits beside it) but none for
     * {@code task}, says so: paired noise would silently be unavailable otherwise.
     */
    String expectedButMissing(String task) {
        Matcher stamp = TIMESTAMP.matcher(resultsFile.getFileName().toString());
        if (!stamp.find()) {
            return null;
        }
        String date = stamp.group(1);
        try (var listing = Files.list(dir)) {
            List<String> others = listing.map(path -> path.getFileName().toString())
                    .filter(name -> name.contains("samples_") && name.endsWith("_" + date + ".jsonl")).sorted().toList();
            if (others.isEmpty()) {
                return null;
            }
            return "samples expected but not found: the run logged samples (" + others.get(0)
                    + (others.size() > 1 ? " and " + (others.size() - 1) + " more" : "") + ") but there is no samples_"
                    + task + "_" + date + ".jsonl beside " + resultsFile.getFileName();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Checks one task's samples file against its results: one line per item, as many items as
     * {@code n-samples.effective}, finite values, and (for {@code mean} metrics) the reported score as their mean.
     */
    static void check(String leaf, String metricKey, long effective, SampleAccount account, JsonNode reported,
                      String aggregation, TaskEvidence evidence) {
        if (account.duplicates() > 0) {
            evidence.errors.add(leaf + ": the samples file repeats " + account.duplicates() + " doc ids (first: "
                    + account.firstDuplicate() + ")");
        }
        if (account.distinct() != effective) {
            evidence.errors.add(leaf + ": the samples file has " + account.distinct() + " items for filter "
                    + metricKey.substring(metricKey.indexOf(',') + 1) + " but n-samples.effective is " + effective
                    + ": results and samples are not from the same run");
        }
        if (account.missingMetric() > 0) {
            evidence.notes.add(leaf + ": " + account.missingMetric() + " items lack " + metricKey
                    + "; they are not counted as scored");
        }
        if (account.nonFinite() > 0) {
            // The mean of values that include an inf or a NaN is not a number: comparing the finite ones with the
            // reported score would blame the wrong thing.
            evidence.errors.add(leaf + ": " + account.nonFinite() + " of " + account.distinct() + " items have a "
                    + "non-finite " + metricKey + " (inf or NaN) in the samples file: the metric is non-finite, so "
                    + leaf + " has no usable score");
            return;
        }
        if ("mean".equals(aggregation) && reported != null && reported.isNumber() && account.scored() > 0
                && Math.abs(account.mean() - reported.doubleValue()) > MEAN_TOLERANCE) {
            evidence.errors.add(leaf + ": the results file reports " + metricKey + " = " + reported.asText()
                    + " but its samples average " + account.mean() + ": results and samples are not from the same "
                    + "run");
        }
    }
}
