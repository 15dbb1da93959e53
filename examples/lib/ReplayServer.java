import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A replayed vLLM server for the examples' serving canary: it prints a recorded server log, then either exits as
 * the recorded server did (a checkpoint the loader refused) or answers the three routes a canary asks for as vLLM's
 * OpenAI-compatible API does: GET /health, GET /v1/models and POST /v1/completions with the recorded completion.
 * It needs only a JDK 17: run it as {@code java ReplayServer.java ...} (a single-file source program).
 *
 * <pre>
 * java ReplayServer.java --model ID --log RECORDED.log (--completion TEXT | --exit CODE)
 * </pre>
 *
 * It listens on loopback at {@code DAY0_CANARY_PORT} (any free port when unset) and, once it listens, writes its
 * root URL to {@code DAY0_CANARY_URL_FILE}, the way a real server's wrapper announces itself to day0.
 */
public final class ReplayServer {
    public static void main(String[] args) throws IOException, InterruptedException {
        String model = null;
        String completion = null;
        Path log = null;
        Integer exit = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--model" -> model = args[i + 1];
                case "--completion" -> completion = args[i + 1];
                case "--log" -> log = Path.of(args[i + 1]);
                case "--exit" -> exit = Integer.parseInt(args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0 || model == null || log == null || (completion == null) == (exit == null)) {
            usage("give --model, --log and one of --completion or --exit");
        }
        List<String> recorded = Files.readAllLines(log, StandardCharsets.UTF_8);
        if (exit != null) {
            recorded.forEach(System.out::println);
            System.out.flush();
            System.exit(exit);
        }
        String portText = System.getenv("DAY0_CANARY_PORT");
        int port = portText == null || portText.isBlank() ? 0 : Integer.parseInt(portText.trim());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        String id = model;
        String text = completion;
        server.createContext("/health", exchange -> answer(exchange, "GET", 200, ""));
        server.createContext("/v1/models", exchange -> answer(exchange, "GET", 200,
                "{\"object\":\"list\",\"data\":[{\"id\":\"" + json(id) + "\",\"object\":\"model\","
                        + "\"owned_by\":\"vllm\",\"root\":\"" + json(id) + "\"}]}"));
        server.createContext("/v1/completions", exchange -> answer(exchange, "POST", 200,
                "{\"id\":\"cmpl-replay\",\"object\":\"text_completion\",\"model\":\"" + json(id) + "\","
                        + "\"choices\":[{\"index\":0,\"text\":\"" + json(text) + "\",\"logprobs\":null,"
                        + "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":6,\"total_tokens\":22,"
                        + "\"completion_tokens\":16}}"));
        server.start();
        recorded.forEach(System.out::println);
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        System.out.println("INFO replay: serving " + model + " at " + url);
        System.out.flush();
        String urlFile = System.getenv("DAY0_CANARY_URL_FILE");
        if (urlFile != null && !urlFile.isBlank()) {
            // Written whole, then renamed: the reader never sees half a URL.
            Path target = Path.of(urlFile);
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            Files.writeString(partial, url + "\n", StandardCharsets.UTF_8);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        // A replayed server ends with the process that started it, even one killed with SIGKILL: no orphan stays.
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        while (parent == null || parent.isAlive()) {
            Thread.sleep(500);
        }
        server.stop(0);
    }

    private static void answer(HttpExchange exchange, String method, int status, String body) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals(method)) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            System.out.println("INFO replay: \"" + method + " " + exchange.getRequestURI().getPath() + "\" "
                    + status);
            System.out.flush();
        }
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static void usage(String problem) {
        System.err.println("ReplayServer: " + problem);
        System.err.println("usage: java ReplayServer.java --model ID --log RECORDED.log (--completion TEXT | --exit CODE)");
        System.exit(2);
    }
}
