package dev.day0.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.release.ReleasePlan.Evidence;
import dev.day0.release.ReleasePlan.LocalSpec;
import dev.day0.release.ReleasePlan.RockieSpec;
import dev.day0.release.ReleasePlan.Runner;
import dev.day0.release.ReleasePlan.SlurmSpec;
import dev.day0.release.ReleasePlan.StageSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one entry of a plan's {@code stages:} block into a {@link StageSpec}: the runner and its fields, the reuse
 * rule and where the evidence is. Apart from {@link ReleasePlan} so a new runner kind or stage field is added here,
 * beside the other stage fields, without growing the plan's top-level reader.
 */
final class StageSpecReader {
    private StageSpecReader() {
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
                List.of(ReleasePlan.EX_TEMPFAIL), 1, 255);
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
        Path planDir = planFile.toAbsolutePath().normalize().getParent();
        var lookedUp = dev.day0.slurm.ClustersFile.lookUp(clustersFile == null ? null
                : clustersFile.resolve(planDir, planDir, planDir), planned.cluster(),
                Path.of(System.getProperty("user.home")), planDir, r::error, field + ".clusters_file",
                field + ".slurm.cluster");
        if (lookedUp.isPresent()) {
            dev.day0.slurm.ClusterSettings cluster = lookedUp.get();
            options = options.withDefaults(cluster);
            prefix = cluster.commandPrefix();
            clusterName = cluster.name();
        }
        double poll = r.optionalNumber(node, "poll_interval_seconds", field).orElse(10);
        if (!(poll > 0) || poll > 3600) {
            throw r.error(field + ".poll_interval_seconds", "must be more than 0 and at most 3600, found " + poll);
        }
        List<Integer> transientCodes = r.optionalIntList(node, "transient_exit_codes", field,
                List.of(ReleasePlan.EX_TEMPFAIL), 1, 255);
        return new SlurmSpec(argv, options, prefix, clusterName, poll, List.copyOf(transientCodes));
    }

    private static RockieSpec rockie(PlanReader r, ObjectNode node, String field) {
        PathTemplate script = r.requirePath(node, "script", field);
        String gpuType = r.requireString(node, "gpu_type", field);
        if (!ReleasePlan.GPU_TYPES.contains(gpuType)) {
            throw r.error(field + ".gpu_type", "must be one of " + String.join(", ", ReleasePlan.GPU_TYPES) + ", found \""
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
}
