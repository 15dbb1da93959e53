package dev.day0.rockie;

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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback stand-in for the Rockie platform API, for tests of day0 and of anything that drives it (the Jenkins
 * step, the release conductor). It listens on 127.0.0.1 on a free port, answers each route with a scripted
 * sequence of replies, and records every request.
 *
 * <pre>{@code
 * try (RockieTestServer rockie = RockieTestServer.start()) {
 *     rockie.acceptSubmit("rj_1", 17500)
 *           .jobStates("rj_1", poll("QUEUED", null, 0), poll("RUNNING", "step 1", 120), poll("DONE", "JOB_DONE", 900))
 *           .artifacts("rj_1", Map.of("metrics.json", "{}".getBytes()));
 *     // run day0 with rockie.env(TOKEN, TENANT) ...
 *     rockie.requests("POST", "/api/jobs/submit");  // method, path, query, headers, body of each
 * }
 * }</pre>
 *
 * <p>API: {@link #start()}; {@link #url()} and {@link #env(String, String)} for the client;
 * {@link #on(String, String, Reply...)} scripts a route (exact path, or a prefix ending in {@code *}): the replies
 * are used in order and the last one repeats; routes scripted later win over earlier ones for the same path.
 * Replies: {@link #json(int, String)}, {@link #json(int, JsonNode)}, {@link #bytes(int, byte[])},
 * {@link #delayed(Duration, Reply)} (a slow response), {@link #reset()} (drop the connection, no answer),
 * {@link #hold(CountDownLatch, CountDownLatch, Reply)} (signal arrival, then wait). Unscripted routes answer 404.
 * Behaviours: {@link #acceptSubmit}, {@link #rejectSubmit}, {@link #jobStates}, {@link #artifacts},
 * {@link #market}, {@link #prices}. Records: {@link #requests()}, {@link #requests(String, String)},
 * {@link #count(String, String)}.
 */
public final class RockieTestServer implements AutoCloseable {
    /** One answer to one request. */
    @FunctionalInterface
    public interface Reply {
        void send(HttpExchange exchange) throws IOException, InterruptedException;
    }

    /** A request as the server saw it. Header names are lower case. */
    public record Recorded(String method, String path, String query, Map<String, List<String>> headers,
                           String body) {
        /** The first value of a header (case-insensitive name), or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        public JsonNode json() {
            return Json.parse(body, method + " " + path);
        }
    }

    /** One answer of GET /api/jobs/{id}. */
    public record Poll(String state, String lastLogLine, Long costSoFarCents, Long costActualCents,
                       String computeError) {
    }

    private static final class Route {
        final String method;
        final String pattern;
        final List<Reply> replies;
        int next;

        Route(String method, String pattern, List<Reply> replies) {
            this.method = method;
            this.pattern = pattern;
            this.replies = replies;
        }

        boolean matches(String requestMethod, String path) {
            if (!method.equals(requestMethod)) {
                return false;
            }
            return pattern.endsWith("*") ? path.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(path);
        }

        synchronized Reply take() {
            Reply reply = replies.get(Math.min(next, replies.size() - 1));
            next++;
            return reply;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    private final Map<CountDownLatch, Boolean> holds = new ConcurrentHashMap<>();

    private RockieTestServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts a server on 127.0.0.1 and a free port. */
    public static RockieTestServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "rockie-test-server");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            RockieTestServer rockie = new RockieTestServer(server, executor);
            server.createContext("/", rockie::handle);
            server.start();
            return rockie;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Rockie test server", e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The environment a client needs to talk to this server. */
    public Map<String, String> env(String tenantToken, String tenantId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ROCKIELAB_API_URL", url().toString());
        env.put("ROCKIELAB_TENANT_TOKEN", tenantToken);
        env.put("ROCKIELAB_TENANT_ID", tenantId);
        return env;
    }

    /** Scripts a route: replies in order, the last one repeating. */
    public RockieTestServer on(String method, String pathPattern, Reply... replies) {
        if (replies.length == 0) {
            throw new IllegalArgumentException("give at least one reply");
        }
        routes.add(0, new Route(method, pathPattern, List.of(replies)));
        return this;
    }

    // ---- replies

    public static Reply json(int status, String body) {
        return exchange -> write(exchange, status, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    public static Reply json(int status, JsonNode body) {
        return json(status, Json.writeLine(body));
    }

    public static Reply bytes(int status, byte[] body) {
        return exchange -> write(exchange, status, body, "application/octet-stream");
    }

    /** Answers {@code then} after {@code delay}: a slow platform. */
    public static Reply delayed(Duration delay, Reply then) {
        return exchange -> {
            Thread.sleep(delay.toMillis());
            then.send(exchange);
        };
    }

    /** Drops the connection without an answer, as a reset or a crashed proxy does. */
    public static Reply reset() {
        return HttpExchange::close;
    }

    /**
     * Counts down {@code arrived} when the request is in, then waits for {@code release} (or the server's close)
     * before answering {@code then}: lets a test kill the client while its request is in flight.
     */
    public Reply hold(CountDownLatch arrived, CountDownLatch release, Reply then) {
        return exchange -> {
            holds.put(release, Boolean.TRUE);
            arrived.countDown();
            release.await(60, TimeUnit.SECONDS);
            then.send(exchange);
        };
    }

    // ---- behaviours

    /** POST /api/jobs/submit answers 200 with this job id. */
    public RockieTestServer acceptSubmit(String jobId, long estimatedCostCents) {
        ObjectNode body = Json.object();
        body.put("job_id", jobId);
        body.put("estimated_cost_cents", estimatedCostCents);
        body.put("dashboard_note_id", "note-" + jobId);
        return on("POST", "/api/jobs/submit", json(200, body));
    }

    /** POST /api/jobs/submit answers with this status and body. */
    public RockieTestServer rejectSubmit(int status, String body) {
        return on("POST", "/api/jobs/submit", json(status, body));
    }

    public static Poll poll(String state, String lastLogLine, long costSoFarCents) {
        return new Poll(state, lastLogLine, costSoFarCents, null, null);
    }

    public static Poll finished(String state, String lastLogLine, long costActualCents, String computeError) {
        return new Poll(state, lastLogLine, costActualCents, costActualCents, computeError);
    }

    /** GET /api/jobs/{id} walks through these answers; the last repeats. */
    public RockieTestServer jobStates(String jobId, Poll... polls) {
        List<Reply> replies = new ArrayList<>();
        for (Poll poll : polls) {
            replies.add(json(200, jobBody(jobId, poll)));
        }
        return on("GET", "/api/jobs/" + jobId, replies.toArray(Reply[]::new));
    }

    public static ObjectNode jobBody(String jobId, Poll poll) {
        ObjectNode body = Json.object();
        body.put("job_id", jobId);
        body.put("state", poll.state());
        body.put("last_log_line", poll.lastLogLine());
        body.put("cost_so_far_cents", poll.costSoFarCents());
        body.put("cost_actual_cents", poll.costActualCents());
        body.put("compute_error", poll.computeError());
        body.put("started_at", "2026-06-05T10:00:00Z");
        body.put("finished_at", poll.costActualCents() == null ? null : "2026-06-05T10:42:00Z");
        return body;
    }

    /**
     * GET /api/jobs/{id}/artifacts lists these files with signed URLs on {@code storage} (this server when null),
     * which serves them; each entry declares {@code size_bytes}.
     */
    public RockieTestServer artifacts(String jobId, Map<String, byte[]> files, RockieTestServer storage) {
        RockieTestServer host = storage == null ? this : storage;
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("artifacts");
        files.forEach((name, content) -> {
            String signed = host.url() + "/storage/" + jobId + "/" + name
                    + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260105"
                    + "&X-Amz-Expires=900"
                    + "&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
            list.addObject().put("name", name).put("size_bytes", content.length).put("url", signed);
            host.on("GET", "/storage/" + jobId + "/" + name, bytes(200, content));
        });
        return on("GET", "/api/jobs/" + jobId + "/artifacts", json(200, body));
    }

    public RockieTestServer artifacts(String jobId, Map<String, byte[]> files) {
        return artifacts(jobId, files, null);
    }

    /** GET /api/gpu/market answers this document. */
    public RockieTestServer market(JsonNode answer) {
        return on("GET", "/api/gpu/market", json(200, answer));
    }

    /** GET /api/gpu/prices answers this document. */
    public RockieTestServer prices(JsonNode answer) {
        return on("GET", "/api/gpu/prices", json(200, answer));
    }

    // ---- records

    public List<Recorded> requests() {
        return Collections.unmodifiableList(new ArrayList<>(recorded));
    }

    /** Requests with this method whose path starts with {@code pathPrefix}. */
    public List<Recorded> requests(String method, String pathPrefix) {
        return recorded.stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix))
                .toList();
    }

    public int count(String method, String pathPrefix) {
        return requests(method, pathPrefix).size();
    }

    @Override
    public void close() {
        holds.keySet().forEach(latch -> {
            while (latch.getCount() > 0) {
                latch.countDown();
            }
        });
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- plumbing

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            recorded.add(new Recorded(method, path, exchange.getRequestURI().getRawQuery(), headers,
                    new String(body, StandardCharsets.UTF_8)));
            Reply reply = routes.stream().filter(route -> route.matches(method, path)).findFirst()
                    .map(Route::take).orElse(json(404, "{\"detail\": \"Not Found\"}"));
            reply.send(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        } catch (IOException e) {
            // The client gave up (a timeout test): nothing to answer any more.
            exchange.close();
        }
    }

    private static void write(HttpExchange exchange, int status, byte[] body, String contentType)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
