package dev.day0.noise;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.evidence.eval.SampleFileReader;
import dev.day0.evidence.eval.SampleRecord;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Judges one task of a comparison against evaluation noise: pairs the per-sample files when both runs have one
 * ({@code --noise paired}), else uses the scores' standard errors or a binomial one from the item count
 * ({@code --noise unpaired}, and the fallback of paired for tasks without per-sample files). Without any of these
 * the verdict is INSUFFICIENT_EVIDENCE, never a pass.
 */
public final class NoiseJudge {
    /** How far (fraction of the scale) the per-sample mean may be from the compared score. */
    public static final double SCORE_TOLERANCE = 0.001;

    private final NoiseMode mode;
    private final NoisePolicy policy;
    private final SampleFiles baselineSamples;
    private final SampleFiles candidateSamples;
    private final StandardErrors baselineErrors;
    private final StandardErrors candidateErrors;
    private final SampleCounts counts;
    private final Map<String, Path> usedFiles = new LinkedHashMap<>();

    /**
     * @param mode paired or unpaired (OFF is the point rule, which needs no judge)
     * @param baselineSamples per-sample files of the baseline; required for paired, null otherwise
     * @param baselineErrors may be null
     * @param counts may be null
     */
    public NoiseJudge(NoiseMode mode, NoisePolicy policy, SampleFiles baselineSamples, SampleFiles candidateSamples,
                      StandardErrors baselineErrors, StandardErrors candidateErrors, SampleCounts counts) {
        if (mode == NoiseMode.OFF) {
            throw new IllegalArgumentException("the point rule needs no noise judge");
        }
        if (mode == NoiseMode.PAIRED && (baselineSamples == null || candidateSamples == null)) {
            throw new IllegalArgumentException("paired needs per-sample files of both runs");
        }
        this.mode = mode;
        this.policy = policy;
        this.baselineSamples = baselineSamples;
        this.candidateSamples = candidateSamples;
        this.baselineErrors = baselineErrors;
        this.candidateErrors = candidateErrors;
        this.counts = counts;
    }

    public NoiseMode mode() {
        return mode;
    }

    public NoisePolicy policy() {
        return policy;
    }

    /**
     * The scores of one task as the gate validated them.
     *
     * @param baseline the baseline score (native units)
     * @param candidate the candidate score
     * @param divisor the scale that turns a difference into a fraction (100, 1, declared, or a range's width)
     * @param range whether the task has a signed {min, max} range (no binomial fallback then)
     */
    public record Scores(double baseline, double candidate, double divisor, boolean range) {
    }

    public TaskAssessment assess(String task, TaskPolicy rules, Scores scores, double limit) {
        if (mode == NoiseMode.PAIRED) {
            String fileTask = rules.samplesTask() == null ? task : rules.samplesTask();
            Path baselineFile = baselineSamples.forTask(fileTask);
            Path candidateFile = candidateSamples.forTask(fileTask);
            if (baselineFile != null && candidateFile != null) {
                usedFiles.put("baseline-samples " + task, baselineFile);
                usedFiles.put("candidate-samples " + task, candidateFile);
                return paired(rules, scores, limit, baselineFile, candidateFile);
            }
            if (baselineFile != null || candidateFile != null) {
                return TaskAssessment.accounting("per-sample file for " + fileTask + " only in "
                        + (baselineFile != null ? "the baseline (" + baselineFile + ")"
                        : "the candidate (" + candidateFile + ")"));
            }
        }
        return unpaired(task, rules, scores, limit);
    }

    private TaskAssessment paired(TaskPolicy rules, Scores scores, double limit, Path baselineFile,
                                  Path candidateFile) {
        MetricChoice baselineMetric = new MetricChoice(rules.metric());
        MetricChoice candidateMetric = new MetricChoice(rules.metric());
        SamplePairing pairing = new SamplePairing();
        // The runs' files are independent: read the candidate's on a second core while this one reads the baseline.
        CompletableFuture<String> candidateRead = CompletableFuture.supplyAsync(
                () -> read(candidateFile, candidateMetric, pairing::candidate));
        String problem;
        String candidateProblem;
        try {
            problem = read(baselineFile, baselineMetric, pairing::baseline);
        } finally {
            candidateProblem = join(candidateRead);
        }
        if (problem == null) {
            problem = candidateProblem;
        }
        if (problem == null && !baselineMetric.name.equals(candidateMetric.name)) {
            problem = "the per-sample files carry different metrics (" + baselineMetric.name + " in the baseline, "
                    + candidateMetric.name + " in the candidate)";
        }
        if (problem != null) {
            return TaskAssessment.accounting(problem);
        }
        SamplePairing.Result result = pairing.pair();
        if (result.problem() != null) {
            return TaskAssessment.accounting(result.problem());
        }
        if (result.items() == null) {
            // Every candidate repeat replays the baseline: the drop would be exactly 0 with no spread, a PASS
            // made of answers the candidate never gave.
            return TaskAssessment.noInterval("paired", null, "no independent candidate results: "
                    + result.repeats().note(), "re-run the candidate with the evaluation's response cache off "
                    + "(or a fresh cache directory) and confirm its scores moved");
        }
        PairedItems items = result.items();
        Double unit = sampleUnit(items, scores);
        if (unit == null) {
            return TaskAssessment.accounting("the per-sample files do not reproduce the compared scores: "
                    + baselineMetric.name + " averages " + Decimals.fixed(items.baselineRecordMean(), 4)
                    + " (baseline) and " + Decimals.fixed(items.candidateRecordMean(), 4) + " (candidate) against "
                    + "scores " + scores.baseline() + " and " + scores.candidate());
        }
        int n = items.size();
        double[] deltas = new double[n];
        double[] b = items.baseline();
        double[] c = items.candidate();
        long worse = 0;
        long better = 0;
        for (int i = 0; i < n; i++) {
            double drop = rules.direction().worsening(b[i], c[i]);
            deltas[i] = drop / unit;
            if (drop > 0) {
                worse++;
            } else if (drop < 0) {
                better++;
            }
        }
        ObjectNode samples = Json.object();
        samples.put("metric", baselineMetric.name);
        samples.put("filter", baselineMetric.filter);
        samples.put("baseline_file", baselineFile.toString());
        samples.put("candidate_file", candidateFile.toString());
        ObjectNode repeats = samples.putObject("repeats");
        repeats.put("min", items.minRepeats());
        repeats.put("max", items.maxRepeats());
        SamplePairing.Repeats independence = result.repeats();
        repeats.put("baseline_independent", independence.baselineIndependent());
        repeats.put("baseline_total", independence.baseline());
        repeats.put("candidate_independent", independence.candidateIndependent());
        repeats.put("candidate_total", independence.candidate());
        if (!independence.allIndependent()) {
            repeats.put("not_independent", independence.note());
        }
        samples.put("categories", items.clusterNames().size());
        samples.put("prompt_hash_mismatches", items.promptHashMismatches());
        DropInterval interval = DropStatistics.paired(deltas, items.cluster(), items.clusterNames().size());
        if (interval == null) {
            return TaskAssessment.noInterval("paired", (long) n, "only " + n + " item(s): no spread to measure",
                    "a paired interval needs at least two items");
        }
        Flips flips = items.binary() ? Flips.of(worse, better) : null;
        VarianceSplit variance = varianceSplit(items, deltas, unit, interval);
        return TaskAssessment.judged(interval, limit, (long) n, flips, variance, samples);
    }

    /** Waits for a read on another thread; its input errors surface as if it had run on this one. */
    private static String join(CompletableFuture<String> read) {
        try {
            return read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * The divisor that turns per-sample differences into fractions of the scale: the task's own divisor when the
     * samples are in the score's units, 1 when they are fractions of it (lm-eval writes 0/1 per item while a score
     * file may say 45.0 for 0.45). Null when neither reproduces the scores: then these samples are not the
     * evidence behind these scores.
     */
    private static Double sampleUnit(PairedItems items, Scores scores) {
        double tolerance = SCORE_TOLERANCE * scores.divisor();
        if (reproduces(items, 1.0, scores, tolerance)) {
            return scores.divisor();
        }
        if (!scores.range() && reproduces(items, scores.divisor(), scores, tolerance)) {
            return 1.0;
        }
        return null;
    }

    private static boolean reproduces(PairedItems items, double factor, Scores scores, double tolerance) {
        boolean baseline = Math.abs(items.baselineRecordMean() * factor - scores.baseline()) <= tolerance
                || Math.abs(items.baselineItemMean() * factor - scores.baseline()) <= tolerance;
        boolean candidate = Math.abs(items.candidateRecordMean() * factor - scores.candidate()) <= tolerance
                || Math.abs(items.candidateItemMean() * factor - scores.candidate()) <= tolerance;
        return baseline && candidate;
    }

    /** Between-item and within-item variance, when the runs have repeats to estimate the latter from. */
    private static VarianceSplit varianceSplit(PairedItems items, double[] deltas, double unit,
                                               DropInterval interval) {
        if (Double.isNaN(items.withinBaseline()) || Double.isNaN(items.withinCandidate())
                || interval.standardError() == null) {
            return null;
        }
        int n = deltas.length;
        double mean = 0;
        for (double d : deltas) {
            mean += d;
        }
        mean /= n;
        double squares = 0;
        for (double d : deltas) {
            squares += (d - mean) * (d - mean);
        }
        double deltaVariance = squares / (n - 1);
        double withinBaseline = items.withinBaseline() / (unit * unit);
        double withinCandidate = items.withinCandidate() / (unit * unit);
        double repeatsBaseline = (double) items.baselineRecords() / n;
        double repeatsCandidate = (double) items.candidateRecords() / n;
        double between = Math.max(0, deltaVariance - withinBaseline / repeatsBaseline
                - withinCandidate / repeatsCandidate);
        double iidVariance = deltaVariance / n;
        double designEffect = iidVariance > 0
                ? interval.standardError() * interval.standardError() / iidVariance : 1.0;
        return new VarianceSplit(n, between, withinBaseline, withinCandidate, designEffect);
    }

    /** The canonical metric: from the policy, else the only metric of the first sample line. */
    private static final class MetricChoice {
        String name;
        final String filter;

        MetricChoice(String spec) {
            if (spec == null) {
                filter = SampleFileReader.DEFAULT_FILTER;
            } else {
                int comma = spec.indexOf(',');
                name = comma < 0 ? spec : spec.substring(0, comma);
                filter = comma < 0 ? SampleFileReader.DEFAULT_FILTER : spec.substring(comma + 1);
            }
        }
    }

    /** Streams one file into the pairing; returns an accounting problem, or null. */
    private static String read(Path file, MetricChoice metric, Adder adder) {
        String[] problem = new String[1];
        long[] kept = new long[1];
        long lines = SampleFileReader.stream(file, metric.filter, (SampleRecord record) -> {
            kept[0]++;
            if (metric.name == null) {
                if (record.metrics().size() != 1) {
                    throw new InputException(file.toString(), "", record.metrics().isEmpty()
                            ? "its first sample line (doc " + record.docId() + ") carries no numeric metric"
                            : "its sample lines carry several metrics " + new TreeSet<>(
                                    record.metrics().keySet()) + "; name the canonical one in the policy (metric: "
                            + "name or name,filter)");
                }
                metric.name = record.metrics().keySet().iterator().next();
            }
            Double value = record.metrics().get(metric.name);
            if (value == null) {
                if (problem[0] == null) {
                    problem[0] = file + ": doc " + record.docId() + " has no " + metric.name + " value";
                }
                return;
            }
            adder.add(record.docId(), record.docHash(), record.promptHash(), record.category(), value);
        });
        if (kept[0] == 0) {
            throw new InputException(file.toString(), "", lines == 0 ? "has no sample lines"
                    : "has no sample lines with filter \"" + metric.filter + "\" (of " + lines + " lines); name the "
                    + "filter in the policy's metric, e.g. exact_match,strict-match");
        }
        return problem[0];
    }

    @FunctionalInterface
    private interface Adder {
        void add(String docId, String docHash, String promptHash, String category, double value);
    }

    private TaskAssessment unpaired(String task, TaskPolicy rules, Scores scores, double limit) {
        Long items = itemCount(task, rules);
        double estimate = rules.direction().worsening(scores.baseline(), scores.candidate()) / scores.divisor();
        Side baseline = sideError("baseline", task, rules, scores.baseline(), scores, baselineErrors, items);
        Side candidate = sideError("candidate", task, rules, scores.candidate(), scores, candidateErrors, items);
        if (baseline.accounting != null || candidate.accounting != null) {
            return TaskAssessment.accounting(baseline.accounting != null ? baseline.accounting : candidate.accounting);
        }
        if (baseline.error == null || candidate.error == null) {
            String reason = baseline.error == null ? baseline.missing : candidate.missing;
            if (baseline.error == null && candidate.error == null) {
                reason = baseline.missing + "; " + candidate.missing;
            }
            String fix = scores.range()
                    ? "give both runs' standard errors (--baseline-stderr, --candidate-stderr) or per-sample files"
                    : "give both runs' standard errors (--baseline-stderr, --candidate-stderr), the item count "
                    + "(--sample-counts or the policy's n) for a binomial one, or per-sample files (--noise paired)";
            return TaskAssessment.noInterval(mode == NoiseMode.PAIRED ? "paired-fallback-unpaired" : "unpaired",
                    items, reason, fix);
        }
        String method = baseline.method.equals(candidate.method) ? "unpaired-" + baseline.method
                : "unpaired-stderr+binomial";
        DropInterval interval = DropStatistics.unpaired(method, estimate, baseline.error, candidate.error, items);
        return TaskAssessment.judged(interval, limit, items, null, null, null);
    }

    private Long itemCount(String task, TaskPolicy rules) {
        Long fromFile = counts == null ? null : counts.get(task);
        Long fromPolicy = rules.items();
        if (fromFile != null && fromPolicy != null && !fromFile.equals(fromPolicy)) {
            throw new InputException(counts.source(), task, "says " + fromFile + " items but the policy ("
                    + policy.source() + ") says " + fromPolicy);
        }
        return fromFile != null ? fromFile : fromPolicy;
    }

    /** One run's standard error as a fraction of the scale, or why there is none. */
    private static final class Side {
        Double error;
        String method;
        String missing;
        String accounting;
    }

    private static Side sideError(String name, String task, TaskPolicy rules, double score, Scores scores,
                                  StandardErrors errors, Long items) {
        Side side = new Side();
        String unavailable = name + ": no --" + name + "-stderr";
        if (errors != null) {
            StandardErrors.Entry entry = errors.lookup(task, rules.metric());
            if (entry.value() != null) {
                double unit = scores.divisor();
                if (entry.reportedScore() != null) {
                    double tolerance = SCORE_TOLERANCE * scores.divisor();
                    if (Math.abs(entry.reportedScore() - score) <= tolerance) {
                        unit = scores.divisor();
                    } else if (!scores.range() && Math.abs(entry.reportedScore() * scores.divisor() - score)
                            <= tolerance) {
                        unit = 1.0;
                    } else {
                        side.accounting = errors.source() + " reports " + task + " = " + entry.reportedScore()
                                + ", which is not the compared " + name + " score " + score;
                        return side;
                    }
                }
                side.error = entry.value() / unit;
                side.method = "stderr";
                return side;
            }
            unavailable = name + ": " + entry.unavailable();
        }
        double share = score / scores.divisor();
        if (items != null && !scores.range() && share >= 0 && share <= 1) {
            side.error = DropStatistics.binomialStandardError(share, items);
            side.method = "binomial";
            return side;
        }
        side.missing = unavailable + (scores.range() ? " (a signed range has no binomial fallback)"
                : " and no item count for a binomial one");
        return side;
    }

    /** The per-sample files the judged tasks used, by role, for the decision record's inputs. */
    public Map<String, Path> usedSampleFiles() {
        return new LinkedHashMap<>(usedFiles);
    }
}
