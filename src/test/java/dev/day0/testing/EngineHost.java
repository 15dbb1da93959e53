package dev.day0.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.cli.Day0;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JVM that runs many engine command lines, for the Jenkins ITs: started in the directory the Jenkins step's
 * {@code sh} runs in (the engine resolves relative paths against the process's working directory, which a JVM
 * cannot change), it reads one request per line on stdin ({"args": [...], "env": {...}}), runs it through
 * {@link Day0#execute} as {@code main} would, and answers one line on stdout ({"status", "out", "err"}). Ends at
 * the end of its input, so it never outlives the test JVM that feeds it.
 */
public final class EngineHost {
    private EngineHost() {
    }

    public static void main(String[] ignored) throws IOException {
        PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        // Only answers go to the real stdout: anything else printed would break the protocol.
        System.setOut(System.err);
        ObjectMapper mapper = new ObjectMapper();
        BufferedReader requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = requests.readLine()) != null) {
            JsonNode request = mapper.readTree(line);
            List<String> args = new ArrayList<>();
            request.path("args").forEach(arg -> args.add(arg.asText()));
            Map<String, String> env = new LinkedHashMap<>();
            request.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = Day0.execute(args.toArray(String[]::new), new PrintWriter(out, true),
                    new PrintWriter(err, true), env);
            ObjectNode answer = mapper.createObjectNode();
            answer.put("status", status);
            answer.put("out", out.toString());
            answer.put("err", err.toString());
            answers.println(mapper.writeValueAsString(answer));
        }
    }
}
