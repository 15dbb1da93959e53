package dev.day0.cli.mlflow;

import dev.day0.cli.ExitCodeFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.Console;
import dev.day0.cli.EngineCommand;
import dev.day0.cli.OutFile;
import dev.day0.cli.Subcommands;
import dev.day0.cli.Version;
import dev.day0.io.Fields;
import dev.day0.io.FileDigest;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import dev.day0.mlflow.BaselineFinder;
import dev.day0.mlflow.BaselineKey;
import dev.day0.mlflow.MlflowClient.Metric;
import dev.day0.mlflow.MlflowClient;
import dev.day0.mlflow.MlflowException;
import dev.day0.mlflow.RunBuilder;
import dev.day0.mlflow.RunLogger;
import dev.day0.core.FailureClass;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code day0 mlflow}: reuse a matching baseline from MLflow, and record every eval and decision there. */
@Command(name = "mlflow",
        description = "Find a reusable baseline in MLflow and record evals and decisions there (REST API 2.0).",
        mixinStandardHelpOptions = true,
        footer = {"", "Server and credentials from MLFLOW_TRACKING_URI, and MLFLOW_TRACKING_USERNAME/PASSWORD "
                + "(basic) or MLFLOW_TRACKING_TOKEN (bearer)."})
@ExitCodeFamily(MlflowExit.class)
@Subcommands({MlflowCommand.Key.class, MlflowCommand.FindBaseline.class, MlflowCommand.Log.class})
public final class MlflowCommand {
    /** find-baseline found nothing that matches: run the baseline evaluation. */
    public static final int NO_MATCH = MlflowExit.NO_MATCH.code();
    /** MLflow could not be reached, kept failing after the retries, or answered outside its API. */
    public static final int MLFLOW_UNAVAILABLE = MlflowExit.MLFLOW_UNAVAILABLE.code();
    static final String DEFAULT_EXPERIMENT = "day0";

    private MlflowCommand() {
    }

    /** The three parts of a baseline key. */
    static final class KeyOptions {
        @Option(names = "--model", paramLabel = "NAME", description = "The model as the evaluation names it.")
        String model;

        @Option(names = "--tasks", paramLabel = "JSON|@FILE",
                description = "The task set: a list of task names or {task: config}; JSON text or @FILE "
                        + "(.json, .yaml).")
        String tasks;

        @Option(names = "--sampling", paramLabel = "JSON|@FILE",
                description = "Sampling parameters object (temperature, top_p, max_tokens, seed, ...); JSON text "
                        + "or @FILE.")
        String sampling;

        @Option(names = "--config-hash", paramLabel = "HASH",
                description = "NeMo Evaluator Launcher config hash; when given, a match must carry the same one.")
        String configHash;

        boolean any() {
            return model != null || tasks != null || sampling != null || configHash != null;
        }

        BaselineKey key() {
            if (model == null || tasks == null || sampling == null) {
                throw new InputException("day0 mlflow", "", "a baseline key needs --model, --tasks and --sampling"
                        + " (missing: " + String.join(", ", missing()) + ")");
            }
            Document taskSet = document(tasks, "--tasks");
            Document params = document(sampling, "--sampling");
            return BaselineKey.of(model, taskSet.node(), taskSet.source(), params.node(), params.source(),
                    configHash);
        }

        Document samplingDocument() {
            return document(sampling, "--sampling");
        }

        private List<String> missing() {
            List<String> missing = new ArrayList<>();
            if (model == null) {
                missing.add("--model");
            }
            if (tasks == null) {
                missing.add("--tasks");
            }
            if (sampling == null) {
                missing.add("--sampling");
            }
            return missing;
        }
    }

    /** Where the server is and how patiently to talk to it. */
    static final class ServerOptions {
        @Option(names = "--experiment", paramLabel = "NAME", defaultValue = DEFAULT_EXPERIMENT,
                description = "MLflow experiment (default: ${DEFAULT-VALUE}).")
        String experiment;

        @Option(names = "--tracking-uri", paramLabel = "URI",
                description = "Tracking server; overrides MLFLOW_TRACKING_URI.")
        String trackingUri;

        @Option(names = "--retries", paramLabel = "N", defaultValue = "3",
                description = "Retries of a transient failure (no answer, 429, 5xx) (default: ${DEFAULT-VALUE}).")
        int retries;

        @Option(names = "--retry-delay-ms", paramLabel = "MS", defaultValue = "500",
                description = "First back-off pause; it doubles per retry, up to 8 s (default: ${DEFAULT-VALUE}).")
        long retryDelayMs;

        MlflowClient client(Map<String, String> env) {
            if (experiment == null || experiment.isBlank()) {
                throw new InputException("--experiment", "", "is empty");
            }
            if (retries < 0 || retries > 10) {
                throw new InputException("--retries", "", "must be 0 to 10, found " + retries);
            }
            if (retryDelayMs < 0 || retryDelayMs > 60_000) {
                throw new InputException("--retry-delay-ms", "", "must be 0 to 60000, found " + retryDelayMs);
            }
            MlflowClient.Retry retry = new MlflowClient.Retry(retries + 1, Duration.ofMillis(retryDelayMs),
                    Duration.ofMillis(Math.max(retryDelayMs, 8_000)));
            return MlflowClient.fromEnvironment(env, trackingUri, retry);
        }
    }

    /** A JSON document given as text or as {@code @FILE}, and the name to use in errors. */
    record Document(JsonNode node, String source) {
    }

    static Document document(String value, String option) {
        if (value.startsWith("@")) {
            Path file = Path.of(value.substring(1));
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            JsonNode node = name.endsWith(".yaml") || name.endsWith(".yml") ? Json.readYaml(file) : Json.read(file);
            return new Document(node, file.toString());
        }
        return new Document(Json.parse(value, option), option);
    }

    /** Turns an MLflow failure into its exit code, one line on stderr and the error document on stdout. */
    static int failure(MlflowLeaf command, MlflowException e, String commandName) {
        boolean users = e.kind() == MlflowException.Kind.REJECTED || e.kind() == MlflowException.Kind.AUTH;
        ObjectNode json = Json.object();
        json.put("pass", false);
        json.put("failure_class", users ? FailureClass.USER_CONFIG_ERROR.name() : FailureClass.INFRA_TRANSIENT.name());
        json.put("detail", Console.oneLine(e.getMessage()));
        json.put("http_status", e.httpStatus() < 0 ? null : e.httpStatus());
        json.put("error_code", e.errorCode());
        command.console().info(commandName + ": " + Console.oneLine(e.getMessage()));
        // The detail holds the server's own words, so it is redacted value by value (Console.document redacts each value of a document).
        return command.console().answer(json, users ? MlflowExit.INPUT : MlflowExit.MLFLOW_UNAVAILABLE, null);
    }

    @Command(name = "key", mixinStandardHelpOptions = true,
            description = "Print the baseline key (hashes and tags) of a model, task set and sampling parameters; "
                    + "no server needed.",
            footer = {"", "Prints the key; never contacts MLflow."})
    @ExitCodeFamily(value = MlflowExit.class, codes = {0, 2, 70})
    static final class Key extends MlflowLeaf {
        @Mixin
        KeyOptions keyOptions = new KeyOptions();

        @Override
        public Integer call() {
            BaselineKey key = keyOptions.key();
            ObjectNode json = key.toJson();
            json.put("filter", BaselineFinder.filter(key));
            return console().answer(json, MlflowExit.OK, null);
        }
    }

    @Command(name = "find-baseline", mixinStandardHelpOptions = true,
            description = {"Find the newest FINISHED eval run whose model, task set and sampling parameters (and "
                    + "config hash, when given) equal the key's, and write its {task: score} file.",
                "Prints {match, detail, run_id, scores_file, scores, key, filter, runs_seen, rejected}."})
    @ExitCodeFamily(value = MlflowExit.class, codes = {0, 2, 3, 4, 70})
    static final class FindBaseline extends MlflowLeaf {
        @Mixin
        KeyOptions keyOptions = new KeyOptions();

        @Mixin
        ServerOptions server = new ServerOptions();

        @Option(names = "--scores", required = true, paramLabel = "FILE",
                description = "Where to write the baseline's {task: score} (only when there is a match).")
        Path scores;

        @Mixin
        OutFile out = new OutFile();

        @Override
        public Integer call() {
            BaselineKey key = keyOptions.key();
            MlflowClient client = server.client(env());
            BaselineFinder.Result result;
            try {
                result = new BaselineFinder(client).find(server.experiment, key);
            } catch (MlflowException e) {
                return failure(this, e, "day0 mlflow find-baseline");
            }
            ObjectNode json = Json.object();
            json.put("match", result.found());
            json.put("detail", result.detail());
            json.put("experiment", server.experiment);
            json.put("experiment_id", result.experimentId());
            json.put("run_id", result.found() ? result.run().runId() : null);
            json.put("run_name", result.found() ? result.run().runName() : null);
            json.put("run_start_time", result.found() ? Instant.ofEpochMilli(result.run().startTime()).toString()
                    : null);
            json.put("scores_file", result.found() ? scores.toString() : null);
            json.set("scores", result.scores());
            json.set("key", key.toJson());
            json.put("filter", BaselineFinder.filter(key));
            json.put("runs_seen", result.runsSeen());
            ArrayNode rejected = json.putArray("rejected");
            for (BaselineFinder.Rejected item : result.rejected()) {
                rejected.addObject().put("run_id", item.runId()).put("reason", item.reason());
            }
            if (result.found()) {
                console().writeFile(scores, Json.write(result.scores()) + "\n");
            }
            int code = out.answer(console(), json, result.found() ? MlflowExit.OK : MlflowExit.NO_MATCH);
            console().info("day0 mlflow find-baseline: " + result.detail());
            return code;
        }
    }

    /** What kind of run {@code log} records. */
    enum Kind { EVAL, DECISION }

    @Command(name = "log", mixinStandardHelpOptions = true,
            description = {"Record an eval (--kind eval: its {task: score} as metrics score/<task>, the baseline "
                    + "key as tags) or a decision (--kind decision: decision, failure class and report as tags, "
                    + "decision.json, report.md and junit.xml as artifacts) as one MLflow run.",
                "Artifacts are uploaded through the tracking server's mlflow-artifacts proxy when the run's artifact "
                        + "URI allows it; otherwise the report path is recorded as tag day0.report_path and the "
                        + "output says why."})
    @ExitCodeFamily(value = MlflowExit.class, codes = {0, 2, 4, 70})
    static final class Log extends MlflowLeaf {
        @Option(names = "--kind", required = true, paramLabel = "KIND", description = "eval or decision.")
        Kind kind;

        @Mixin
        KeyOptions keyOptions = new KeyOptions();

        @Mixin
        ServerOptions server = new ServerOptions();

        @Option(names = "--scores", paramLabel = "FILE", description = "eval: {task: score} for every task of "
                + "the set.")
        Path scores;

        @Option(names = "--decision", paramLabel = "FILE", description = "decision: decision.json from 'day0 "
                + "report' or 'day0 gate ... --report-dir'.")
        Path decision;

        @Option(names = "--report", paramLabel = "FILE", description = "The report to record (path tag) and "
                + "upload (default for a decision: report.md next to decision.json).")
        Path report;

        @Option(names = "--artifact", paramLabel = "FILE", description = "Another text file to upload; "
                + "repeatable.")
        List<Path> artifacts = new ArrayList<>();

        @Option(names = "--params", paramLabel = "JSON|@FILE", description = "More params: a flat object.")
        String params;

        @Option(names = "--metrics", paramLabel = "JSON|@FILE", description = "More metrics: {name: number}.")
        String metrics;

        @Option(names = "--tags", paramLabel = "JSON|@FILE", description = "More tags: a flat object.")
        String tags;

        @Option(names = "--run-name", paramLabel = "NAME", description = "The run's name in MLflow.")
        String runName;

        @Option(names = "--status", paramLabel = "STATUS", defaultValue = "FINISHED",
                description = "Final run status: FINISHED, FAILED or KILLED (default: ${DEFAULT-VALUE}). "
                        + "find-baseline only reuses FINISHED eval runs.")
        String status;

        @Mixin
        OutFile out = new OutFile();

        @Override
        public Integer call() {
            long now = System.currentTimeMillis();
            RunLogger.checkStatus(status);
            RunBuilder run = kind == Kind.EVAL ? RunBuilder.eval(now) : RunBuilder.decision(now);
            List<Path> uploads = new ArrayList<>();
            String reportPath = null;
            BaselineKey key = null;
            if (kind == Kind.EVAL || keyOptions.any()) {
                key = keyOptions.key();
                Document sampling = keyOptions.samplingDocument();
                run.key(key, sampling.node(), sampling.source());
            }
            run.toolVersion(Version.current());
            if (kind == Kind.EVAL) {
                if (decision != null) {
                    throw new InputException("--decision", "", "is for --kind decision");
                }
                if (scores == null) {
                    throw new InputException("--scores", "", "is required for --kind eval");
                }
                run.scores(Json.read(scores), scores.toString(), key);
                if (report != null) {
                    reportPath = report.toAbsolutePath().normalize().toString();
                    uploads.add(report);
                }
            } else {
                if (scores != null) {
                    throw new InputException("--scores", "", "is for --kind eval");
                }
                if (decision == null) {
                    throw new InputException("--decision", "", "is required for --kind decision");
                }
                run.decisionRecord(Json.read(decision), decision.toString(), FileDigest.sha256(decision));
                uploads.add(decision);
                Path dir = decision.toAbsolutePath().getParent();
                Path reportFile = report != null ? report : dir.resolve("report.md");
                if (report != null || Files.isRegularFile(reportFile)) {
                    uploads.add(reportFile);
                    reportPath = reportFile.toAbsolutePath().normalize().toString();
                } else {
                    reportPath = decision.toAbsolutePath().normalize().toString();
                }
                Path junit = dir.resolve("junit.xml");
                if (Files.isRegularFile(junit)) {
                    uploads.add(junit);
                }
            }
            Map<String, String> tagMap = run.tags();
            Map<String, String> paramMap = run.params();
            List<Metric> metricList = run.metrics();
            uploads.addAll(artifacts);
            if (tags != null) {
                flatObject(document(tags, "--tags"), tagMap, "tag");
            }
            if (params != null) {
                flatObject(document(params, "--params"), paramMap, "param");
            }
            if (metrics != null) {
                extraMetrics(document(metrics, "--metrics"), now, metricList);
            }
            validate(tagMap, paramMap, metricList);
            List<RunLogger.Artifact> artifactList = readArtifacts(uploads);

            MlflowClient client = server.client(env());
            RunLogger.Request request = run.request(server.experiment, runName, status, artifactList, reportPath);
            RunLogger.Outcome outcome;
            try {
                outcome = new RunLogger(client, console().redactor(), System::currentTimeMillis).log(request);
            } catch (MlflowException e) {
                return failure(this, e, "day0 mlflow log");
            }
            ObjectNode json = Json.object();
            json.put("logged", true);
            json.put("kind", kind.name().toLowerCase(Locale.ROOT));
            json.put("experiment", server.experiment);
            json.put("experiment_id", outcome.experimentId());
            json.put("run_id", outcome.runId());
            json.put("status", outcome.status());
            json.put("log_batch_requests", outcome.batches());
            json.put("metrics", outcome.metrics());
            json.put("params", outcome.params());
            json.put("tags", outcome.tags());
            json.set("key", key == null ? null : key.toJson());
            json.put("report_path", reportPath);
            ObjectNode artifactJson = json.putObject("artifacts");
            artifactJson.set("uploaded", Json.strings(outcome.uploaded()));
            artifactJson.put("note", outcome.artifactsNote());
            int code = out.answer(console(), json, MlflowExit.OK);
            console().info("day0 mlflow log: run " + outcome.runId() + " recorded (" + outcome.status() + ")"
                    + (outcome.artifactsNote() == null ? "" : "; artifacts " + outcome.artifactsNote()));
            return code;
        }

        private static void flatObject(Document doc, Map<String, String> out, String what) {
            Fields fields = new Fields(doc.source());
            ObjectNode object = fields.requireObject(doc.node(), "");
            Iterator<Map.Entry<String, JsonNode>> it = object.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode value = entry.getValue();
                if (!value.isValueNode() || value.isNull()) {
                    throw fields.error(entry.getKey(), "must be a string, number or boolean " + what + " value, "
                            + "found " + Fields.describe(value));
                }
                if (entry.getKey().startsWith("day0.") || entry.getKey().startsWith("mlflow.")) {
                    throw fields.error(entry.getKey(), "is reserved: day0 sets day0.* and MLflow sets mlflow.* "
                            + what + "s");
                }
                if (out.containsKey(entry.getKey())) {
                    throw fields.error(entry.getKey(), "is already set by day0 (" + what + " "
                            + entry.getKey() + ")");
                }
                out.put(entry.getKey(), value.isTextual() ? value.textValue() : BaselineKey.canonicalJson(value));
            }
        }

        private static void extraMetrics(Document doc, long now, List<Metric> out) {
            Fields fields = new Fields(doc.source());
            ObjectNode object = fields.requireObject(doc.node(), "");
            Set<String> names = new HashSet<>();
            out.forEach(metric -> names.add(metric.key()));
            Iterator<Map.Entry<String, JsonNode>> it = object.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> entry = it.next();
                Double value = Fields.finiteNumber(entry.getValue());
                if (value == null) {
                    throw fields.error(entry.getKey(), "must be a finite number, found "
                            + Fields.describe(entry.getValue()));
                }
                if (!names.add(entry.getKey())) {
                    throw fields.error(entry.getKey(), "is already set by day0 (metric " + entry.getKey() + ")");
                }
                out.add(new Metric(entry.getKey(), value, now, 0));
            }
        }

        private void validate(Map<String, String> tagMap, Map<String, String> paramMap, List<Metric> metricList) {
            String tagSource = tags == null ? "--tags" : tags.startsWith("@") ? tags.substring(1) : "--tags";
            String paramSource = params == null ? "--params" : params.startsWith("@") ? params.substring(1)
                    : "--params";
            String metricSource = metrics == null ? "--metrics" : metrics.startsWith("@") ? metrics.substring(1)
                    : "--metrics";
            for (Map.Entry<String, String> tag : tagMap.entrySet()) {
                RunLogger.checkName(tagSource, tag.getKey(), tag.getKey());
                RunLogger.checkValue(tagSource, tag.getKey(), tag.getValue(), RunLogger.MAX_TAG_VALUE_LENGTH);
            }
            for (Map.Entry<String, String> param : paramMap.entrySet()) {
                RunLogger.checkName(paramSource, param.getKey(), param.getKey());
                RunLogger.checkValue(paramSource, param.getKey(), param.getValue(),
                        RunLogger.MAX_PARAM_VALUE_LENGTH);
            }
            for (Metric metric : metricList) {
                RunLogger.checkName(metricSource, metric.key(), metric.key());
            }
            if (runName != null) {
                RunLogger.checkValue("--run-name", "", runName, RunLogger.MAX_TAG_VALUE_LENGTH);
            }
        }

        /** Reads every artifact now, so a missing or binary file stops the command before MLflow is touched. */
        private static List<RunLogger.Artifact> readArtifacts(List<Path> files) {
            List<RunLogger.Artifact> list = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (Path file : files) {
                String name = file.getFileName() == null ? "" : file.getFileName().toString();
                if (!names.add(name)) {
                    throw new InputException(file.toString(), "", "has the same name as another artifact (" + name
                            + ")");
                }
                RunLogger.checkName(file.toString(), "", name);
                byte[] bytes;
                try {
                    if (Files.isDirectory(file)) {
                        throw new InputException(file.toString(), "", "is a directory, expected a file");
                    }
                    if (Files.size(file) > MAX_ARTIFACT_BYTES) {
                        throw new InputException(file.toString(), "", "is larger than " + (MAX_ARTIFACT_BYTES >> 20)
                                + " MB; day0 uploads reports, not data");
                    }
                    bytes = Files.readAllBytes(file);
                } catch (NoSuchFileException e) {
                    throw new InputException(file.toString(), "", "file not found");
                } catch (IOException e) {
                    throw new InputException(file.toString(), "", "cannot be read: " + e.getMessage());
                }
                try {
                    String text = StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString();
                    list.add(new RunLogger.Artifact(name, text));
                } catch (CharacterCodingException e) {
                    throw new InputException(file.toString(), "", "is not UTF-8 text; day0 uploads only text it "
                            + "can pass through the redactor");
                }
            }
            return list;
        }
    }

    static final long MAX_ARTIFACT_BYTES = 50L << 20;

    /** Leaf commands of this group; gives {@link #failure} access to the console. */
    abstract static class MlflowLeaf extends EngineCommand {
        @Override
        protected Console console() {
            return super.console();
        }
    }
}
