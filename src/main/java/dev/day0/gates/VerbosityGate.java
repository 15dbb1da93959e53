package dev.day0.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Decimals;
import dev.day0.core.FailureClass;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The verbosity gate: is the candidate's average output length within a threshold of the baseline's, task by
 * task? Drop-in compatible with upstream {@code gate_verbosity.py} (same options, JSON fields and exit codes);
 * where upstream is permissive this gate fails closed, and docs/gates.md lists each difference.
 */
public final class VerbosityGate {
    public static final double DEFAULT_THRESHOLD = 0.05;
    public static final String DEFAULT_GLOB = "eval_*";
    public static final String DEFAULT_EXCLUDE = "_high";

    /** Below this mean a few tokens are a large percentage: flagged, not failed. */
    static final int SHORT_OUTPUT_TOKENS = 1000;
    /** Relative tolerance when matching sample counts: one lost judge call must not make a task unmeasurable. */
    static final double SAMPLE_COUNT_TOLERANCE = 0.01;

    static final String METRICS_FILE = "eval_factory_metrics.json";
    private static final Pattern RUN_INDEX = Pattern.compile("\\d+");

    /** One evaluation run of one task: its mean completion length and how many samples succeeded. */
    public record Run(double tokens, long count) {
    }

    /** What one side's harvest found, and what it left out (never silently). */
    public record Harvest(Map<String, List<Run>> tasks, ObjectNode diagnostics, Set<String> droppedTasks,
                          List<String> excludedRunDirs) {
    }

    private final double threshold;

    public VerbosityGate(double threshold) {
        if (!Double.isFinite(threshold) || threshold < 0) {
            throw new IllegalArgumentException("threshold must be finite and at least 0, was " + threshold);
        }
        this.threshold = threshold;
    }

    /** Harvests both run trees and judges them; the JSON carries both sides' {@code harvest_diagnostics}. */
    public GateResult evaluate(Path baselineRoot, Path candidateRoot, String glob, String exclude) {
        Harvest baseline = harvest(baselineRoot, "--baseline", glob, exclude);
        Harvest candidate = harvest(candidateRoot, "--candidate", glob, exclude);
        Set<String> dropped = new TreeSet<>(baseline.droppedTasks());
        dropped.addAll(candidate.droppedTasks());
        dropped.removeAll(baseline.tasks().keySet());
        dropped.removeAll(candidate.tasks().keySet());
        GateResult verdict = evaluate(baseline.tasks(), candidate.tasks(), dropped);
        ObjectNode body = (ObjectNode) verdict.body();
        ObjectNode diagnostics = body.putObject("harvest_diagnostics");
        diagnostics.set("baseline", baseline.diagnostics());
        diagnostics.set("candidate", candidate.diagnostics());
        return new GateResult("verbosity", verdict.pass(), null, verdict.failureClass(), verdict.detail(), body);
    }

    /**
     * The decision on harvested runs, {@code {task: [run, ...]}} per side. {@code droppedTasks} are tasks the
     * harvest discarded entirely (excluded run dirs, metrics without token counts): they never reach
     * {@code per_task}, so the detail names them.
     */
    public GateResult evaluate(Map<String, List<Run>> baseline, Map<String, List<Run>> candidate,
                               Collection<String> droppedTasks) {
        ObjectNode body = Json.object();
        ObjectNode perTask = body.putObject("per_task");
        if (baseline.isEmpty() || candidate.isEmpty()) {
            body.putArray("not_comparable");
            body.putNull("max_abs_delta");
            return new GateResult("verbosity", false, null, FailureClass.USER_CONFIG_ERROR,
                    "no metrics harvested (baseline=" + baseline.size() + ", candidate=" + candidate.size() + ")",
                    body);
        }
        Set<String> tasks = new TreeSet<>(baseline.keySet());
        tasks.addAll(candidate.keySet());
        List<String> exceeded = new ArrayList<>();
        List<String> notComparable = new ArrayList<>();
        double worst = 0;
        int compared = 0;
        for (String task : tasks) {
            List<Run> baseRuns = baseline.getOrDefault(task, List.of());
            List<Run> candRuns = candidate.getOrDefault(task, List.of());
            if (baseRuns.isEmpty() || candRuns.isEmpty()) {
                perTask.set(task, notComparable("present on one side only"));
                notComparable.add(task);
                continue;
            }
            // Anchor on the smaller of the two sides' best runs: both sides can reach it, and runs within the
            // tolerance of it are complete enough not to bias the mean.
            long target = Math.min(maxCount(baseRuns), maxCount(candRuns));
            List<Double> base = near(baseRuns, target);
            List<Double> cand = near(candRuns, target);
            if (base.isEmpty() || cand.isEmpty()) {
                perTask.set(task, notComparable("no runs within 1% of a common sample count (baseline n="
                        + counts(baseRuns) + ", candidate n=" + counts(candRuns) + ")"));
                notComparable.add(task);
                continue;
            }
            double baseMean = mean(base);
            double candMean = mean(cand);
            double delta = (candMean - baseMean) / baseMean;
            boolean within = Math.abs(delta) <= threshold;
            List<Run> all = new ArrayList<>(baseRuns);
            all.addAll(candRuns);
            long best = maxCount(all);
            List<Long> comparedCounts = all.stream().map(Run::count).filter(n -> isNear(n, target)).distinct()
                    .sorted().collect(Collectors.toList());
            ObjectNode entry = perTask.putObject(task);
            entry.put("status", "compared");
            ArrayNode sampleCounts = entry.putArray("sample_counts");
            comparedCounts.forEach(sampleCounts::add);
            entry.put("baseline_tokens", Decimals.round(baseMean, 1));
            entry.put("candidate_tokens", Decimals.round(candMean, 1));
            entry.put("delta", Decimals.round(delta, 4));
            entry.put("within_threshold", within);
            entry.putArray("runs").add(base.size()).add(cand.size());
            entry.put("dropped_mismatched_runs", baseRuns.size() - base.size() + candRuns.size() - cand.size());
            if (comparedCounts.get(comparedCounts.size() - 1) < best) {
                entry.put("truncated_comparison", "compared at n="
                        + (comparedCounts.size() == 1 ? comparedCounts.get(0).toString() : comparedCounts.toString())
                        + "; a run at n=" + best + " exists but not on both sides");
            }
            if (Math.min(baseMean, candMean) < SHORT_OUTPUT_TOKENS) {
                entry.put("short_output_warning", "mean under " + SHORT_OUTPUT_TOKENS
                        + " tokens; ratio unstable, read absolute counts");
            }
            compared++;
            worst = Math.max(worst, Math.abs(delta));
            if (!within) {
                exceeded.add(task);
            }
        }
        ArrayNode notComparableJson = body.putArray("not_comparable");
        notComparable.forEach(notComparableJson::add);
        if (!exceeded.isEmpty()) {
            body.put("max_abs_delta", Decimals.round(worst, 4));
            return new GateResult("verbosity", false, null, FailureClass.VERBOSITY_EXCEEDED,
                    "tasks exceeding threshold (" + pythonFloat(threshold) + "): " + pythonList(exceeded), body);
        }
        if (compared == 0) {
            body.putNull("max_abs_delta");
            return new GateResult("verbosity", false, null, FailureClass.SAMPLE_ACCOUNTING_FAILED,
                    "no task had comparable runs on both sides", body);
        }
        body.put("max_abs_delta", Decimals.round(worst, 4));
        StringBuilder detail = new StringBuilder("all " + compared + " comparable task(s) within threshold "
                + pythonFloat(threshold));
        if (!droppedTasks.isEmpty()) {
            List<String> sorted = new ArrayList<>(new TreeSet<>(droppedTasks));
            detail.append("; ").append(sorted.size()).append(" task(s) DROPPED BEFORE COMPARISON: ")
                    .append(pythonList(sorted));
        }
        if (!notComparable.isEmpty()) {
            detail.append("; ").append(notComparable.size()).append(" task(s) NOT MEASURED: ")
                    .append(pythonList(notComparable));
        }
        return new GateResult("verbosity", true, null, null, detail.toString(), body);
    }

    /**
     * Collects {@code {task: [run, ...]}} from every {@code <glob>/**}{@code /artifacts/eval_factory_metrics.json}
     * under {@code root}, at any depth: documented trees put {@code <harness>.<task>/artifacts/} right under the
     * run dir, launcher invocations add a level.
     */
    public static Harvest harvest(Path root, String option, String glob, String exclude) {
        if (!Files.isDirectory(root)) {
            throw new InputException(option, "", root + " is not a directory");
        }
        PathMatcher runDirMatcher = runDirMatcher(glob);
        String pattern = root.resolve(glob).resolve("**").resolve("artifacts").resolve(METRICS_FILE).toString();
        Map<String, List<Run>> tasks = new TreeMap<>();
        Set<String> excluded = new TreeSet<>();
        Set<String> droppedTasks = new TreeSet<>();
        List<String> withoutTokens = new ArrayList<>();
        List<Path> matches = metricFiles(root, runDirMatcher, option);
        for (Path file : matches) {
            Path relative = root.relativize(file);
            String runDir = relative.getName(0).toString();
            String task = taskKey(file.getParent().getParent().getFileName().toString());
            if (exclude != null && !exclude.isEmpty() && runDir.contains(exclude)) {
                excluded.add(runDir);
                droppedTasks.add(task);
                continue;
            }
            JsonNode stats = Json.read(file).path("response_stats");
            JsonNode tokens = stats.path("avg_completion_tokens");
            JsonNode count = stats.path("successful_count");
            // A run with no successful samples (or a renamed field) has no length to compare: reported, not used.
            // A token count that is there but zero, negative or not finite is broken evidence: fail closed.
            if (tokens.isMissingNode() || tokens.isNull() || absent(count)) {
                withoutTokens.add(task + ": avg_completion_tokens=" + pythonRepr(tokens) + " successful_count="
                        + pythonRepr(count));
                droppedTasks.add(task);
                continue;
            }
            tasks.computeIfAbsent(task, key -> new ArrayList<>()).add(new Run(tokens(tokens, file),
                    count(count, file)));
        }
        ObjectNode diagnostics = Json.object();
        if (matches.isEmpty()) {
            diagnostics.put("no_files_matched", pattern);
        }
        ArrayNode excludedJson = diagnostics.putArray("excluded_run_dirs");
        excluded.forEach(excludedJson::add);
        diagnostics.putArray("unreadable_metrics");
        ArrayNode withoutJson = diagnostics.putArray("metrics_without_tokens");
        withoutTokens.forEach(withoutJson::add);
        return new Harvest(tasks, diagnostics, droppedTasks, new ArrayList<>(excluded));
    }

    private static PathMatcher runDirMatcher(String glob) {
        if (glob == null || glob.isEmpty() || glob.contains("/") || glob.contains("\\")) {
            throw new InputException("--glob", "", "must be a pattern for one run-dir name (no path separator), "
                    + "got \"" + glob + "\"");
        }
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new InputException("--glob", "", "is not a valid pattern: " + e.getMessage(), e);
        }
    }

    private static List<Path> metricFiles(Path root, PathMatcher runDirMatcher, String option) {
        try (Stream<Path> walk = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            return walk.filter(path -> path.getFileName() != null
                            && path.getFileName().toString().equals(METRICS_FILE)
                            && path.getParent().getFileName().toString().equals("artifacts"))
                    .filter(path -> inRunDir(root.relativize(path), runDirMatcher))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .collect(Collectors.toList());
        } catch (UncheckedIOException e) {
            throw walkFailure(option, root, e.getCause());
        } catch (IOException e) {
            throw walkFailure(option, root, e);
        }
    }

    private static InputException walkFailure(String option, Path root, IOException cause) {
        String why = cause instanceof FileSystemLoopException ? "a symbolic link loops back at " + cause.getMessage()
                : "cannot be read: " + cause.getMessage();
        return new InputException(option, "", root + " " + why, cause);
    }

    /** As the upstream glob reads it: run dir, then any hidden-free path, then artifacts/metrics. */
    private static boolean inRunDir(Path relative, PathMatcher runDirMatcher) {
        if (relative.getNameCount() < 3) {
            return false;
        }
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        return runDirMatcher.matches(relative.getName(0));
    }

    /** {@code <harness>.<task>[.<run index>]}: the run index goes, the harness stays (two harnesses, one name). */
    static String taskKey(String dirName) {
        int dot = dirName.lastIndexOf('.');
        if (dot > 0 && RUN_INDEX.matcher(dirName.substring(dot + 1)).matches()) {
            return dirName.substring(0, dot);
        }
        return dirName;
    }

    /** A sample count that is missing, null or zero: the run produced nothing to measure. */
    private static boolean absent(JsonNode value) {
        return value.isMissingNode() || value.isNull()
                || (value.isNumber() && Double.isFinite(value.asDouble()) && value.asDouble() == 0.0);
    }

    private static double tokens(JsonNode value, Path file) {
        if (!value.isNumber()) {
            throw new InputException(file.toString(), "response_stats.avg_completion_tokens",
                    "must be a number, got " + value);
        }
        double tokens = value.asDouble();
        if (!Double.isFinite(tokens) || tokens <= 0) {
            throw new InputException(file.toString(), "response_stats.avg_completion_tokens",
                    "must be a finite positive number, got " + value);
        }
        return tokens;
    }

    private static long count(JsonNode value, Path file) {
        if (!value.isNumber() || !Double.isFinite(value.asDouble())) {
            throw new InputException(file.toString(), "response_stats.successful_count",
                    "must be a whole number, got " + value);
        }
        BigDecimal count = value.decimalValue();
        if (count.signum() <= 0 || count.stripTrailingZeros().scale() > 0) {
            throw new InputException(file.toString(), "response_stats.successful_count",
                    "must be a positive whole number, got " + value);
        }
        return count.longValueExact();
    }

    private static ObjectNode notComparable(String reason) {
        ObjectNode entry = Json.object();
        entry.put("status", "not_comparable");
        entry.put("reason", reason);
        return entry;
    }

    private static long maxCount(List<Run> runs) {
        return runs.stream().mapToLong(Run::count).max().orElseThrow();
    }

    private static boolean isNear(long count, long target) {
        return Math.abs(count - target) <= SAMPLE_COUNT_TOLERANCE * target;
    }

    private static List<Double> near(List<Run> runs, long target) {
        return runs.stream().filter(run -> isNear(run.count(), target)).map(Run::tokens)
                .collect(Collectors.toList());
    }

    private static String counts(List<Run> runs) {
        return runs.stream().map(Run::count).distinct().sorted().collect(Collectors.toList()).toString();
    }

    /** The exact mean of the binary values, rounded once, as Python's statistics.mean computes it. */
    static double mean(List<Double> values) {
        BigDecimal sum = BigDecimal.ZERO;
        for (double value : values) {
            sum = sum.add(new BigDecimal(value));
        }
        return sum.divide(BigDecimal.valueOf(values.size()), MathContext.DECIMAL128).doubleValue();
    }

    /** A float as Python's repr prints it in the ordinary range (0.05, 1.0), so details read as upstream's. */
    static String pythonFloat(double value) {
        return Double.toString(value).replace("E", "e").toLowerCase(Locale.ROOT);
    }

    private static String pythonList(List<String> items) {
        return items.stream().map(item -> "'" + item.replace("\\", "\\\\").replace("'", "\\'") + "'")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static String pythonRepr(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return "None";
        }
        return value.isTextual() ? "'" + value.asText() + "'" : value.toString();
    }
}
