package dev.day0.rockie;

import dev.day0.core.EngineVersion;
import dev.day0.io.VerbatimFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The HTTP side of the Rockie platform API, on the JDK's HttpClient. Every API request carries
 * {@code X-Tenant-Token}, {@code X-Tenant-Id}, {@code Accept} and {@code Content-Type: application/json} and a
 * {@code User-Agent} naming day0. API requests never follow redirects (a redirect must not carry the token to
 * another host); artifact downloads go to signed URLs with no tenant header at all.
 */
public final class RockieClient {
    public static final String USER_AGENT = "day0-rockie/" + EngineVersion.current() + " (day0 engine; Java "
            + System.getProperty("java.version") + ")";

    /** A response: status and body text. */
    public record Response(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final RockieConfig config;
    private final Duration requestTimeout;
    private final HttpClient api;
    private final HttpClient downloads;

    public RockieClient(RockieConfig config, Duration requestTimeout) {
        this.config = config;
        this.requestTimeout = requestTimeout;
        Duration connect = requestTimeout.compareTo(Duration.ofSeconds(10)) < 0 ? requestTimeout
                : Duration.ofSeconds(10);
        this.api = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.downloads = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public RockieConfig config() {
        return config;
    }

    public Response get(String path, Map<String, String> query) throws IOException, InterruptedException {
        String suffix = query.isEmpty() ? "" : "?" + query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
        return send(base(config.resolve(path + suffix)).GET().build());
    }

    public Response getMarket(Map<String, String> query) throws IOException, InterruptedException {
        return get("/api/gpu/market", query);
    }

    public Response getPrices(Map<String, String> query) throws IOException, InterruptedException {
        return get("/api/gpu/prices", query);
    }

    public Response submit(String jsonBody, String idempotencyKey) throws IOException, InterruptedException {
        HttpRequest request = base(config.resolve("/api/jobs/submit"))
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8)).build();
        return send(request);
    }

    public Response getJob(String jobId) throws IOException, InterruptedException {
        return get("/api/jobs/" + encode(jobId), Map.of());
    }

    /**
     * {@code POST /api/notes/{id}/dashboard/append} or {@code .../finalize}: the dashboard note of a job. Not
     * retried: a missed heartbeat is replaced by the next one, and a failure only costs the note an update.
     */
    public Response postDashboard(String noteId, String action, String jsonBody)
            throws IOException, InterruptedException {
        if (!action.equals("append") && !action.equals("finalize")) {
            throw new IllegalArgumentException("dashboard action must be append or finalize, was " + action);
        }
        HttpRequest request = base(config.resolve("/api/notes/" + encode(noteId) + "/dashboard/" + action))
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8)).build();
        return send(request);
    }

    public Response getArtifacts(String jobId) throws IOException, InterruptedException {
        return get("/api/jobs/" + encode(jobId) + "/artifacts", Map.of());
    }

    /**
     * Downloads a signed URL into {@code target}, reading at most {@code limit} bytes (one more than the declared
     * size, so an oversized file is noticed without filling the disk). Returns the HTTP status and the number of
     * bytes written; the file is only written for a 2xx answer.
     */
    public long[] download(URI url, Path target, long limit) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(requestTimeout)
                .header("User-Agent", USER_AGENT).GET().build();
        HttpResponse<InputStream> response = downloads.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() < 200 || response.statusCode() >= 300) {
                return new long[] {response.statusCode(), 0};
            }
            long written = VerbatimFiles.download(in, target, limit);
            return new long[] {response.statusCode(), written};
        }
    }

    private HttpRequest.Builder base(URI uri) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Tenant-Token", config.tenantToken());
        headers.put("X-Tenant-Id", config.tenantId());
        headers.put("Accept", "application/json");
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", USER_AGENT);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(requestTimeout);
        headers.forEach(builder::header);
        return builder;
    }

    private Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = api.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(response.statusCode(), response.body() == null ? "" : response.body());
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
