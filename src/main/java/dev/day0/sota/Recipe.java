package dev.day0.sota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Fields;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How to reproduce the claims: the commands of the GPU job and what they produce. Read from recipe.yaml (YAML or
 * JSON); the format is documented in docs/sota-delta.md.
 *
 * <p>A recipe never holds a secret value. Commands, paths and environment values that the {@link Redactor} would
 * mask are refused with an error naming the field: a job script with a masked command in it would run and fail
 * (or worse, run with a wrong credential) on paid GPU time. Secrets reach the job by name only ({@code secrets}),
 * their values coming from the job's environment.
 *
 * @param file the file it was read from
 * @param name the run's name
 * @param workdir the directory the commands start in
 * @param setup commands run first (clone, install), in one shell
 * @param run the commands that train and evaluate, in a second shell
 * @param metricsFile where the run writes its metrics.json (copied to the results directory when elsewhere)
 * @param configFiles files the run uses as configuration, copied into the results' config directory
 * @param env non-secret environment variables, exported with literal values
 * @param secrets names of environment variables the job needs and must get from its environment
 * @param seed the seed, exported as DAY0_SEED, or null when the recipe sets none
 * @param compute the GPU shape to quote, or null when not given
 */
public record Recipe(Path file, String name, String workdir, List<String> setup, List<String> run,
                     String metricsFile, List<String> configFiles, Map<String, String> env, List<String> secrets,
                     Long seed, Compute compute) {
    public static final String RESULTS_DIR = "/workspace/results";
    public static final String DEFAULT_METRICS_FILE = RESULTS_DIR + "/metrics.json";
    public static final String DEFAULT_WORKDIR = "/workspace";
    /** The GPU types the Rockie platform offers. */
    public static final List<String> GPU_TYPES = List.of("A40_48GB", "A100_80GB", "H100_SXM", "H200", "B200");
    /** Files the job script itself writes into the config directory; a config file may not take their name. */
    static final Set<String> SCRIPT_CONFIG_FILES = Set.of("recipe.json", "claims.json", "setup.sh", "run.sh",
            "source_ref.txt");

    static final List<String> TOP_LEVEL = List.of("name", "workdir", "setup", "run", "metrics_file",
            "config_files", "env", "secrets", "seed", "compute");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    /** Parts of a variable name that make it a secret's name: HF_TOKEN, WANDB_API_KEY, PGPASSWORD. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i)(?:^|.*_)(?:TOKEN|PAT)(?:_.*|$)|"
            + ".*(?:SECRET|PASSWORD|PASSWD|CREDENTIAL|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|SIGNING_KEY).*");
    /** Variables that change how bash itself runs; setting them from a recipe breaks the job script. */
    private static final Set<String> SHELL_VARIABLES = Set.of("IFS", "PATH", "BASH_ENV", "ENV", "SHELLOPTS",
            "BASHOPTS", "PS4", "PROMPT_COMMAND", "HOME", "PWD", "OLDPWD");
    private static final int MAX_COMMAND = 20_000;

    /**
     * @param gpuType one of {@link #GPU_TYPES}
     * @param gpuCount GPUs per job, at least 1
     * @param wallclockMinutes the expected wall-clock, or null
     * @param region the region, or null
     * @param tier the tier, or null
     */
    public record Compute(String gpuType, long gpuCount, Long wallclockMinutes, String region, String tier) {
    }

    public Recipe {
        setup = List.copyOf(setup);
        run = List.copyOf(run);
        configFiles = List.copyOf(configFiles);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        secrets = List.copyOf(secrets);
    }

    /**
     * Reads and checks a recipe.
     *
     * @param redactor the redactor whose judgement decides what is a secret (the environment's known values
     *     and the secret patterns)
     * @param environment the process environment, to name a known secret found in the recipe
     */
    public static Recipe read(Path file, Redactor redactor, Map<String, String> environment) {
        JsonNode root = Json.readYaml(file);
        Fields fields = new Fields(file.toString());
        fields.requireObject(root, "");
        Documents.knownFields(fields, root, "", TOP_LEVEL);
        SecretCheck secrets = new SecretCheck(fields, redactor, environment);

        String name = Documents.optionalLine(fields, root, "name", "name", 64);
        if (name == null) {
            name = "reproduction";
        } else if (!NAME.matcher(name).matches()) {
            throw fields.error("name", "must be letters, digits, '.', '_' or '-' (at most 64), found \"" + name
                    + "\"");
        }
        String workdir = absolutePath(fields, root, "workdir", secrets);
        if (workdir == null) {
            workdir = DEFAULT_WORKDIR;
        }
        List<String> setup = commands(fields, root, "setup", secrets, false);
        List<String> run = commands(fields, root, "run", secrets, true);
        String metricsFile = absolutePath(fields, root, "metrics_file", secrets);
        if (metricsFile == null) {
            metricsFile = DEFAULT_METRICS_FILE;
        }
        List<String> configFiles = configFiles(fields, root, secrets);
        Map<String, String> env = environment(fields, root, secrets);
        List<String> secretNames = secretNames(fields, root, env.keySet());
        Long seed = null;
        OptionalLong seedValue = fields.optionalInteger(root, "seed", "seed");
        if (seedValue.isPresent()) {
            if (seedValue.getAsLong() < 0) {
                throw fields.error("seed", "must be at least 0, found " + seedValue.getAsLong());
            }
            seed = seedValue.getAsLong();
        }
        Compute compute = compute(fields, root);
        return new Recipe(file, name, workdir, setup, run, metricsFile, configFiles, env, secretNames, seed, compute);
    }

    /** Refuses any recipe text the redactor would mask, naming the field and the kind of secret. */
    private record SecretCheck(Fields fields, Redactor redactor, Map<String, String> environment) {
        void check(String path, String text) {
            if (!redactor.containsSecret(text)) {
                return;
            }
            String kinds = SecretScan.scan(text, environment).redactions().stream().map(Redaction::describe)
                    .distinct().collect(Collectors.joining(", "));
            throw fields.error(path, "contains a secret value (" + (kinds.isEmpty() ? "secret-shaped text" : kinds)
                    + "); a recipe never holds secrets: list the variable under secrets and use $NAME");
        }
    }

    private static List<String> commands(Fields fields, JsonNode root, String name, SecretCheck secrets,
                                         boolean required) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                throw fields.error(name, "is missing: list the commands that train and evaluate");
            }
            return List.of();
        }
        if (node.isTextual()) {
            throw fields.error(name, "must be a list of commands (one string each), found a single string");
        }
        List<String> commands = fields.optionalStringList(root, name, name);
        if (required && commands.isEmpty()) {
            throw fields.error(name, "is empty: list the commands that train and evaluate");
        }
        List<String> cleaned = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            String path = name + "[" + i + "]";
            String command = commands.get(i).strip();
            if (command.isEmpty()) {
                throw fields.error(path, "is blank");
            }
            if (command.length() > MAX_COMMAND) {
                throw fields.error(path, "is longer than " + MAX_COMMAND + " characters");
            }
            if (command.chars().anyMatch(c -> c == 0 || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)) {
                throw fields.error(path, "contains control characters other than line breaks and tabs");
            }
            secrets.check(path, command);
            cleaned.add(command);
        }
        return cleaned;
    }

    private static String absolutePath(Fields fields, JsonNode root, String name, SecretCheck secrets) {
        String value = Documents.optionalLine(fields, root, name, name, 1024);
        if (value == null) {
            return null;
        }
        checkPath(fields, name, value);
        secrets.check(name, value);
        return value;
    }

    private static void checkPath(Fields fields, String path, String value) {
        if (!value.startsWith("/")) {
            throw fields.error(path, "must be an absolute path on the GPU machine, found \"" + value + "\"");
        }
        if (value.length() > 1 && value.endsWith("/")) {
            throw fields.error(path, "must name a file or directory without a trailing /");
        }
        for (String segment : value.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw fields.error(path, "must not contain . or .. segments");
            }
        }
    }

    private static List<String> configFiles(Fields fields, JsonNode root, SecretCheck secrets) {
        List<String> files = fields.optionalStringList(root, "config_files", "config_files");
        Set<String> baseNames = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            String path = "config_files[" + i + "]";
            String value = files.get(i);
            if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw fields.error(path, "contains control characters");
            }
            checkPath(fields, path, value);
            secrets.check(path, value);
            String base = value.substring(value.lastIndexOf('/') + 1);
            if (SCRIPT_CONFIG_FILES.contains(base)) {
                throw fields.error(path, "is named " + base + ", a file the job script writes itself; rename it");
            }
            if (!baseNames.add(base)) {
                throw fields.error(path, "has the same file name as another config file (" + base
                        + "): both are copied into one directory");
            }
        }
        return files;
    }

    private static Map<String, String> environment(Fields fields, JsonNode root, SecretCheck secrets) {
        ObjectNode node = fields.optionalObject(root, "env", "env");
        Map<String, String> env = new LinkedHashMap<>();
        if (node == null) {
            return env;
        }
        Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            String name = entry.getKey();
            String path = "env." + name;
            checkVariableName(fields, path, name);
            if (SECRET_NAME.matcher(name).matches() || Redactor.SECRET_ENV.contains(name)) {
                throw fields.error(path, "is the name of a secret variable, and a recipe never holds secret "
                        + "values; list " + name
                        + " under secrets and pass its value in the job environment");
            }
            JsonNode value = entry.getValue();
            String text;
            if (value.isTextual()) {
                text = value.textValue();
            } else if (value.isNumber() && Fields.finiteNumber(value) != null) {
                text = value.asText();
            } else if (value.isBoolean()) {
                text = Boolean.toString(value.booleanValue());
            } else {
                throw fields.error(path, "must be a string, a finite number or a boolean, found "
                        + Fields.describe(value));
            }
            if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw fields.error(path, "contains control characters");
            }
            secrets.check(path, name + "=" + text);
            env.put(name, text);
        }
        return env;
    }

    private static void checkVariableName(Fields fields, String path, String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw fields.error(path, "is not a valid environment variable name (letters, digits, _)");
        }
        if (name.toUpperCase(Locale.ROOT).startsWith("DAY0_")) {
            throw fields.error(path, "DAY0_ variables are set by the job script itself");
        }
        if (SHELL_VARIABLES.contains(name)) {
            throw fields.error(path, name + " changes how the job's shell runs; set it inside a command instead");
        }
    }

    private static List<String> secretNames(Fields fields, JsonNode root, Set<String> envNames) {
        List<String> names = fields.optionalStringList(root, "secrets", "secrets");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String path = "secrets[" + i + "]";
            String name = names.get(i);
            checkVariableName(fields, path, name);
            if (!seen.add(name)) {
                throw fields.error(path, name + " is listed twice");
            }
            if (envNames.contains(name)) {
                throw fields.error(path, name + " is also given a value under env");
            }
        }
        return names;
    }

    private static Compute compute(Fields fields, JsonNode root) {
        ObjectNode node = fields.optionalObject(root, "compute", "compute");
        if (node == null) {
            return null;
        }
        Documents.knownFields(fields, node, "compute", List.of("gpu_type", "gpu_count", "wallclock_minutes",
                "region", "tier"));
        String gpuType = fields.optionalString(node, "gpu_type", "compute.gpu_type");
        if (gpuType == null) {
            throw fields.error("compute.gpu_type", "is missing: one of " + String.join(", ", GPU_TYPES));
        }
        if (!GPU_TYPES.contains(gpuType)) {
            throw fields.error("compute.gpu_type", "must be one of " + String.join(", ", GPU_TYPES) + ", found \""
                    + gpuType + "\"");
        }
        OptionalLong count = fields.optionalInteger(node, "gpu_count", "compute.gpu_count");
        if (count.isEmpty()) {
            throw fields.error("compute.gpu_count", "is missing: how many GPUs the job uses");
        }
        if (count.getAsLong() < 1) {
            throw fields.error("compute.gpu_count", "must be at least 1, found " + count.getAsLong());
        }
        OptionalLong minutes = fields.optionalInteger(node, "wallclock_minutes", "compute.wallclock_minutes");
        if (minutes.isPresent() && minutes.getAsLong() < 1) {
            throw fields.error("compute.wallclock_minutes", "must be at least 1, found " + minutes.getAsLong());
        }
        String region = Documents.optionalLine(fields, node, "region", "compute.region", 100);
        String tier = Documents.optionalLine(fields, node, "tier", "compute.tier", 100);
        return new Compute(gpuType, count.getAsLong(), minutes.isPresent() ? minutes.getAsLong() : null, region,
                tier);
    }

    /** True when the recipe writes its metrics straight into the results directory. */
    public boolean metricsInResults() {
        return metricsFile.equals(DEFAULT_METRICS_FILE);
    }

    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("name", name);
        json.put("workdir", workdir);
        ArrayNode setupList = json.putArray("setup");
        setup.forEach(setupList::add);
        ArrayNode runList = json.putArray("run");
        run.forEach(runList::add);
        json.put("metrics_file", metricsFile);
        ArrayNode configs = json.putArray("config_files");
        configFiles.forEach(configs::add);
        ObjectNode envJson = json.putObject("env");
        env.forEach(envJson::put);
        ArrayNode secretList = json.putArray("secrets");
        secrets.forEach(secretList::add);
        if (seed == null) {
            json.putNull("seed");
        } else {
            json.put("seed", seed);
        }
        if (compute == null) {
            json.putNull("compute");
        } else {
            ObjectNode shape = json.putObject("compute");
            shape.put("gpu_type", compute.gpuType());
            shape.put("gpu_count", compute.gpuCount());
            if (compute.wallclockMinutes() == null) {
                shape.putNull("wallclock_minutes");
            } else {
                shape.put("wallclock_minutes", compute.wallclockMinutes());
            }
            shape.put("region", compute.region());
            shape.put("tier", compute.tier());
        }
        return json;
    }
}
