package dev.day0.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A small client for the MLflow tracking server's REST API 2.0, on the JDK's HTTP client: the endpoints day0 needs
 * and nothing more (see docs/evidence-serving-mlflow.md for why not the official Java client).
 *
 * <p>Transient failures (no connection, 429, 500, 502, 503, 504) are retried with exponential back-off, a bounded
 * number of times. Everything else is answered at once: 400 is {@link MlflowException.Kind#REJECTED}, 401/403
 * {@link MlflowException.Kind#AUTH}, 404 with MLflow's {@code RESOURCE_DOES_NOT_EXIST}
 * {@link MlflowException.Kind#NOT_FOUND}. A 404 without that error code is not taken as "not found": it usually
 * means the tracking URI points somewhere else, and reading it as "no baseline" would be a wrong answer.
 */
public final class MlflowClient {
    public static final String ENV_URI = "MLFLOW_TRACKING_URI";
    public static final String ENV_TOKEN = "MLFLOW_TRACKING_TOKEN";
    public static final String ENV_USERNAME = "MLFLOW_TRACKING_USERNAME";
    public static final String ENV_PASSWORD = "MLFLOW_TRACKING_PASSWORD";

    static final String API = "/api/2.0/mlflow/";
    static final String ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts/";
    private static final Set<Integer> TRANSIENT = Set.of(429, 500, 502, 503, 504);
    private static final int MAX_MESSAGE = 300;

    /**
     * How often and how patiently to retry a transient failure.
     *
     * @param attempts total attempts per request, at least 1
     * @param firstDelay the pause after the first failure; it doubles after each further one
     * @param maxDelay the longest pause (also caps a server's Retry-After)
     */
    public record Retry(int attempts, Duration firstDelay, Duration maxDelay) {
        public Retry {
            if (attempts < 1) {
                throw new IllegalArgumentException("at least one attempt");
            }
        }

        public static Retry standard() {
            return new Retry(4, Duration.ofMillis(500), Duration.ofSeconds(8));
        }

        Duration delayAfter(int failedAttempt) {
            long millis = firstDelay.toMillis() << Math.min(failedAttempt - 1, 20);
            return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
        }
    }

    /** Waits out a retry back-off; the release conductor's waits (tests wait no time) stand in for the clock. */
    public interface Pause {
        void pause(Duration delay) throws InterruptedException;
    }

    /** An experiment as {@code experiments/get-by-name} returns it. */
    public record Experiment(String id, String name, String lifecycleStage, String artifactLocation) {
        public boolean deleted() {
            return "deleted".equals(lifecycleStage);
        }
    }

    /** A run: its info, and the tags, params and latest metrics of its data. */
    public record Run(String runId, String experimentId, String runName, String status, long startTime,
                      String artifactUri, Map<String, String> tags, Map<String, String> params,
                      Map<String, JsonNode> metrics) {
    }

    /** One page of {@code runs/search}. */
    public record RunsPage(List<Run> runs, String nextPageToken) {
    }

    /** A metric value as {@code runs/log-batch} takes it. */
    public record Metric(String key, double value, long timestamp, long step) {
    }

    /** A param or a tag. */
    public record KeyValue(String key, String value) {
    }

    private final URI base;
    private final String authorization;
    private final Retry retry;
    private final Duration requestTimeout;
    private final HttpClient http;
    private Pause pause = delay -> Thread.sleep(delay.toMillis());

    /**
     * @param trackingUri the tracking server, e.g. {@code http://mlflow:5000} (a path prefix is kept)
     * @param authorization the Authorization header value, or null
     */
    public MlflowClient(URI trackingUri, String authorization, Retry retry, Duration requestTimeout) {
        String text = trackingUri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        this.base = URI.create(text);
        this.authorization = authorization;
        this.retry = retry;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** This client, waiting out its retry back-offs with the given pause instead of the clock. */
    public MlflowClient pausingWith(Pause waits) {
        this.pause = waits;
        return this;
    }

    /**
     * A client configured as MLflow's own clients are: {@code MLFLOW_TRACKING_URI} (or the given override), and
     * {@code MLFLOW_TRACKING_USERNAME}/{@code MLFLOW_TRACKING_PASSWORD} as basic auth, else
     * {@code MLFLOW_TRACKING_TOKEN} as a bearer token (the same precedence as the Python client).
     *
     * @throws InputException when the URI is missing or not http(s), or only half of the basic credentials is set
     */
    public static MlflowClient fromEnvironment(Map<String, String> env, String trackingUriOverride, Retry retry) {
        String source = trackingUriOverride != null ? "--tracking-uri" : ENV_URI;
        String text = trackingUriOverride != null ? trackingUriOverride : env.get(ENV_URI);
        if (text == null || text.isBlank()) {
            throw new InputException(ENV_URI, "", "is not set: point it at the MLflow tracking server, e.g. "
                    + "http://mlflow:5000 (or pass --tracking-uri)");
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InputException(source, "", "is not a URI: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InputException(source, "", "must be an http:// or https:// tracking server (day0 does not "
                    + "write to local mlruns directories or Databricks profiles), found \"" + text.trim() + "\"");
        }
        if (uri.getHost() == null) {
            throw new InputException(source, "", "has no host: \"" + text.trim() + "\"");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InputException(source, "", "must not carry credentials; set " + ENV_USERNAME + " and "
                    + ENV_PASSWORD + ", or " + ENV_TOKEN);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InputException(source, "", "must not have a query or fragment");
        }
        return new MlflowClient(uri, authorization(env), retry, Duration.ofSeconds(60));
    }

    static String authorization(Map<String, String> env) {
        String user = blankToNull(env.get(ENV_USERNAME));
        String password = blankToNull(env.get(ENV_PASSWORD));
        if (user != null && password != null) {
            String pair = user + ":" + password;
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        if (user != null || password != null) {
            throw new InputException(user != null ? ENV_USERNAME : ENV_PASSWORD, "", "is set but "
                    + (user != null ? ENV_PASSWORD : ENV_USERNAME) + " is not: set both or neither");
        }
        String token = blankToNull(env.get(ENV_TOKEN));
        return token == null ? null : "Bearer " + token.trim();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The tracking server, as requests are sent to it. */
    public URI trackingUri() {
        return base;
    }

    /** {@code GET experiments/get-by-name}; empty when the server answers RESOURCE_DOES_NOT_EXIST. */
    public Optional<Experiment> experimentByName(String name) {
        JsonNode answer;
        try {
            answer = get("experiments/get-by-name", Map.of("experiment_name", name));
        } catch (MlflowException e) {
            if (e.kind() == MlflowException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        JsonNode experiment = answer.get("experiment");
        if (experiment == null || !experiment.isObject()) {
            throw badResponse("experiments/get-by-name", "no \"experiment\" object");
        }
        return Optional.of(new Experiment(requireText(experiment, "experiment_id", "experiments/get-by-name"),
                text(experiment, "name"), text(experiment, "lifecycle_stage"),
                text(experiment, "artifact_location")));
    }

    /** {@code POST experiments/create}; returns the new experiment's id. */
    public String createExperiment(String name) {
        ObjectNode body = Json.object();
        body.put("name", name);
        JsonNode answer = post("experiments/create", body);
        return requireText(answer, "experiment_id", "experiments/create");
    }

    /** {@code POST runs/search} for one page of active runs of one experiment. */
    public RunsPage searchRuns(String experimentId, String filter, int maxResults, List<String> orderBy,
                               String pageToken) {
        ObjectNode body = Json.object();
        body.putArray("experiment_ids").add(experimentId);
        body.put("filter", filter);
        body.put("run_view_type", "ACTIVE_ONLY");
        body.put("max_results", maxResults);
        ArrayNode order = body.putArray("order_by");
        orderBy.forEach(order::add);
        if (pageToken != null) {
            body.put("page_token", pageToken);
        }
        JsonNode answer = post("runs/search", body);
        List<Run> runs = new ArrayList<>();
        JsonNode list = answer.get("runs");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw badResponse("runs/search", "\"runs\" is not a list");
            }
            for (JsonNode run : list) {
                runs.add(parseRun(run, "runs/search"));
            }
        }
        String next = text(answer, "next_page_token");
        return new RunsPage(runs, next == null || next.isEmpty() ? null : next);
    }

    /** {@code POST runs/create}; the run starts RUNNING. */
    public Run createRun(String experimentId, String runName, long startTime) {
        ObjectNode body = Json.object();
        body.put("experiment_id", experimentId);
        if (runName != null) {
            body.put("run_name", runName);
        }
        body.put("start_time", startTime);
        JsonNode answer = post("runs/create", body);
        JsonNode run = answer.get("run");
        if (run == null || !run.isObject()) {
            throw badResponse("runs/create", "no \"run\" object");
        }
        return parseRun(run, "runs/create");
    }

    /** {@code POST runs/log-batch}; the caller keeps within the limits ({@link LogBatch}). */
    public void logBatch(String runId, LogBatch.Batch batch) {
        ObjectNode body = Json.object();
        body.put("run_id", runId);
        ArrayNode metrics = body.putArray("metrics");
        for (Metric metric : batch.metrics()) {
            ObjectNode item = metrics.addObject();
            item.put("key", metric.key());
            item.put("value", metric.value());
            item.put("timestamp", metric.timestamp());
            item.put("step", metric.step());
        }
        ArrayNode params = body.putArray("params");
        for (KeyValue param : batch.params()) {
            params.addObject().put("key", param.key()).put("value", param.value());
        }
        ArrayNode tags = body.putArray("tags");
        for (KeyValue tag : batch.tags()) {
            tags.addObject().put("key", tag.key()).put("value", tag.value());
        }
        post("runs/log-batch", body);
    }

    /** {@code POST runs/set-tag}. */
    public void setTag(String runId, String key, String value) {
        ObjectNode body = Json.object();
        body.put("run_id", runId);
        body.put("key", key);
        body.put("value", value);
        post("runs/set-tag", body);
    }

    /** {@code POST runs/update}: the final status (FINISHED, FAILED, KILLED) and end time. */
    public void updateRun(String runId, String status, long endTime) {
        ObjectNode body = Json.object();
        body.put("run_id", runId);
        body.put("status", status);
        body.put("end_time", endTime);
        post("runs/update", body);
    }

    /**
     * {@code PUT /api/2.0/mlflow-artifacts/artifacts/<path>}: uploads one file through the tracking server's
     * artifact proxy ({@code mlflow server --serve-artifacts}, the default since MLflow 2.0).
     *
     * @param path the artifact's path under the proxy root, '/'-separated, unencoded
     */
    public void putArtifact(String path, byte[] content) {
        StringJoiner encoded = new StringJoiner("/");
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                encoded.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        URI uri = URI.create(base + ARTIFACTS_API + encoded);
        HttpResponse<String> response = send("mlflow-artifacts PUT", () -> HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        interpret("mlflow-artifacts PUT " + path, response);
    }

    JsonNode get(String endpoint, Map<String, String> query) {
        StringJoiner params = new StringJoiner("&");
        for (Map.Entry<String, String> entry : query.entrySet()) {
            params.add(URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
        }
        URI uri = URI.create(base + API + endpoint + (query.isEmpty() ? "" : "?" + params));
        HttpResponse<String> response = send(endpoint, () -> HttpRequest.newBuilder(uri).GET());
        return interpret(endpoint, response);
    }

    JsonNode post(String endpoint, JsonNode body) {
        URI uri = URI.create(base + API + endpoint);
        String json = Json.writeLine(body);
        HttpResponse<String> response = send(endpoint, () -> HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
        return interpret(endpoint, response);
    }

    private interface RequestFactory {
        HttpRequest.Builder create();
    }

    /** Sends with retries; returns the first non-transient answer, or the last one when retries ran out. */
    private HttpResponse<String> send(String what, RequestFactory factory) {
        String lastProblem = null;
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder builder = factory.create().timeout(requestTimeout);
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            HttpResponse<String> response = null;
            try {
                response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (!TRANSIENT.contains(response.statusCode())) {
                    return response;
                }
                lastProblem = "HTTP " + response.statusCode() + errorSuffix(response.body());
            } catch (ConnectException e) {
                lastProblem = "connection refused";
            } catch (HttpTimeoutException e) {
                lastProblem = "no answer within " + requestTimeout.toSeconds() + " s";
            } catch (IOException e) {
                lastProblem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowException(MlflowException.Kind.UNAVAILABLE, -1, null,
                        "MLflow " + what + ": interrupted");
            }
            if (attempt >= retry.attempts()) {
                throw new MlflowException(MlflowException.Kind.UNAVAILABLE,
                        response == null ? -1 : response.statusCode(), response == null ? null
                        : errorCode(response.body()), "MLflow " + what + " failed after " + attempt
                        + " attempt(s) at " + base + ": " + lastProblem);
            }
            Duration delay = retry.delayAfter(attempt);
            if (response != null) {
                delay = retryAfter(response, delay);
            }
            try {
                pause.pause(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowException(MlflowException.Kind.UNAVAILABLE, -1, null,
                        "MLflow " + what + ": interrupted");
            }
        }
    }

    private Duration retryAfter(HttpResponse<String> response, Duration fallback) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isEmpty()) {
            return fallback;
        }
        try {
            long seconds = Long.parseLong(header.get().trim());
            Duration asked = Duration.ofSeconds(Math.max(0, seconds));
            return asked.compareTo(retry.maxDelay()) > 0 ? retry.maxDelay() : asked;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private JsonNode interpret(String what, HttpResponse<String> response) {
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (status == 200) {
            if (body.isBlank()) {
                return Json.object();
            }
            try {
                JsonNode node = Json.mapper().readTree(body);
                if (node == null || !node.isObject()) {
                    throw badResponse(what, "the body is not a JSON object" + snippet(body));
                }
                return node;
            } catch (JsonProcessingException e) {
                throw badResponse(what, "the body is not JSON" + snippet(body));
            }
        }
        String code = errorCode(body);
        String message = "MLflow " + what + " answered HTTP " + status + errorSuffix(body);
        if (status == 404 && "RESOURCE_DOES_NOT_EXIST".equals(code)) {
            throw new MlflowException(MlflowException.Kind.NOT_FOUND, status, code, message);
        }
        if (status == 400) {
            throw new MlflowException(MlflowException.Kind.REJECTED, status, code, message);
        }
        if (status == 401 || status == 403) {
            throw new MlflowException(MlflowException.Kind.AUTH, status, code, message + " (check "
                    + ENV_TOKEN + ", or " + ENV_USERNAME + " and " + ENV_PASSWORD + ")");
        }
        if (status == 404) {
            throw new MlflowException(MlflowException.Kind.BAD_RESPONSE, status, code, message
                    + " without an MLflow error code: is " + base + " an MLflow tracking server?");
        }
        throw new MlflowException(MlflowException.Kind.BAD_RESPONSE, status, code, message);
    }

    private static String errorCode(String body) {
        JsonNode error = parseQuietly(body);
        return error == null ? null : text(error, "error_code");
    }

    /** ": ERROR_CODE: message" from MLflow's error object, or a clipped body when it is not one. */
    private static String errorSuffix(String body) {
        JsonNode error = parseQuietly(body);
        if (error != null && error.has("error_code")) {
            String message = text(error, "message");
            return ": " + text(error, "error_code") + (message == null ? "" : ": " + clip(message));
        }
        return snippet(body);
    }

    private static JsonNode parseQuietly(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = Json.mapper().readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String snippet(String body) {
        return body == null || body.isBlank() ? "" : ": " + clip(body);
    }

    private static String clip(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ').strip();
        return oneLine.length() > MAX_MESSAGE ? oneLine.substring(0, MAX_MESSAGE) + "..." : oneLine;
    }

    private static MlflowException badResponse(String what, String problem) {
        return new MlflowException(MlflowException.Kind.BAD_RESPONSE, 200, null,
                "MLflow " + what + " answered 200 but " + problem);
    }

    private static Run parseRun(JsonNode run, String what) {
        if (!run.isObject()) {
            throw badResponse(what, "a run is not an object");
        }
        JsonNode info = run.get("info");
        if (info == null || !info.isObject()) {
            throw badResponse(what, "a run has no \"info\"");
        }
        String runId = text(info, "run_id");
        if (runId == null) {
            runId = text(info, "run_uuid");
        }
        if (runId == null || runId.isEmpty()) {
            throw badResponse(what, "a run has no run_id");
        }
        JsonNode start = info.get("start_time");
        long startTime = start != null && start.canConvertToLong() ? start.asLong()
                : start != null && start.isTextual() ? parseLong(start.textValue()) : 0L;
        JsonNode data = run.path("data");
        Map<String, String> tags = keyValues(data.get("tags"), what, runId, "tags");
        Map<String, String> params = keyValues(data.get("params"), what, runId, "params");
        Map<String, JsonNode> metrics = new LinkedHashMap<>();
        JsonNode metricList = data.get("metrics");
        if (metricList != null && !metricList.isNull()) {
            if (!metricList.isArray()) {
                throw badResponse(what, "run " + runId + ": metrics is not a list");
            }
            for (JsonNode metric : metricList) {
                String key = text(metric, "key");
                if (key == null) {
                    throw badResponse(what, "run " + runId + ": a metric has no key");
                }
                metrics.put(key, metric.get("value") == null ? NullNode.instance : metric.get("value"));
            }
        }
        return new Run(runId, text(info, "experiment_id"), text(info, "run_name"), text(info, "status"),
                startTime, text(info, "artifact_uri"), tags, params, metrics);
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0L;
        }
    }

    private static Map<String, String> keyValues(JsonNode list, String what, String runId, String field) {
        Map<String, String> values = new LinkedHashMap<>();
        if (list == null || list.isNull()) {
            return values;
        }
        if (!list.isArray()) {
            throw badResponse(what, "run " + runId + ": " + field + " is not a list");
        }
        Iterator<JsonNode> it = list.elements();
        while (it.hasNext()) {
            JsonNode item = it.next();
            String key = text(item, "key");
            if (key == null) {
                throw badResponse(what, "run " + runId + ": an entry of " + field + " has no key");
            }
            String value = text(item, "value");
            values.put(key, value == null ? "" : value);
        }
        return values;
    }

    private static String requireText(JsonNode node, String field, String what) {
        String value = text(node, field);
        if (value == null || value.isEmpty()) {
            throw badResponse(what, "no \"" + field + "\"");
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return value.isValueNode() ? value.asText() : null;
    }
}
