package dev.day0.mlflow;

import dev.day0.io.InputException;
import dev.day0.mlflow.MlflowClient.Experiment;
import dev.day0.mlflow.MlflowClient.KeyValue;
import dev.day0.mlflow.MlflowClient.Metric;
import dev.day0.mlflow.MlflowClient.Run;
import dev.day0.redact.Redactor;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Records one eval or decision as an MLflow run: {@code runs/create}, then the metrics, params and tags in as many
 * {@code runs/log-batch} requests as the limits need ({@link LogBatch}), then the artifacts through the server's
 * {@code mlflow-artifacts} proxy when its artifact URI allows it, then {@code runs/set-tag} for the report path and
 * what happened to the artifacts, and {@code runs/update} with the final status.
 *
 * <p>Every name and value sent passes the {@link Redactor} first: MLflow is one more place a secret must not reach.
 * The run's identity tags go in the first batch, and its status becomes FINISHED only at the very end, so a run that
 * failed half-way is never mistaken for a baseline; when a request fails after the run exists, the run is marked
 * FAILED (best effort) and the error names it.
 */
public final class RunLogger {
    /** MLflow's rule for metric, param and tag names (kept to ASCII so every server version accepts it). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-. /]+");
    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;
    public static final int MAX_TAG_VALUE_LENGTH = 5000;
    /** Artifacts go under this directory of the run's artifact root. */
    public static final String ARTIFACT_DIR = "day0";
    static final Set<String> FINAL_STATUSES = Set.of("FINISHED", "FAILED", "KILLED");

    private final MlflowClient client;
    private final Redactor redactor;
    private final LongSupplier clock;

    public RunLogger(MlflowClient client, Redactor redactor, LongSupplier clock) {
        this.client = client;
        this.redactor = redactor;
        this.clock = clock;
    }

    /** A file to upload: its artifact name and its (text) content. */
    public record Artifact(String name, String text) {
    }

    /**
     * What to record.
     *
     * @param tags in order; the identity tags should come first
     * @param status the final status: FINISHED, FAILED or KILLED
     * @param reportPath where the report is on this machine, recorded as a tag; null for none
     */
    public record Request(String experiment, String runName, String status, List<KeyValue> tags,
                          List<KeyValue> params, List<Metric> metrics, List<Artifact> artifacts, String reportPath) {
    }

    /**
     * What was recorded.
     *
     * @param uploaded the artifact names that reached the server
     * @param artifactsNote one line: "uploaded ..." or why the artifacts were not uploaded; null without artifacts
     */
    public record Outcome(String experimentId, String runId, String status, int batches, int metrics, int params,
                          int tags, List<String> uploaded, String artifactsNote) {
    }

    /** Checks a metric, param or tag name against MLflow's rules; {@code source} names the input it came from. */
    public static void checkName(String source, String field, String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_KEY_LENGTH || !NAME.matcher(name).matches()
                || name.startsWith("/") || name.contains("..") || name.contains("//")) {
            throw new InputException(source, field, "\"" + name + "\" is not a valid MLflow name: 1 to "
                    + MAX_KEY_LENGTH + " characters of letters, digits, _ - . / and space, not starting with / "
                    + "and without .. or //");
        }
    }

    /** Checks a value's length against the limit of its kind. */
    public static void checkValue(String source, String field, String value, int limit) {
        if (value.length() > limit) {
            throw new InputException(source, field, "is " + value.length() + " characters long; MLflow takes at "
                    + "most " + limit);
        }
    }

    /** The final status in MLflow's spelling; FINISHED, FAILED and KILLED are the statuses a run can end in. */
    public static String checkStatus(String status) {
        String upper = status == null ? "" : status.trim().toUpperCase(Locale.ROOT);
        if (!FINAL_STATUSES.contains(upper)) {
            throw new InputException("--status", "", "must be FINISHED, FAILED or KILLED, found \"" + status + "\"");
        }
        return upper;
    }

    public Outcome log(Request request) {
        String status = checkStatus(request.status());
        String experimentId = experimentId(request.experiment());
        Run run = client.createRun(experimentId, request.runName() == null ? null
                : redactor.redact(request.runName()), clock.getAsLong());
        String runId = run.runId();
        try {
            List<KeyValue> tags = redact(request.tags());
            List<KeyValue> params = redact(request.params());
            List<LogBatch.Batch> batches = LogBatch.split(request.metrics(), params, tags);
            for (LogBatch.Batch batch : batches) {
                client.logBatch(runId, batch);
            }
            List<String> uploaded = new ArrayList<>();
            String note = null;
            if (!request.artifacts().isEmpty()) {
                note = upload(run, request.artifacts(), uploaded);
                if (note == null) {
                    note = "uploaded to " + artifactRoot(run.artifactUri()).orElse("") + "/" + ARTIFACT_DIR + ": "
                            + String.join(", ", uploaded);
                }
            }
            if (request.reportPath() != null) {
                client.setTag(runId, RunTags.REPORT_PATH, redactor.redact(request.reportPath()));
            }
            if (note != null) {
                client.setTag(runId, RunTags.ARTIFACTS, clip(redactor.redact(note), MAX_TAG_VALUE_LENGTH));
            }
            client.updateRun(runId, status, clock.getAsLong());
            return new Outcome(experimentId, runId, status, batches.size(), request.metrics().size(),
                    params.size(), tags.size(), List.copyOf(uploaded), note);
        } catch (MlflowException e) {
            String marked;
            try {
                client.updateRun(runId, "FAILED", clock.getAsLong());
                marked = "run " + runId + " was created and is marked FAILED";
            } catch (MlflowException again) {
                marked = "run " + runId + " was created and could not be marked FAILED: it stays RUNNING";
            }
            throw new MlflowException(e.kind(), e.httpStatus(), e.errorCode(), e.getMessage() + " (" + marked + ")");
        }
    }

    private String experimentId(String name) {
        Optional<Experiment> experiment = client.experimentByName(name);
        if (experiment.isPresent()) {
            if (experiment.get().deleted()) {
                throw new MlflowException(MlflowException.Kind.REJECTED, 200, null, "MLflow experiment \"" + name
                        + "\" is deleted: restore it or log to another experiment");
            }
            return experiment.get().id();
        }
        try {
            return client.createExperiment(name);
        } catch (MlflowException e) {
            // Another job created it between our two requests.
            if ("RESOURCE_ALREADY_EXISTS".equals(e.errorCode())) {
                return client.experimentByName(name).map(Experiment::id).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    /** Uploads what it can; returns a note saying why the rest was not uploaded, or null when all were. */
    private String upload(Run run, List<Artifact> artifacts, List<String> uploaded) {
        Optional<String> root = artifactRoot(run.artifactUri());
        if (root.isEmpty()) {
            return "not uploaded: the run's artifact URI \"" + run.artifactUri() + "\" is not served by the tracking "
                    + "server's mlflow-artifacts proxy, so day0 cannot write there; the report path is recorded in "
                    + "tag " + RunTags.REPORT_PATH + " instead";
        }
        for (Artifact artifact : artifacts) {
            try {
                client.putArtifact(root.get() + "/" + ARTIFACT_DIR + "/" + artifact.name(),
                        redactor.redact(artifact.text()).getBytes(StandardCharsets.UTF_8));
                uploaded.add(artifact.name());
            } catch (MlflowException e) {
                if (e.kind() == MlflowException.Kind.UNAVAILABLE) {
                    throw e;
                }
                return "not uploaded" + (uploaded.isEmpty() ? "" : " (after " + String.join(", ", uploaded) + ")")
                        + ": " + e.getMessage() + "; the report path is recorded in tag " + RunTags.REPORT_PATH;
            }
        }
        return null;
    }

    /**
     * The path under the artifact proxy for an artifact URI of the form {@code mlflow-artifacts:/<path>} or
     * {@code mlflow-artifacts://<host>/<path>}; empty for any other store (s3, gs, a local path), which day0 does not
     * write to directly.
     */
    static Optional<String> artifactRoot(String artifactUri) {
        if (artifactUri == null || !artifactUri.startsWith("mlflow-artifacts:")) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(artifactUri);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String path = uri.getPath();
        if (path == null) {
            return Optional.empty();
        }
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.isEmpty() ? Optional.empty() : Optional.of(path);
    }

    private List<KeyValue> redact(List<KeyValue> items) {
        List<KeyValue> redacted = new ArrayList<>(items.size());
        for (KeyValue item : items) {
            redacted.add(new KeyValue(item.key(), redactor.redact(item.value())));
        }
        return redacted;
    }

    static String clip(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit - 3) + "...";
    }

    /** A param or tag list from a map, in the map's order. */
    static List<KeyValue> keyValues(Map<String, String> map) {
        List<KeyValue> list = new ArrayList<>(map.size());
        map.forEach((key, value) -> list.add(new KeyValue(key, value)));
        return list;
    }
}
