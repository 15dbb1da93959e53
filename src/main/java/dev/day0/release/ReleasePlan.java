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
 * class is the only reader of the format and refuses anything it does not define.
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
        StageSpec ptq = stage(r, stages, "ptq", true);
        CanaryPlan canary = CanaryPlan.read(r, stages, ptq);
        StageSpec baseline = stage(r, stages, "baseline_eval", false);
        StageSpec quantized = stage(r, stages, "quantized_eval", false);
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

    static StageSpec stage(PlanReader r, ObjectNode stages, String key, boolean ptq) {
        String field = "stages." + key;
        JsonNode raw = stages.get(key);
        if (raw == null || raw.isNull()) {
            throw r.error(field, "is missing: every plan has the stages ptq, baseline_eval and quantized_eval");
        }
        ObjectNode node = r.object(raw, field);
        String runnerWord = r.optionalChoice(node, "runner", field, List.of("local", "rockie", "slurm", "reuse"),
                null);
        if (runnerWord == null) {
            throw r.error(field + ".runner", "is missing: local, rockie, slurm or reuse");
        }
        Runner runner = Runner.valueOf(runnerWord.toUpperCase(java.util.Locale.ROOT));
        boolean canary = key.equals("canary");
        Set<String> known = new java.util.HashSet<>(Set.of("runner", "agent", canary ? "probe" : "evidence"));
        if (!ptq && !canary) {
            known.add("reuse");
        }
        switch (runner) {
            case LOCAL -> known.addAll(Set.of("command", "timeout_seconds", "env", "transient_exit_codes", "cwd"));
            case ROCKIE -> known.addAll(Set.of("script", "gpu_type", "gpu_count", "region", "tier",
                    "timeout_seconds", "term_sheet", "env", "env_from", "origin_skill", "monitoring_profile_id",
                    "poll_interval_seconds"));
            case SLURM -> known.addAll(Set.of("command", "slurm", "clusters_file", "poll_interval_seconds",
                    "transient_exit_codes"));
            default -> {
            }
        }
        r.onlyKnown(node, field, known);
        LocalSpec local = runner == Runner.LOCAL ? local(r, node, field) : null;
        RockieSpec rockie = runner == Runner.ROCKIE ? rockie(r, node, field) : null;
        SlurmSpec slurm = runner == Runner.SLURM ? slurm(r, node, field, Path.of(r.source())) : null;
        boolean reuseMlflow = false;
        if (node.has("reuse") && !node.get("reuse").isNull()) {
            r.optionalChoice(node, "reuse", field, List.of("mlflow"), null);
            reuseMlflow = true;
        }
        Evidence evidence = canary ? null : ptq ? ptqEvidence(r, node, field)
                : evalEvidence(r, node, field, runner, reuseMlflow);
        return new StageSpec(key, runner, local, rockie, slurm, reuseMlflow, evidence);
    }

    private static LocalSpec local(PlanReader r, ObjectNode node, String field) {
        List<String> argv = command(r, node, field);
        long timeout = r.requireLong(node, "timeout_seconds", field, 1, 30L * 86_400);
        Map<String, String> env = r.optionalStringMap(node, "env", field);
        for (String name : env.keySet()) {
            if (name.startsWith("DAY0_")) {
                throw r.error(field + ".env." + name, "DAY0_ variables are set by day0 itself");
            }
        }
        List<Integer> transientCodes = r.optionalIntList(node, "transient_exit_codes", field,
                List.of(EX_TEMPFAIL), 1, 255);
        PathTemplate cwd = r.optionalPath(node, "cwd", field);
        return new LocalSpec(List.copyOf(argv), timeout, Map.copyOf(env), List.copyOf(transientCodes), cwd);
    }

    private static List<String> command(PlanReader r, ObjectNode node, String field) {
        JsonNode command = node.get("command");
        List<String> argv;
        if (command == null || command.isNull()) {
            throw r.error(field + ".command", "is missing: a list such as [sh, scripts/ptq.sh] or a shell line");
        } else if (command.isTextual()) {
            if (command.textValue().isBlank()) {
                throw r.error(field + ".command", "must not be empty");
            }
            argv = List.of("sh", "-c", command.textValue());
        } else {
            argv = r.requireStringList(node, "command", field);
        }
        for (int i = 0; i < argv.size(); i++) {
            PathTemplate.of(argv.get(i), r.source(), field + ".command[" + i + "]");
        }
        return argv;
    }

    /**
     * A slurm stage. A cluster is looked up only when the stage names one ({@code slurm.cluster}) or the plan gives
     * {@code clusters_file}: then the file is the plan's, else the first the upstream skill would read.
     */
    private static SlurmSpec slurm(PlanReader r, ObjectNode node, String field, Path planFile) {
        List<String> argv = List.copyOf(command(r, node, field));
        dev.day0.slurm.SlurmOptions planned = dev.day0.slurm.SlurmOptions.read(node.get("slurm"),
                new Fields(r.source()), field + ".slurm");
        dev.day0.slurm.SlurmOptions options = planned;
        PathTemplate clustersFile = r.optionalPath(node, "clusters_file", field);
        List<String> prefix = List.of();
        String clusterName = null;
        if (clustersFile != null || planned.cluster() != null) {
            Path planDir = planFile.toAbsolutePath().normalize().getParent();
            Path file;
            if (clustersFile != null) {
                file = clustersFile.resolve(planDir, planDir, planDir);
                if (!java.nio.file.Files.isRegularFile(file)) {
                    throw r.error(field + ".clusters_file", file + " does not exist");
                }
            } else {
                file = dev.day0.slurm.ClustersFile.locate(Path.of(System.getProperty("user.home")), planDir)
                        .orElseThrow(() -> r.error(field + ".slurm.cluster", "names cluster '" + planned.cluster()
                                + "' but no clusters.yaml was found (~/.config/modelopt/clusters.yaml, "
                                + ".agents/clusters.yaml, .claude/clusters.yaml); give clusters_file"));
            }
            dev.day0.slurm.ClustersFile clusters = dev.day0.slurm.ClustersFile.read(file);
            dev.day0.slurm.ClusterSettings cluster = clusters.slurmCluster(options.cluster());
            options = options.withDefaults(cluster);
            prefix = cluster.commandPrefix();
            clusterName = cluster.name();
        }
        double poll = r.optionalNumber(node, "poll_interval_seconds", field).orElse(10);
        if (!(poll > 0) || poll > 3600) {
            throw r.error(field + ".poll_interval_seconds", "must be more than 0 and at most 3600, found " + poll);
        }
        List<Integer> transientCodes = r.optionalIntList(node, "transient_exit_codes", field,
                List.of(EX_TEMPFAIL), 1, 255);
        return new SlurmSpec(argv, options, prefix, clusterName, poll, List.copyOf(transientCodes));
    }

    private static RockieSpec rockie(PlanReader r, ObjectNode node, String field) {
        PathTemplate script = r.requirePath(node, "script", field);
        String gpuType = r.requireString(node, "gpu_type", field);
        if (!GPU_TYPES.contains(gpuType)) {
            throw r.error(field + ".gpu_type", "must be one of " + String.join(", ", GPU_TYPES) + ", found \""
                    + gpuType + "\"");
        }
        int gpuCount = (int) r.requireLong(node, "gpu_count", field, 1, 64);
        String region = r.requireString(node, "region", field);
        String tier = r.requireString(node, "tier", field);
        long timeout = r.requireLong(node, "timeout_seconds", field, 60, 30L * 86_400);
        PathTemplate termSheet = r.optionalPath(node, "term_sheet", field);
        Map<String, String> env = r.optionalStringMap(node, "env", field);
        List<String> envFrom = r.optionalStringList(node, "env_from", field);
        for (int i = 0; i < envFrom.size(); i++) {
            if (!envFrom.get(i).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw r.error(field + ".env_from[" + i + "]", "is not an environment variable name: \""
                        + envFrom.get(i) + "\"");
            }
            if (env.containsKey(envFrom.get(i))) {
                throw r.error(field + ".env_from[" + i + "]", envFrom.get(i) + " is also in env");
            }
        }
        for (String name : env.keySet()) {
            if (name.startsWith("DAY0_") || name.startsWith("ROCKIELAB_")) {
                throw r.error(field + ".env." + name, "DAY0_ and ROCKIELAB_ variables are not the job's to set");
            }
        }
        String originSkill = r.optionalString(node, "origin_skill", field);
        String profile = r.optionalString(node, "monitoring_profile_id", field);
        double poll = r.optionalNumber(node, "poll_interval_seconds", field).orElse(10);
        if (!(poll > 0) || poll > 3600) {
            throw r.error(field + ".poll_interval_seconds", "must be more than 0 and at most 3600, found " + poll);
        }
        return new RockieSpec(script, gpuType, gpuCount, region, tier, timeout, termSheet, Map.copyOf(env),
                List.copyOf(envFrom), originSkill, profile, poll);
    }

    private static Evidence ptqEvidence(PlanReader r, ObjectNode stage, String stageField) {
        String field = stageField + ".evidence";
        ObjectNode node = r.object(stage.get("evidence"), field);
        r.onlyKnown(node, field, Set.of("summary", "source", "output"));
        PathTemplate summary = r.optionalPath(node, "summary", field);
        PathTemplate source = r.optionalPath(node, "source", field);
        PathTemplate output = r.optionalPath(node, "output", field);
        if (summary == null && output == null) {
            throw r.error(field, "give either summary (a validation summary) or source and output (the "
                    + "checkpoints to inspect)");
        }
        if (summary != null && (source != null || output != null)) {
            throw r.error(field, "give either summary or source and output, not both");
        }
        if (output != null && source == null) {
            throw r.error(field + ".source", "is missing: the unquantized checkpoint to compare the output with");
        }
        if (source != null && output == null) {
            throw r.error(field + ".output", "is missing: the quantized checkpoint directory");
        }
        return new Evidence(summary, source, output, null, null, null, null, null, null);
    }

    private static Evidence evalEvidence(PlanReader r, ObjectNode stage, String stageField, Runner runner,
                                         boolean reuseMlflow) {
        String field = stageField + ".evidence";
        JsonNode raw = stage.get("evidence");
        if ((raw == null || raw.isNull()) && runner == Runner.REUSE && reuseMlflow) {
            return null;
        }
        ObjectNode node = r.object(raw, field);
        r.onlyKnown(node, field, Set.of("run_summary", "scores", "results", "format", "task_map", "serving"));
        PathTemplate runSummary = r.optionalPath(node, "run_summary", field);
        PathTemplate scores = r.optionalPath(node, "scores", field);
        PathTemplate results = r.optionalPath(node, "results", field);
        String format = r.optionalChoice(node, "format", field, List.of("auto", "lm-eval", "nel"), null);
        PathTemplate taskMap = r.optionalPath(node, "task_map", field);
        PathTemplate serving = r.optionalPath(node, "serving", field);
        if (results == null && (runSummary == null || scores == null)) {
            throw r.error(field, "give either results (harness output to inspect) or run_summary and scores");
        }
        if (results != null && (runSummary != null || scores != null)) {
            throw r.error(field, "give either results or run_summary and scores, not both");
        }
        if (results == null && (format != null || taskMap != null)) {
            throw r.error(field, "format and task_map apply only with results");
        }
        return new Evidence(null, null, null, runSummary, scores, results, format == null ? "auto" : format,
                taskMap, serving);
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
