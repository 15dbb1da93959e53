package dev.day0.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.core.FailureClass;
import dev.day0.io.Fields;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One command as one Slurm job outside a release plan: what {@code day0 slurm run} does for the Jenkins steps
 * ({@code on: 'slurm'}) and for shells (docs/slurm.md, "day0 slurm run"). The job file gives the command and the
 * same {@code slurm:} block a plan gives; the work directory holds the attempt's state and output files, named
 * after the attempt's job ({@code <job name>.json}, {@code .out}), so a repeated call of the same run and attempt
 * re-attaches to the job instead of submitting a second one, and another run (another {@code run_key}) in the same
 * directory gets its own.
 */
public final class SlurmRun {
    public static final String SCHEMA = "day0.slurm.run/v1";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final List<String> KNOWN = List.of("schema", "name", "attempt", "run_key", "command", "env", "slurm",
            "clusters_file", "poll_interval_seconds", "transient_exit_codes");
    private static final int EX_TEMPFAIL = 75;

    /**
     * What to run.
     *
     * @param name      the job's name in file names and the job name ({@code ptq}, {@code baseline-eval})
     * @param runKey    what tells this run from another run of the same name in the same work directory (a
     *                  Jenkins build: {@code JOB_NAME#BUILD_NUMBER}); part of the job name's hash
     * @param variables non-secret variables exported in the batch script
     * @param prefix    the command prefix that reaches the cluster (from clusters.yaml), empty for this machine
     */
    public record Request(String name, int attempt, String runKey, List<String> command,
                          Map<String, String> variables, SlurmOptions options, List<String> prefix, String cluster,
                          Duration pollInterval, List<Integer> transientExitCodes) {
    }

    private final Function<List<String>, SlurmClient> clients;
    private final SlurmJobs.Sleeper sleeper;

    /** @param clients the Slurm client for a command prefix; tests give one over a fake Slurm */
    public SlurmRun(Function<List<String>, SlurmClient> clients, SlurmJobs.Sleeper sleeper) {
        this.clients = clients;
        this.sleeper = sleeper;
    }

    /**
     * Reads a job file ({@code day0.slurm.run/v1}, JSON or YAML). A relative {@code clusters_file} is resolved
     * against the job file's directory; without one, a named cluster is looked for where the upstream skill looks.
     */
    public static Request read(Path file, Path home) {
        JsonNode root = file.toString().endsWith(".json") ? Json.read(file) : Json.readYaml(file);
        Fields fields = new Fields(file.toString());
        fields.requireObject(root, "(top level)");
        root.fieldNames().forEachRemaining(key -> {
            if (!KNOWN.contains(key)) {
                throw fields.error(key, "is not a field of a Slurm job file; known: " + String.join(", ", KNOWN));
            }
        });
        // The docs call the job file day0.slurm.run/v1, so a file that says so is read; one that names another
        // schema (a result written back by mistake, a later version) is not guessed at.
        String schema = fields.optionalString(root, "schema", "schema");
        if (schema != null && !schema.equals(SCHEMA)) {
            throw fields.error("schema", "must be " + SCHEMA + " (or left out), found '" + schema + "'");
        }
        String name = fields.requireString(root, "name", "name");
        if (!NAME.matcher(name).matches()) {
            throw fields.error("name", "a letter or digit, then up to 63 letters, digits, '.', '_' or '-', found '"
                    + name + "'");
        }
        OptionalLong attempt = fields.optionalInteger(root, "attempt", "attempt");
        if (attempt.isPresent() && (attempt.getAsLong() < 1 || attempt.getAsLong() > 1000)) {
            throw fields.error("attempt", "must be between 1 and 1000, found " + attempt.getAsLong());
        }
        String runKey = fields.optionalString(root, "run_key", "run_key");
        List<String> command = fields.optionalStringList(root, "command", "command");
        if (command.isEmpty()) {
            throw fields.error("command", "is missing or empty: the job's argv list, e.g. [python, ptq.py]");
        }
        Map<String, String> variables = new LinkedHashMap<>();
        ObjectNode env = fields.optionalObject(root, "env", "env");
        if (env != null) {
            env.fields().forEachRemaining(entry -> {
                if (!ENV_NAME.matcher(entry.getKey()).matches()) {
                    throw fields.error("env." + entry.getKey(), "is not an environment variable name");
                }
                if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                    throw fields.error("env." + entry.getKey(), "must be a string, found "
                            + Fields.describe(entry.getValue()));
                }
                variables.put(entry.getKey(), entry.getValue().asText());
            });
        }
        SlurmOptions planned = SlurmOptions.read(root.get("slurm"), fields, "slurm");
        SlurmOptions options = planned;
        List<String> prefix = List.of();
        String cluster = null;
        String clustersFile = fields.optionalString(root, "clusters_file", "clusters_file");
        Path dir = file.toAbsolutePath().normalize().getParent();
        var lookedUp = ClustersFile.lookUp(clustersFile == null ? null : dir.resolve(clustersFile).normalize(),
                planned.cluster(), home, dir, fields::error, "clusters_file", "slurm.cluster");
        if (lookedUp.isPresent()) {
            ClusterSettings settings = lookedUp.get();
            prefix = settings.commandPrefix();
            cluster = settings.name();
            options = options.withDefaults(settings);
        }
        OptionalDouble poll = fields.optionalFiniteNumber(root, "poll_interval_seconds", "poll_interval_seconds");
        double seconds = poll.orElse(10);
        if (!(seconds > 0) || seconds > 3600) {
            throw fields.error("poll_interval_seconds", "must be more than 0 and at most 3600, found " + seconds);
        }
        List<Integer> transientCodes = new ArrayList<>();
        JsonNode codes = root.get("transient_exit_codes");
        if (codes == null || codes.isNull()) {
            transientCodes.add(EX_TEMPFAIL);
        } else if (!codes.isArray()) {
            throw fields.error("transient_exit_codes", "must be a list of exit codes, found "
                    + Fields.describe(codes));
        } else {
            for (int i = 0; i < codes.size(); i++) {
                Long code = Fields.wholeNumber(codes.get(i));
                if (code == null || code < 1 || code > 255) {
                    throw fields.error("transient_exit_codes[" + i + "]", "must be a whole number from 1 to 255, "
                            + "found " + Fields.describe(codes.get(i)));
                }
                transientCodes.add(code.intValue());
            }
        }
        return new Request(name, attempt.isPresent() ? (int) attempt.getAsLong() : 1, runKey, command, variables,
                options, prefix, cluster, Duration.ofMillis((long) (seconds * 1000)), List.copyOf(transientCodes));
    }

    /**
     * Submits the attempt, or re-attaches to its job, follows it to its end and returns the result document. The
     * job runs in {@code slurm.workdir}, else the cluster's workspace, else day0's current directory (a Jenkins
     * step's workspace), so the command's relative paths mean what they mean where day0 was called.
     * The result:
     * {@code pass}, {@code failure_class} (null when the job completed with exit 0), {@code detail}, the job's id,
     * name, state and exit code, and the state and output files.
     */
    public ObjectNode run(Request request, Path workdir, Map<String, String> environment,
                          dev.day0.redact.Redactor redactor, SlurmJobs.Listener listener) {
        Path dir = workdir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new InputException(dir.toString(), "--workdir", "cannot be created: " + e.getMessage());
        }
        SlurmOptions options = request.options();
        if (options.workdir() == null) {
            options = new SlurmOptions(options.cluster(), options.partition(), options.account(), options.qos(),
                    options.nodes(), options.gpus(), options.gres(), options.time(), options.constraint(),
                    options.extra(), options.environment(), Path.of("").toAbsolutePath().toString());
        }
        Map<String, String> variables = new LinkedHashMap<>(request.variables());
        variables.put("DAY0_STAGE", request.name());
        variables.put("DAY0_ATTEMPT", Integer.toString(request.attempt()));
        variables.put("DAY0_WORKDIR", dir.toString());
        String runKey = request.runKey() != null ? request.runKey() : dir.toString();
        SlurmJobSpec spec;
        try {
            // The files are named after the job, so two runs sharing a work directory never share a state file.
            String jobName = new SlurmJobSpec("run", request.name(), request.attempt(), runKey, request.command(),
                    options, dir.resolve("job.out").toString()).jobName();
            spec = new SlurmJobSpec("run", request.name(), request.attempt(), runKey, request.command(), variables,
                    options, dir.resolve(jobName + ".out").toString());
        } catch (IllegalArgumentException e) {
            throw new InputException("--job", "", e.getMessage());
        }
        Path stateFile = dir.resolve(spec.jobName() + ".json");
        SlurmJobs jobs = new SlurmJobs(clients.apply(request.prefix()), redactor, sleeper, request.pollInterval());
        SlurmJobs.Result result = jobs.submitOrAttach(spec, stateFile, environment, listener);
        return document(request, result, Path.of(spec.outputPath()));
    }

    private static ObjectNode document(Request request, SlurmJobs.Result result, Path output) {
        JobOutcome outcome = result.outcome();
        FailureClass failureClass = outcome.failureClass();
        String detail = outcome.detail();
        Integer exit = result.job() == null ? null : result.job().exitCode();
        if (outcome.kind() == JobOutcome.Kind.STAGE_FAILED) {
            boolean transientExit = exit != null && request.transientExitCodes().contains(exit);
            failureClass = transientExit ? FailureClass.INFRA_TRANSIENT : FailureClass.UNKNOWN;
            if (transientExit) {
                detail += " (a transient failure by transient_exit_codes)";
            }
        }
        ObjectNode json = Json.object();
        json.put("schema", SCHEMA);
        json.put("name", request.name());
        json.put("attempt", request.attempt());
        json.put("pass", outcome.done());
        json.put("outcome", outcome.kind().name());
        json.put("failure_class", outcome.done() || failureClass == null ? null : failureClass.name());
        json.put("detail", detail);
        json.put("job_id", result.jobId());
        json.put("job_name", result.jobName());
        json.put("state", result.job() == null ? null : result.job().state());
        if (exit == null) {
            json.putNull("exit_code");
        } else {
            json.put("exit_code", exit);
        }
        json.put("submitted_now", result.submittedNow());
        json.put("cluster", request.cluster());
        json.put("state_file", result.stateFile().toString());
        json.put("output_file", output.toString());
        return json;
    }
}
