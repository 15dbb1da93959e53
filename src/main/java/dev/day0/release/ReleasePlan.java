package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.Precision;
import dev.day0.core.Stage;
import dev.day0.core.Threshold;
import dev.day0.io.Fields;
import dev.day0.io.FileDigest;
import dev.day0.io.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A release plan ({@code release.yaml}): the model, the one candidate recipe, the task set and sampling parameters,
 * the compare rule, and how each of the three working stages runs. docs/release.md documents every field; this
 * class (with {@link StageSpecReader} for the entries of {@code stages:}) is the only reader of the format and
 * refuses anything it does not define.
 */
public record ReleasePlan(Path file, Path dir, String name, String model, String recipe, List<String> tasks,
                          ObjectNode sampling, double threshold, boolean relative, JsonNode scales,
                          PathTemplate published, Noise noise, Retry retry, Setup setup, Mlflow mlflow,
                          StageSpec ptq, StageSpec baselineEval, StageSpec quantizedEval, String sha256,
                          CanaryPlan canary, VerbosityPlan verbosity, AgentPlan agents) {

    public static final int FORMAT_VERSION = 1;
    /** GPU types the Rockie platform offers. */
    public static final List<String> GPU_TYPES = List.of("A40_48GB", "A100_80GB", "H100_SXM", "H200", "B200");
    /** sysexits.h EX_TEMPFAIL: the conventional "try again later" exit status. */
    public static final int EX_TEMPFAIL = 75;

    /**
     * How a working stage runs, and the stage runner that does it. A new way to run a stage is a constant here,
     * its fields in {@code stage()} below, and its runner class.
     */
    public enum Runner {
        /** A command on this machine, as a subprocess with a timeout. */
        LOCAL,
        /** A GPU job on the Rockie platform, submitted once under an approved term sheet. */
        ROCKIE,
        /** Nothing runs: the stage's evidence already exists (files, or a matching baseline in MLflow). */
        REUSE,
        /** The plan's command as one Slurm job, submitted at most once across crashes (docs/slurm.md). */
        SLURM;

        String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        StageRunner runner(StageSpec spec) {
            return switch (this) {
                case LOCAL -> new LocalProcessRunner(spec);
                case ROCKIE -> new RockieJobRunner(spec);
                case REUSE -> new ReuseRunner(spec, null);
                case SLURM -> new SlurmJobRunner(spec);
            };
        }
    }

    /**
     * Noise-aware comparison (docs/noise.md): each task's drop judged by its 95 % interval. Paired mode reads the
     * per-sample files of both evals; unpaired reads standard errors or item counts. Paths with {@code {stage_dir}}
     * mean the baseline_eval stage's directory for the baseline files and quantized_eval's for the candidate's.
     */
    public record Noise(String mode, PathTemplate policy, PathTemplate baselineSamples,
                        PathTemplate candidateSamples, PathTemplate baselineStderr, PathTemplate candidateStderr,
                        PathTemplate sampleCounts) {
    }

    /** Automatic retries: how long to wait before retrying INFRA_TRANSIENT, and how EVAL_JUDGE_FAILED retries. */
    public record Retry(long transientWaitSeconds, int judgeAttempts, long judgeWaitSeconds) {
    }

    /** Checks made before anything is spent: credentials present, endpoints reachable. */
    public record Setup(List<String> env, List<Endpoint> endpoints) {
    }

    /**
     * MLflow: the experiment where baselines are looked up ({@code reuse: mlflow}) and, with {@code log}, where the
     * baseline eval and the decision are recorded. The server and credentials come from the environment.
     */
    public record Mlflow(String experiment, boolean log) {
    }

    /** An HTTP endpoint that must answer (any HTTP status) within the timeout. */
    public record Endpoint(String name, String url, long timeoutSeconds) {
    }

    /** A {@code local} stage: argv, timeout, extra environment, exit codes that mean "transient". */
    public record LocalSpec(List<String> command, long timeoutSeconds, Map<String, String> env,
                            List<Integer> transientExitCodes, PathTemplate cwd) {
    }

    /**
     * A {@code slurm} stage: argv run by the batch script, the {@code slurm:} block with a named cluster's defaults
     * filled in, the command prefix that reaches the cluster (none for this machine), how often to poll, and the
     * exit codes that mean "transient".
     */
    public record SlurmSpec(List<String> command, dev.day0.slurm.SlurmOptions options, List<String> prefix,
                            String cluster, double pollIntervalSeconds, List<Integer> transientExitCodes) {
    }

    /**
     * A {@code rockie} stage: the job script and shape, the quoted term sheet a person may approve at the terminal,
     * the job's environment (literal values, and names whose values are taken from this environment: the way
     * secrets travel), and how often to poll.
     */
    public record RockieSpec(PathTemplate script, String gpuType, int gpuCount, String region, String tier,
                             long timeoutSeconds, PathTemplate termSheet, Map<String, String> env,
                             List<String> envFrom, String originSkill, String monitoringProfileId,
                             double pollIntervalSeconds) {
    }

    /**
     * Where a stage's evidence is. For PTQ: a validation summary, or the source and output checkpoints to inspect.
     * For an eval: a run summary and scores, or the harness output to inspect; optionally serving-probe evidence.
     */
    public record Evidence(PathTemplate summary, PathTemplate source, PathTemplate output, PathTemplate runSummary,
                           PathTemplate scores, PathTemplate results, String format, PathTemplate taskMap,
                           PathTemplate serving) {
        boolean inspectCheckpoint() {
            return output != null;
        }

        boolean inspectResults() {
            return results != null;
        }
    }

    /** One working stage: how it runs and where its evidence is. */
    public record StageSpec(String key, Runner runner, LocalSpec local, RockieSpec rockie, SlurmSpec slurm,
                            boolean reuseMlflow, Evidence evidence) {
        public Stage stage() {
            return Stage.parse(key).orElseThrow();
        }

        /** The runner for this stage: its own, after a look for a reusable baseline when it asks for one. */
        StageRunner stageRunner() {
            StageRunner own = runner.runner(this);
            return reuseMlflow && runner != Runner.REUSE ? new ReuseRunner(this, own) : own;
        }
    }

    /** Reads and validates a plan; every problem is an InputException naming the file and the field. */
    public static ReleasePlan load(Path file) {
        JsonNode doc = Json.readYaml(file);
        return fromTree(doc, file);
    }

    /** Validates a plan already read into a tree; {@code file} names it in messages and gives the plan directory. */
    public static ReleasePlan fromTree(JsonNode doc, Path file) {
        PlanReader r = new PlanReader(file.toString());
        ObjectNode root = r.object(doc, "");
        r.onlyKnown(root, "", Set.of("version", "name", "model", "recipe", "tasks", "sampling", "threshold", "relative",
                "scales", "published", "noise", "retry", "setup", "mlflow", "stages", "verbosity", "agents"));
        long version = r.requireLong(root, "version", "", 1, Integer.MAX_VALUE);
        if (version != FORMAT_VERSION) {
            throw r.error("version", "this day0 reads plan format " + FORMAT_VERSION + ", found " + version);
        }
        String name = r.requireString(root, "name", "");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw r.error("name", "must be 1-100 letters, digits, '.', '_' or '-' (it names the work directory), "
                    + "found \"" + name + "\"");
        }
        String model = r.requireString(root, "model", "");
        String recipe = r.requireString(root, "recipe", "");
        if (Precision.ofRecipe(recipe).isEmpty()) {
            throw r.error("recipe", "unknown recipe \"" + recipe + "\" (known: " + Precision.knownRecipes() + ")");
        }
        List<String> tasks = r.requireStringList(root, "tasks", "");
        ObjectNode sampling = sampling(r, root);
        double threshold = r.optionalNumber(root, "threshold", "").orElse(Threshold.DEFAULT);
        String thresholdProblem = dev.day0.core.Threshold.problem(threshold);
        if (thresholdProblem != null) {
            throw r.error("threshold", thresholdProblem);
        }
        boolean relative = r.optionalBoolean(root, "relative", "", false);
        JsonNode scales = scales(r, root, tasks);
        PathTemplate published = r.optionalPath(root, "published", "");
        Noise noise = noise(r, root, relative);
        Retry retry = retry(r, root);
        Setup setup = setup(r, root);
        Mlflow mlflow = mlflow(r, root);

        ObjectNode stages = r.object(root.get("stages"), "stages");
        r.onlyKnown(stages, "stages", Set.of("ptq", "canary", "baseline_eval", "quantized_eval"));
        StageSpec ptq = StageSpecReader.stage(r, stages, "ptq", true);
        CanaryPlan canary = CanaryPlan.read(r, stages, ptq);
        StageSpec baseline = StageSpecReader.stage(r, stages, "baseline_eval", false);
        StageSpec quantized = StageSpecReader.stage(r, stages, "quantized_eval", false);
        if (quantized.reuseMlflow()) {
            throw r.error("stages.quantized_eval.reuse", "only the baseline can be reused from MLflow: the "
                    + "quantized checkpoint is new");
        }
        if (baseline.reuseMlflow() && mlflow == null) {
            throw r.error("stages.baseline_eval.reuse", "reuse: mlflow needs an mlflow block with the experiment "
                    + "to search");
        }

        AgentPlan agents = AgentPlan.read(r, root, stages, canary == null ? List.of(ptq, baseline, quantized)
                : List.of(ptq, canary.stage(), baseline, quantized));
        Path absolute = file.toAbsolutePath().normalize();
        return new ReleasePlan(absolute, absolute.getParent(), name, model, recipe, List.copyOf(tasks), sampling,
                threshold, relative, scales, published, noise, retry, setup, mlflow, ptq, baseline, quantized,
                hash(root), canary, VerbosityPlan.read(r, root), agents);
    }

    private static ObjectNode sampling(PlanReader r, ObjectNode root) {
        JsonNode node = root.get("sampling");
        if (node == null || node.isNull()) {
            throw r.error("sampling", "is missing: give the sampling parameters (temperature, top_p, max_tokens, "
                    + "...) so a reused baseline can be matched on them");
        }
        ObjectNode sampling = r.object(node, "sampling");
        Iterator<Map.Entry<String, JsonNode>> it = sampling.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode value = entry.getValue();
            if (value.isContainerNode()) {
                throw r.error("sampling." + entry.getKey(), "must be a number, string or true/false, found "
                        + Fields.describe(value));
            }
            if (value.isNumber() && Fields.finiteNumber(value) == null) {
                throw r.error("sampling." + entry.getKey(), "must be a finite number, found " + value.asText());
            }
        }
        return sampling.deepCopy();
    }

    private static JsonNode scales(PlanReader r, ObjectNode root, List<String> tasks) {
        ObjectNode scales = r.object(root.has("scales") && !root.get("scales").isNull() ? root.get("scales")
                : Json.object(), "scales");
        Iterator<Map.Entry<String, JsonNode>> it = scales.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "scales." + entry.getKey();
            if (!tasks.contains(entry.getKey())) {
                throw r.error(field, "not a task of this plan (tasks: " + String.join(", ", tasks) + ")");
            }
            JsonNode value = entry.getValue();
            if (value.isObject()) {
                r.onlyKnown((ObjectNode) value, field, Set.of("min", "max"));
                Double min = Fields.finiteNumber(value.get("min"));
                Double max = Fields.finiteNumber(value.get("max"));
                if (min == null || max == null || !(max > min) || !Double.isFinite(max - min)) {
                    throw r.error(field, "a range must be {min: a, max: b} with finite numbers a < b and a finite "
                            + "width b - a");
                }
            } else {
                Double divisor = Fields.finiteNumber(value);
                if (divisor == null || divisor <= 0) {
                    throw r.error(field, "must be a positive number or {min, max}, found " + Fields.describe(value));
                }
            }
        }
        return scales.isEmpty() ? null : scales.deepCopy();
    }

    private static Retry retry(PlanReader r, ObjectNode root) {
        ObjectNode node = root.has("retry") && !root.get("retry").isNull()
                ? r.object(root.get("retry"), "retry") : Json.object();
        r.onlyKnown(node, "retry", Set.of("transient_wait_seconds", "judge_attempts", "judge_wait_seconds"));
        long transientWait = r.optionalLong(node, "transient_wait_seconds", "retry", 30, 0, 86_400);
        long judgeAttempts = r.optionalLong(node, "judge_attempts", "retry", 3, 1, 10);
        long judgeWait = r.optionalLong(node, "judge_wait_seconds", "retry", 300, 0, 86_400);
        return new Retry(transientWait, (int) judgeAttempts, judgeWait);
    }

    private static Setup setup(PlanReader r, ObjectNode root) {
        ObjectNode node = root.has("setup") && !root.get("setup").isNull()
                ? r.object(root.get("setup"), "setup") : Json.object();
        r.onlyKnown(node, "setup", Set.of("env", "endpoints"));
        List<String> env = r.optionalStringList(node, "env", "setup");
        for (int i = 0; i < env.size(); i++) {
            if (!env.get(i).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw r.error("setup.env[" + i + "]", "is not an environment variable name: \"" + env.get(i) + "\"");
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        JsonNode list = node.get("endpoints");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw r.error("setup.endpoints", "must be a list of {name, url, timeout_seconds}, found "
                        + Fields.describe(list));
            }
            for (int i = 0; i < list.size(); i++) {
                String field = "setup.endpoints[" + i + "]";
                ObjectNode item = r.object(list.get(i), field);
                r.onlyKnown(item, field, Set.of("name", "url", "timeout_seconds"));
                String url = r.requireString(item, "url", field);
                if (!url.matches("(?i)https?://[^\\s/]+.*")) {
                    throw r.error(field + ".url", "must be an http:// or https:// URL");
                }
                String endpointName = r.optionalString(item, "name", field);
                long timeout = r.optionalLong(item, "timeout_seconds", field, 10, 1, 600);
                endpoints.add(new Endpoint(endpointName == null ? url : endpointName, url, timeout));
            }
        }
        return new Setup(List.copyOf(env), List.copyOf(endpoints));
    }

    private static Noise noise(PlanReader r, ObjectNode root, boolean relative) {
        JsonNode raw = root.get("noise");
        if (raw == null || raw.isNull()) {
            return null;
        }
        ObjectNode node = r.object(raw, "noise");
        r.onlyKnown(node, "noise", Set.of("mode", "policy", "baseline_samples", "candidate_samples",
                "baseline_stderr", "candidate_stderr", "sample_counts"));
        String mode = r.optionalChoice(node, "mode", "noise", List.of("paired", "unpaired"), null);
        if (mode == null) {
            throw r.error("noise.mode", "is missing: paired or unpaired (leave the noise block out for the point "
                    + "rule)");
        }
        if (relative) {
            throw r.error("noise", "cannot be combined with relative: true (use the policy's relative_guard)");
        }
        Noise noise = new Noise(mode, r.optionalPath(node, "policy", "noise"),
                r.optionalPath(node, "baseline_samples", "noise"), r.optionalPath(node, "candidate_samples", "noise"),
                r.optionalPath(node, "baseline_stderr", "noise"), r.optionalPath(node, "candidate_stderr", "noise"),
                r.optionalPath(node, "sample_counts", "noise"));
        boolean samples = noise.baselineSamples() != null || noise.candidateSamples() != null;
        if ((noise.baselineSamples() == null) != (noise.candidateSamples() == null)) {
            throw r.error("noise", "give both baseline_samples and candidate_samples: pairing needs both runs");
        }
        if ((noise.baselineStderr() == null) != (noise.candidateStderr() == null)) {
            throw r.error("noise", "give both baseline_stderr and candidate_stderr: the interval of a difference "
                    + "needs both runs' standard errors");
        }
        if (mode.equals("paired") && !samples) {
            throw r.error("noise", "mode paired needs baseline_samples and candidate_samples");
        }
        if (mode.equals("unpaired") && samples) {
            throw r.error("noise", "mode unpaired does not read per-sample files; use mode paired");
        }
        return noise;
    }

    private static Mlflow mlflow(PlanReader r, ObjectNode root) {
        JsonNode raw = root.get("mlflow");
        if (raw == null || raw.isNull()) {
            return null;
        }
        ObjectNode node = r.object(raw, "mlflow");
        r.onlyKnown(node, "mlflow", Set.of("experiment", "log"));
        return new Mlflow(r.requireString(node, "experiment", "mlflow"),
                r.optionalBoolean(node, "log", "mlflow", true));
    }

    /** sha256 of the plan's content with keys sorted: comments and layout may change, meaning may not. */
    static String hash(JsonNode root) {
        return FileDigest.sha256(Json.writeLine(canonical(root)).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode canonical(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> sorted = new TreeMap<>();
            node.fields().forEachRemaining(e -> sorted.put(e.getKey(), canonical(e.getValue())));
            ObjectNode out = Json.object();
            sorted.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = Json.array();
            node.forEach(item -> out.add(canonical(item)));
            return out;
        }
        return node;
    }

    /** The working stages in chain order (the canary when the plan has one). */
    public List<StageSpec> workingStages() {
        return canary == null ? List.of(ptq, baselineEval, quantizedEval)
                : List.of(ptq, canary.stage(), baselineEval, quantizedEval);
    }

    /** Whether the plan runs a stage: every stage but the canary and the verbosity gate, which it may leave out. */
    public boolean runs(Stage stage) {
        return switch (stage) {
            case CANARY, CANARY_GATE -> canary != null;
            case VERBOSITY -> verbosity != null;
            default -> true;
        };
    }
}
