package dev.day0.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.day0.io.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback MLflow tracking server with the request and response shapes of the REST API 2.0 for the endpoints day0
 * uses, an in-memory store, MLflow's error objects ({@code {"error_code", "message"}}) and its documented limits
 * (log-batch: 1000 metrics, 100 params, 100 tags, 1000 items in all; params cannot change value). It understands the
 * part of the search grammar a client needs for equality filters ({@code attributes.status}, tags quoted with
 * backticks or double quotes, AND), pages with {@code page_token}, and answers anything else in a filter with 400
 * INVALID_PARAMETER_VALUE as MLflow does. Faults (5xx, 400) can be queued per endpoint; every request is recorded.
 */
public final class FakeMlflowServer implements AutoCloseable {
    public static final String API = "/api/2.0/mlflow/";
    public static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";

    /** What a client sent. */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }

        JsonNode json() {
            return Json.parse(body, path);
        }

        String endpoint() {
            return path.startsWith(API) ? path.substring(API.length()) : path;
        }
    }

    /** A run as the store holds it. */
    public static final class StoredRun {
        final String runId;
        final String experimentId;
        String runName;
        String status = "RUNNING";
        long startTime;
        Long endTime;
        final String artifactUri;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, JsonNode> metrics = new LinkedHashMap<>();

        StoredRun(String runId, String experimentId, String artifactUri) {
            this.runId = runId;
            this.experimentId = experimentId;
            this.artifactUri = artifactUri;
        }
    }

    private record Experiment(String id, String name, String lifecycleStage, String artifactLocation) {
    }

    private record Answer(int status, String body) {
    }

    private static final Pattern CLAUSE = Pattern.compile("\\s*(attributes|attribute|attr|run|tags|tag)\\."
            + "(`[^`]+`|\"[^\"]+\"|[A-Za-z0-9_]+)\\s*(=|!=)\\s*('([^']*)'|\"([^\"]*)\")\\s*");
    private static final Pattern AND = Pattern.compile("(?i)\\s+and\\s+");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Experiment> experiments = new LinkedHashMap<>();
    private final List<StoredRun> runs = new ArrayList<>();
    private final Map<String, Deque<Answer>> faults = new HashMap<>();
    private final Map<String, byte[]> artifacts = new LinkedHashMap<>();
    private int nextExperiment = 1;
    private int nextRun = 1;
    private int pageSize = 1000;
    private boolean serveArtifacts = true;
    private boolean proxyRouteEnabled = true;
    private boolean ignoreFilter;
    private String requiredAuthorization;

    private FakeMlflowServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static FakeMlflowServer start() {
        try {
            return new FakeMlflowServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake MLflow server", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    // ---- configuration -------------------------------------------------------------------------------------------

    /** The server returns at most this many runs per page, whatever max_results asks for. */
    synchronized FakeMlflowServer pageSize(int size) {
        pageSize = size;
        return this;
    }

    /** False: experiments store artifacts in S3 directly (no mlflow-artifacts URI), as with --no-serve-artifacts. */
    synchronized FakeMlflowServer serveArtifacts(boolean serve) {
        serveArtifacts = serve;
        return this;
    }

    /** False: run URIs still say mlflow-artifacts but the proxy route answers 404 (a misconfigured server). */
    synchronized FakeMlflowServer proxyRouteEnabled(boolean enabled) {
        proxyRouteEnabled = enabled;
        return this;
    }

    /** A lax server that returns every run of the experiment whatever the filter says. */
    synchronized FakeMlflowServer ignoreFilter(boolean ignore) {
        ignoreFilter = ignore;
        return this;
    }

    /** Requests without exactly this Authorization header get 401, as MLflow's basic-auth app answers. */
    synchronized FakeMlflowServer requireAuthorization(String value) {
        requiredAuthorization = value;
        return this;
    }

    /** The next {@code times} requests to the endpoint (e.g. "runs/search") get this MLflow error instead. */
    synchronized FakeMlflowServer failNext(String endpoint, int status, String errorCode, String message, int times) {
        ObjectNode error = Json.object();
        error.put("error_code", errorCode);
        error.put("message", message);
        return failNextRaw(endpoint, status, Json.writeLine(error), times);
    }

    synchronized FakeMlflowServer failNextRaw(String endpoint, int status, String body, int times) {
        Deque<Answer> queue = faults.computeIfAbsent(endpoint, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            queue.add(new Answer(status, body));
        }
        return this;
    }

    // ---- seeding and inspection ----------------------------------------------------------------------------------

    synchronized String addExperiment(String name) {
        String id = String.valueOf(nextExperiment++);
        experiments.put(name, new Experiment(id, name, "active", artifactLocation(id)));
        return id;
    }

    synchronized void deleteExperiment(String name) {
        Experiment e = experiments.get(name);
        experiments.put(name, new Experiment(e.id(), name, "deleted", e.artifactLocation()));
    }

    synchronized StoredRun addRun(String experimentId, String status, long startTime, Map<String, String> tags,
                                  Map<String, Number> metrics) {
        StoredRun run = newRun(experimentId);
        run.status = status;
        run.startTime = startTime;
        run.endTime = startTime + 1000;
        run.tags.putAll(tags);
        metrics.forEach((k, v) -> run.metrics.put(k, Json.mapper().valueToTree(v)));
        return run;
    }

    synchronized StoredRun run(String runId) {
        return runs.stream().filter(r -> r.runId.equals(runId)).findFirst()
                .orElseThrow(() -> new AssertionError("no run " + runId));
    }

    synchronized List<StoredRun> runs() {
        return List.copyOf(runs);
    }

    synchronized Map<String, byte[]> artifacts() {
        return Map.copyOf(artifacts);
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Request> requests(String endpoint) {
        return requests().stream().filter(r -> r.endpoint().equals(endpoint)).toList();
    }

    private String artifactLocation(String experimentId) {
        return serveArtifacts ? "mlflow-artifacts:/" + experimentId : "s3://day0-test-bucket/mlflow/" + experimentId;
    }

    private StoredRun newRun(String experimentId) {
        Experiment experiment = experiments.values().stream().filter(e -> e.id().equals(experimentId)).findFirst()
                .orElseThrow();
        String runId = String.format("%032x", 0xd0000L + nextRun++);
        StoredRun run = new StoredRun(runId, experimentId, experiment.artifactLocation() + "/" + runId
                + "/artifacts");
        runs.add(run);
        return run;
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body);
        requests.add(request);
        Answer answer;
        synchronized (this) {
            answer = answer(request);
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", answer.body().startsWith("{") ? "application/json"
                : "text/html; charset=utf-8");
        if (answer.status() == 401) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"mlflow\"");
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Answer answer(Request request) {
        if (requiredAuthorization != null && !requiredAuthorization.equals(request.header("Authorization"))) {
            return new Answer(401, "You are not authenticated. Please see "
                    + "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to "
                    + "authenticate.");
        }
        Deque<Answer> queued = faults.get(request.endpoint());
        if (queued != null && !queued.isEmpty()) {
            return queued.poll();
        }
        try {
            if (request.path().startsWith(ARTIFACTS) && request.method().equals("PUT") && proxyRouteEnabled) {
                String path = URLDecoder.decode(request.path().substring(ARTIFACTS.length()), StandardCharsets.UTF_8);
                artifacts.put(path, request.body().getBytes(StandardCharsets.UTF_8));
                return ok(Json.object());
            }
            String route = request.method() + " " + request.endpoint();
            return switch (route) {
                case "GET experiments/get-by-name" -> getExperiment(request);
                case "POST experiments/create" -> createExperiment(request.json());
                case "POST runs/search" -> search(request.json());
                case "POST runs/create" -> createRun(request.json());
                case "POST runs/log-batch" -> logBatch(request.json());
                case "POST runs/set-tag" -> setTag(request.json());
                case "POST runs/update" -> update(request.json());
                default -> new Answer(404, "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>");
            };
        } catch (RuntimeException e) {
            return error(400, "BAD_REQUEST", "Malformed request: " + e.getMessage());
        }
    }

    private Answer getExperiment(Request request) {
        String name = null;
        if (request.query() != null) {
            for (String pair : request.query().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals("experiment_name")) {
                    name = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
        }
        if (name == null) {
            return error(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'experiment_name'.");
        }
        Experiment experiment = experiments.get(name);
        if (experiment == null) {
            return error(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name '" + name + "'");
        }
        ObjectNode json = Json.object();
        ObjectNode e = json.putObject("experiment");
        e.put("experiment_id", experiment.id());
        e.put("name", experiment.name());
        e.put("artifact_location", experiment.artifactLocation());
        e.put("lifecycle_stage", experiment.lifecycleStage());
        e.put("last_update_time", 1735689600000L);
        e.put("creation_time", 1735689600000L);
        return ok(json);
    }

    private Answer createExperiment(JsonNode body) {
        String name = body.path("name").asText("");
        if (name.isEmpty()) {
            return error(400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'.");
        }
        if (experiments.containsKey(name)) {
            return error(400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
        }
        ObjectNode json = Json.object();
        json.put("experiment_id", addExperiment(name));
        return ok(json);
    }

    private Answer search(JsonNode body) {
        JsonNode ids = body.get("experiment_ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) {
            return error(400, "INVALID_PARAMETER_VALUE", "experiment_ids must be a non-empty list");
        }
        int maxResults = body.path("max_results").asInt(1000);
        if (maxResults < 1 || maxResults > 50000) {
            return error(400, "INVALID_PARAMETER_VALUE", "Invalid value " + maxResults + " for parameter "
                    + "'max_results' supplied. It must be at most 50000, but got value " + maxResults);
        }
        List<String[]> clauses = new ArrayList<>();
        String filter = body.path("filter").asText("");
        if (!filter.isBlank()) {
            for (String clause : AND.split(filter.trim())) {
                Matcher m = CLAUSE.matcher(clause);
                if (!m.matches()) {
                    return error(400, "INVALID_PARAMETER_VALUE", "Invalid clause(s) in filter string: '" + clause
                            + "'");
                }
                String name = m.group(2).replaceAll("^[`\"]|[`\"]$", "");
                String type = m.group(1).startsWith("tag") ? "tags" : "attributes";
                if (type.equals("attributes") && !List.of("status", "run_name", "run_id").contains(name)) {
                    return error(400, "INVALID_PARAMETER_VALUE", "Invalid attribute key '" + name + "' specified.");
                }
                clauses.add(new String[] {type, name, m.group(3), m.group(5) != null ? m.group(5) : m.group(6)});
            }
        }
        for (JsonNode order : body.path("order_by")) {
            if (!order.asText().matches("(?i)attributes\\.start_time( (ASC|DESC))?")) {
                return error(400, "INVALID_PARAMETER_VALUE", "Invalid order_by clause '" + order.asText() + "'");
            }
        }
        List<String> wanted = new ArrayList<>();
        ids.forEach(id -> wanted.add(id.asText()));
        List<StoredRun> matching = new ArrayList<>();
        for (StoredRun run : runs) {
            if (wanted.contains(run.experimentId) && (ignoreFilter || matches(run, clauses))) {
                matching.add(run);
            }
        }
        boolean ascending = body.path("order_by").size() > 0
                && body.path("order_by").get(0).asText().toUpperCase(Locale.ROOT).endsWith("ASC");
        Comparator<StoredRun> byStart = Comparator.comparingLong(r -> r.startTime);
        matching.sort(ascending ? byStart : byStart.reversed());

        int offset = 0;
        JsonNode token = body.get("page_token");
        if (token != null && !token.asText().isEmpty()) {
            try {
                String decoded = new String(Base64.getDecoder().decode(token.asText()), StandardCharsets.UTF_8);
                if (!decoded.startsWith("offset:")) {
                    throw new IllegalArgumentException(decoded);
                }
                offset = Integer.parseInt(decoded.substring("offset:".length()));
            } catch (IllegalArgumentException e) {
                return error(400, "INVALID_PARAMETER_VALUE", "Invalid page token, could not base64-decode");
            }
        }
        int size = Math.min(maxResults, pageSize);
        int end = Math.min(matching.size(), offset + size);
        ObjectNode json = Json.object();
        if (offset < end) {
            ArrayNode list = json.putArray("runs");
            for (StoredRun run : matching.subList(offset, end)) {
                list.add(runJson(run));
            }
        }
        if (end < matching.size()) {
            json.put("next_page_token", Base64.getEncoder().encodeToString(("offset:" + end)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return ok(json);
    }

    private static boolean matches(StoredRun run, List<String[]> clauses) {
        for (String[] clause : clauses) {
            String actual = clause[0].equals("tags") ? run.tags.get(clause[1]) : switch (clause[1]) {
                case "status" -> run.status;
                case "run_name" -> run.runName;
                default -> run.runId;
            };
            boolean equal = clause[3].equals(actual);
            if (clause[2].equals("=") != equal) {
                return false;
            }
        }
        return true;
    }

    private Answer createRun(JsonNode body) {
        String experimentId = body.path("experiment_id").asText("");
        if (experiments.values().stream().noneMatch(e -> e.id().equals(experimentId))) {
            return error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + experimentId + " exists");
        }
        StoredRun run = newRun(experimentId);
        run.startTime = body.path("start_time").asLong(0);
        if (body.hasNonNull("run_name")) {
            run.runName = body.get("run_name").asText();
            run.tags.put("mlflow.runName", run.runName);
        }
        for (JsonNode tag : body.path("tags")) {
            run.tags.put(tag.get("key").asText(), tag.get("value").asText());
        }
        ObjectNode json = Json.object();
        json.set("run", runJson(run));
        return ok(json);
    }

    private Answer logBatch(JsonNode body) {
        StoredRun run = find(body.path("run_id").asText(""));
        if (run == null) {
            return error(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + body.path("run_id").asText("") + "' not found");
        }
        int metrics = body.path("metrics").size();
        int params = body.path("params").size();
        int tags = body.path("tags").size();
        if (metrics > 1000) {
            return error(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 1000 metrics. "
                    + "Got " + metrics + " metrics. Please split up metrics across multiple requests and try again.");
        }
        if (params > 100) {
            return error(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 100 params. "
                    + "Got " + params + " params. Please split up params across multiple requests and try again.");
        }
        if (tags > 100) {
            return error(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 100 tags. "
                    + "Got " + tags + " tags. Please split up tags across multiple requests and try again.");
        }
        if (metrics + params + tags > 1000) {
            return error(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most 1000 "
                    + "metrics, params, and tags in total. Got " + (metrics + params + tags) + " total.");
        }
        for (JsonNode param : body.path("params")) {
            String key = param.get("key").asText();
            String value = param.get("value").asText();
            String old = run.params.get(key);
            if (old != null && !old.equals(value)) {
                return error(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed. Param with key='"
                        + key + "' was already logged with value='" + old + "' for run ID='" + run.runId
                        + "'. Attempted logging new value '" + value + "'.");
            }
        }
        for (JsonNode metric : body.path("metrics")) {
            if (!metric.path("value").isNumber()) {
                return error(400, "INVALID_PARAMETER_VALUE", "Got invalid value " + metric.path("value")
                        + " for metric '" + metric.path("key").asText() + "'");
            }
        }
        body.path("params").forEach(p -> run.params.put(p.get("key").asText(), p.get("value").asText()));
        body.path("tags").forEach(t -> run.tags.put(t.get("key").asText(), t.get("value").asText()));
        body.path("metrics").forEach(m -> run.metrics.put(m.get("key").asText(), m.get("value")));
        return ok(Json.object());
    }

    private Answer setTag(JsonNode body) {
        StoredRun run = find(body.path("run_id").asText(""));
        if (run == null) {
            return error(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + body.path("run_id").asText("") + "' not found");
        }
        run.tags.put(body.get("key").asText(), body.get("value").asText());
        return ok(Json.object());
    }

    private Answer update(JsonNode body) {
        StoredRun run = find(body.path("run_id").asText(""));
        if (run == null) {
            return error(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + body.path("run_id").asText("") + "' not found");
        }
        if (body.hasNonNull("status")) {
            run.status = body.get("status").asText();
        }
        if (body.hasNonNull("end_time")) {
            run.endTime = body.get("end_time").asLong();
        }
        ObjectNode json = Json.object();
        json.set("run_info", runJson(run).get("info"));
        return ok(json);
    }

    private StoredRun find(String runId) {
        return runs.stream().filter(r -> r.runId.equals(runId)).findFirst().orElse(null);
    }

    /** A run as MLflow serializes it: empty lists are left out, as protobuf's JSON form does. */
    private static ObjectNode runJson(StoredRun run) {
        ObjectNode json = Json.object();
        ObjectNode info = json.putObject("info");
        info.put("run_id", run.runId);
        info.put("run_uuid", run.runId);
        if (run.runName != null) {
            info.put("run_name", run.runName);
        }
        info.put("experiment_id", run.experimentId);
        info.put("user_id", "");
        info.put("status", run.status);
        info.put("start_time", run.startTime);
        if (run.endTime != null) {
            info.put("end_time", run.endTime);
        }
        info.put("artifact_uri", run.artifactUri);
        info.put("lifecycle_stage", "active");
        ObjectNode data = json.putObject("data");
        if (!run.metrics.isEmpty()) {
            ArrayNode metrics = data.putArray("metrics");
            run.metrics.forEach((k, v) -> metrics.addObject().put("key", k).<ObjectNode>set("value", v)
                    .put("timestamp", run.startTime).put("step", 0));
        }
        if (!run.params.isEmpty()) {
            ArrayNode params = data.putArray("params");
            run.params.forEach((k, v) -> params.addObject().put("key", k).put("value", v));
        }
        if (!run.tags.isEmpty()) {
            ArrayNode tags = data.putArray("tags");
            run.tags.forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
        }
        json.putObject("inputs");
        return json;
    }

    private static Answer ok(JsonNode json) {
        return new Answer(200, Json.writeLine(json));
    }

    private static Answer error(int status, String code, String message) {
        ObjectNode json = Json.object();
        json.put("error_code", code);
        json.put("message", message);
        return new Answer(status, Json.writeLine(json));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
