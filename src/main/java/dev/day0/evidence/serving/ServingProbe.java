package dev.day0.evidence.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.InputException;
import dev.day0.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Probes a vLLM OpenAI-compatible server the way an evaluation would use it: {@code GET /health} until it answers
 * 200 (the server may still be loading weights), then {@code GET /v1/models}, then one greedy completion of
 * {@value #PROMPT}. The server is healthy only when all three pass; anything else is a one-line reason, because the
 * run gate turns an unhealthy probe into DEPLOYMENT_HEALTH_FAILED and a person reads that line first.
 *
 * <p>Only the JDK's HTTP client is used. Response bodies are read up to {@value #MAX_BODY_BYTES} bytes: a server that
 * sends more is misbehaving, and the probe must not be the thing that runs out of memory.
 */
public final class ServingProbe {
    public static final String PROMPT = "The capital of France is";
    static final int MAX_TOKENS = 16;
    static final int MAX_BODY_BYTES = 4 << 20;
    private static final int SNIPPET = 200;
    private static final int MAX_LISTED_MODELS = 20;

    private final Duration timeout;
    private final Duration interval;
    private final Duration requestTimeout;
    private final String apiKey;
    private final HttpClient http;

    /**
     * @param timeout how long to wait for {@code /health} to answer 200
     * @param interval the pause between two {@code /health} attempts
     * @param requestTimeout the longest wait for any one answer (the completion included)
     * @param apiKey sent as a bearer token to the {@code /v1} routes (vLLM {@code --api-key}); null for none
     */
    public ServingProbe(Duration timeout, Duration interval, Duration requestTimeout, String apiKey) {
        if (timeout.isNegative() || timeout.isZero() || interval.isNegative() || interval.isZero()
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeout, interval and request timeout must be positive");
        }
        this.timeout = timeout;
        this.interval = interval;
        this.requestTimeout = requestTimeout;
        this.apiKey = apiKey;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(min(requestTimeout, Duration.ofSeconds(10)))
                .build();
    }

    /**
     * The server root from a {@code --url} value. An OpenAI base URL ending in {@code /v1} is accepted too, since
     * that is what evaluation configs usually hold; the routes are resolved from the root either way.
     *
     * @throws InputException when the value is not an http(s) URL with a host
     */
    public static URI serverRoot(String text) {
        String trimmed = text == null ? "" : text.trim();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new InputException("--url", "", "is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InputException("--url", "", "must start with http:// or https://, found \"" + trimmed + "\"");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InputException("--url", "", "has no host: \"" + trimmed + "\"");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InputException("--url", "", "must be the server address without a query or fragment");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + path);
    }

    /**
     * Runs the three checks in order; a check whose predecessor failed is reported as skipped.
     *
     * @param root the server root, from {@link #serverRoot}
     * @param model the model that must be served, or null to take the first one listed
     * @param expect text the completion must contain (case-insensitive), or null for any non-empty text
     */
    public ServingEvidence probe(URI root, String model, String expect) {
        long started = System.nanoTime();
        List<ServingEvidence.Check> checks = new ArrayList<>();

        ServingEvidence.Check health = waitForHealth(root);
        checks.add(health);
        if (!health.passed()) {
            checks.add(ServingEvidence.Check.skipped("models"));
            checks.add(ServingEvidence.Check.skipped("completion"));
            return new ServingEvidence(false, health.detail(), model, checks, elapsedMs(started));
        }

        ModelsOutcome models = listModels(root, model);
        checks.add(models.check());
        if (!models.check().passed()) {
            checks.add(ServingEvidence.Check.skipped("completion"));
            return new ServingEvidence(false, models.check().detail(), model, checks, elapsedMs(started));
        }

        ServingEvidence.Check completion = complete(root, models.model(), expect);
        checks.add(completion);
        if (!completion.passed()) {
            return new ServingEvidence(false, completion.detail(), models.model(), checks, elapsedMs(started));
        }
        String detail = "/health answered 200 after " + health.extra().path("attempts").asInt()
                + " attempt(s), " + models.served() + " model(s) served, the completion of \"" + PROMPT
                + "\" returned text";
        return new ServingEvidence(true, detail, models.model(), checks, elapsedMs(started));
    }

    private ServingEvidence.Check waitForHealth(URI root) {
        URI uri = root.resolve(root.getRawPath() + "/health");
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int attempts = 0;
        Exchange last;
        while (true) {
            attempts++;
            // Each attempt may wait for the rest of the timeout, but at least a second: an answer that is merely
            // slow on a loaded machine must not read as "not healthy" at the last attempt.
            Duration wait = min(requestTimeout, Duration.ofNanos(Math.max(deadline - System.nanoTime(),
                    Duration.ofSeconds(1).toNanos())));
            last = send(HttpRequest.newBuilder(uri).GET().timeout(wait), false);
            if (last.status() == 200) {
                ObjectNode extra = Json.object();
                extra.put("attempts", attempts);
                extra.put("waited_ms", elapsedMs(start));
                return ServingEvidence.Check.pass("health", 200, last.latencyMs(), extra);
            }
            if (isDefinitive(last.status())) {
                ObjectNode extra = Json.object();
                extra.put("attempts", attempts);
                extra.put("waited_ms", elapsedMs(start));
                return ServingEvidence.Check.fail("health", last.status(), last.latencyMs(),
                        "GET /health answered HTTP " + last.status() + snippet(last.body())
                                + ": not a vLLM health route; check --url", extra);
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                break;
            }
            if (!sleep(Math.min(interval.toNanos(), deadline - now))) {
                break;
            }
        }
        ObjectNode extra = Json.object();
        extra.put("attempts", attempts);
        extra.put("waited_ms", elapsedMs(start));
        String lastAnswer = last.status() > 0 ? "HTTP " + last.status() : last.error();
        return ServingEvidence.Check.fail("health", last.status() > 0 ? last.status() : null, last.latencyMs(),
                "GET /health did not answer 200 within " + seconds(timeout) + " (" + attempts
                        + " attempts, last: " + lastAnswer + ")", extra);
    }

    /** A 4xx other than 408 and 429 will not turn into 200 by waiting: the URL or the route is wrong. */
    private static boolean isDefinitive(int status) {
        return status >= 400 && status < 500 && status != 408 && status != 429;
    }

    private record ModelsOutcome(ServingEvidence.Check check, String model, int served) {
    }

    private ModelsOutcome listModels(URI root, String wanted) {
        URI uri = root.resolve(root.getRawPath() + "/v1/models");
        Exchange exchange = send(HttpRequest.newBuilder(uri).GET().timeout(requestTimeout), true);
        String what = "GET /v1/models";
        if (exchange.status() != 200) {
            return new ModelsOutcome(failed("models", exchange, what), null, 0);
        }
        JsonNode body = parse(exchange.body());
        if (body == null || !body.isObject()) {
            return new ModelsOutcome(ServingEvidence.Check.fail("models", 200, exchange.latencyMs(),
                    what + " answered 200 but the body is not a JSON object" + snippet(exchange.body()), null),
                    null, 0);
        }
        JsonNode data = body.get("data");
        if (data == null || !data.isArray()) {
            return new ModelsOutcome(ServingEvidence.Check.fail("models", 200, exchange.latencyMs(),
                    what + " answered 200 without a \"data\" list of models", null), null, 0);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            JsonNode id = data.get(i).get("id");
            if (id == null || !id.isTextual() || id.textValue().isBlank()) {
                return new ModelsOutcome(ServingEvidence.Check.fail("models", 200, exchange.latencyMs(),
                        what + ": data[" + i + "] has no model id", null), null, 0);
            }
            ids.add(id.textValue());
        }
        ObjectNode extra = Json.object();
        ArrayNode listed = extra.putArray("models");
        ids.stream().limit(MAX_LISTED_MODELS).forEach(listed::add);
        if (ids.isEmpty()) {
            return new ModelsOutcome(ServingEvidence.Check.fail("models", 200, exchange.latencyMs(),
                    what + ": the server lists no models", extra), null, 0);
        }
        if (wanted != null && !ids.contains(wanted)) {
            return new ModelsOutcome(ServingEvidence.Check.fail("models", 200, exchange.latencyMs(),
                    what + ": model \"" + wanted + "\" is not served (served: " + String.join(", ",
                            ids.subList(0, Math.min(ids.size(), MAX_LISTED_MODELS))) + ")", extra), null, 0);
        }
        String model = wanted != null ? wanted : ids.get(0);
        return new ModelsOutcome(ServingEvidence.Check.pass("models", 200, exchange.latencyMs(), extra), model,
                ids.size());
    }

    private ServingEvidence.Check complete(URI root, String model, String expect) {
        URI uri = root.resolve(root.getRawPath() + "/v1/completions");
        ObjectNode request = Json.object();
        request.put("model", model);
        request.put("prompt", PROMPT);
        request.put("max_tokens", MAX_TOKENS);
        request.put("temperature", 0);
        Exchange exchange = send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.writeLine(request), StandardCharsets.UTF_8))
                .timeout(requestTimeout), true);
        String what = "POST /v1/completions";
        if (exchange.status() != 200) {
            return failed("completion", exchange, what);
        }
        JsonNode body = parse(exchange.body());
        if (body == null || !body.isObject()) {
            return ServingEvidence.Check.fail("completion", 200, exchange.latencyMs(),
                    what + " answered 200 but the body is not a JSON object" + snippet(exchange.body()), null);
        }
        JsonNode choices = body.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            return ServingEvidence.Check.fail("completion", 200, exchange.latencyMs(),
                    what + " answered 200 without choices", null);
        }
        JsonNode text = choices.get(0).get("text");
        if (text == null || !text.isTextual()) {
            return ServingEvidence.Check.fail("completion", 200, exchange.latencyMs(),
                    what + ": choices[0] has no text", null);
        }
        ObjectNode extra = Json.object();
        extra.put("text", clip(text.textValue()));
        JsonNode finish = choices.get(0).get("finish_reason");
        if (finish != null && finish.isTextual()) {
            extra.put("finish_reason", finish.textValue());
        }
        JsonNode tokens = body.path("usage").get("completion_tokens");
        if (tokens != null && tokens.isIntegralNumber()) {
            extra.put("completion_tokens", tokens.longValue());
        }
        if (text.textValue().isBlank()) {
            return ServingEvidence.Check.fail("completion", 200, exchange.latencyMs(),
                    what + ": the model returned no text for \"" + PROMPT + "\"", extra);
        }
        if (expect != null && !text.textValue().toLowerCase(Locale.ROOT).contains(expect.toLowerCase(Locale.ROOT))) {
            return ServingEvidence.Check.fail("completion", 200, exchange.latencyMs(),
                    what + ": the completion \"" + clip(text.textValue()).strip() + "\" does not contain \""
                            + expect + "\"", extra);
        }
        return ServingEvidence.Check.pass("completion", 200, exchange.latencyMs(), extra);
    }

    private static ServingEvidence.Check failed(String name, Exchange exchange, String what) {
        if (exchange.status() < 0) {
            return ServingEvidence.Check.fail(name, null, exchange.latencyMs(), what + ": " + exchange.error(), null);
        }
        return ServingEvidence.Check.fail(name, exchange.status(), exchange.latencyMs(),
                what + " answered HTTP " + exchange.status() + snippet(exchange.body()), null);
    }

    /** One request and its answer: status -1 and an error when no answer came. */
    private record Exchange(int status, String body, long latencyMs, String error) {
    }

    private Exchange send(HttpRequest.Builder builder, boolean authorized) {
        if (authorized && apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest request = builder.build();
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
                if (bytes.length > MAX_BODY_BYTES) {
                    return new Exchange(-1, "", elapsedMs(start), "the answer is larger than "
                            + (MAX_BODY_BYTES >> 20) + " MB");
                }
                body = new String(bytes, StandardCharsets.UTF_8);
            }
            return new Exchange(response.statusCode(), body, elapsedMs(start), null);
        } catch (HttpConnectTimeoutException e) {
            return new Exchange(-1, "", elapsedMs(start), "connection timed out");
        } catch (HttpTimeoutException e) {
            return new Exchange(-1, "", elapsedMs(start), "no answer within " + seconds(request.timeout()
                    .orElse(requestTimeout)));
        } catch (ConnectException e) {
            return new Exchange(-1, "", elapsedMs(start), "connection refused");
        } catch (IOException e) {
            return new Exchange(-1, "", elapsedMs(start), "connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exchange(-1, "", elapsedMs(start), "interrupted");
        }
    }

    private static JsonNode parse(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * The useful part of an error body: vLLM's {@code {"object": "error", "type", "message"}} or OpenAI's
     * {@code {"error": {"type", "message"}}} as "type: message", anything else clipped to one line.
     */
    private static String snippet(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode json = parse(body);
        if (json != null && json.isObject()) {
            JsonNode error = json.path("error").isObject() ? json.get("error") : json;
            JsonNode message = error.get("message");
            if (message != null && message.isTextual()) {
                JsonNode type = error.get("type");
                return ": " + (type != null && type.isTextual() ? type.textValue() + ": " : "")
                        + clip(message.textValue()).strip();
            }
        }
        return ": " + clip(body).strip();
    }

    private static String clip(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() > SNIPPET ? oneLine.substring(0, SNIPPET) + "..." : oneLine;
    }

    /** Sleeps; false when interrupted, so the caller stops polling. */
    private static boolean sleep(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long elapsedMs(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String seconds(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 == 0) {
            return (millis / 1000) + " s";
        }
        return new java.math.BigDecimal(millis).movePointLeft(3).stripTrailingZeros().toPlainString() + " s";
    }
}
