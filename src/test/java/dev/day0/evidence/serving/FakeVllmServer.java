package dev.day0.evidence.serving;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * A loopback server that answers like vLLM's OpenAI-compatible API server: {@code GET /health} with an empty body
 * (200, or 503 while the engine is not up), {@code GET /v1/models} with an OpenAI model list, {@code POST
 * /v1/completions} with a text completion, and vLLM's error object otherwise. Each route's answers are scripted per
 * test; every request is recorded so tests can assert what the probe sent.
 */
public final class FakeVllmServer implements AutoCloseable {
    public static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";

    /** One scripted answer. */
    public record Answer(int status, String body) {
    }

    /** What the probe sent. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Answer> health = new ArrayList<>(List.of(new Answer(200, "")));
    private int healthIndex;
    private Answer models = new Answer(200, modelsBody(MODEL));
    private Answer completion = new Answer(200, completionBody(MODEL, " Paris. It is the largest city in France"));

    private FakeVllmServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static FakeVllmServer start() {
        try {
            return new FakeVllmServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake vLLM server", e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Health answers in order; the last one repeats. */
    public synchronized FakeVllmServer health(int... statuses) {
        health.clear();
        for (int status : statuses) {
            health.add(new Answer(status, ""));
        }
        healthIndex = 0;
        return this;
    }

    public synchronized FakeVllmServer models(int status, String body) {
        models = new Answer(status, body);
        return this;
    }

    public synchronized FakeVllmServer completion(int status, String body) {
        completion = new Answer(status, body);
        return this;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Request> requests(String path) {
        return requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    public static String modelsBody(String... ids) {
        StringBuilder data = new StringBuilder();
        for (String id : ids) {
            if (data.length() > 0) {
                data.append(',');
            }
            data.append("{\"id\":\"").append(id).append("\",\"object\":\"model\",\"created\":1735689600,")
                    .append("\"owned_by\":\"vllm\",\"root\":\"").append(id).append("\",\"parent\":null,")
                    .append("\"max_model_len\":131072,\"permission\":[{\"id\":\"modelperm-3f2a9c\",")
                    .append("\"object\":\"model_permission\",\"created\":1735689600,")
                    .append("\"allow_create_engine\":false,\"allow_sampling\":true,\"allow_logprobs\":true,")
                    .append("\"allow_search_indices\":false,\"allow_view\":true,\"allow_fine_tuning\":false,")
                    .append("\"organization\":\"*\",\"group\":null,\"is_blocking\":false}]}");
        }
        return "{\"object\":\"list\",\"data\":[" + data + "]}";
    }

    public static String completionBody(String model, String text) {
        return "{\"id\":\"cmpl-8c1f0e2b7a\",\"object\":\"text_completion\",\"created\":1735689700,\"model\":\""
                + model + "\",\"choices\":[{\"index\":0,\"text\":\"" + text + "\",\"logprobs\":null,"
                + "\"finish_reason\":\"length\",\"stop_reason\":null,\"prompt_logprobs\":null}],"
                + "\"usage\":{\"prompt_tokens\":6,\"total_tokens\":22,\"completion_tokens\":16,"
                + "\"prompt_tokens_details\":null}}";
    }

    public static String errorBody(int code, String type, String message) {
        return "{\"object\":\"error\",\"message\":\"" + message + "\",\"type\":\"" + type
                + "\",\"param\":null,\"code\":" + code + "}";
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        requests.add(new Request(method, path, Map.copyOf(exchange.getRequestHeaders()), body));
        Answer answer;
        synchronized (this) {
            if (method.equals("GET") && path.equals("/health")) {
                answer = health.get(Math.min(healthIndex, health.size() - 1));
                healthIndex++;
            } else if (method.equals("GET") && path.equals("/v1/models")) {
                answer = models;
            } else if (method.equals("POST") && path.equals("/v1/completions")) {
                answer = completion;
            } else {
                answer = new Answer(404, "{\"detail\":\"Not Found\"}");
            }
        }
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        if (!answer.body().isEmpty() && answer.body().startsWith("{")) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
