package dev.day0.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The least a JVM can do for a compare gate: bench/reference/compare.py's rule in plain Java on Jackson's streaming
 * parser, with no command-line library, no redaction, no report, no checks. Not a gate: it accepts what it should
 * refuse. {@code bench/vs-python.sh ROUNDS floor} times it against compare.py, to show how far below day0's gate
 * call the JVM itself lets Java 17 go (issue 18's 1.0 target).
 */
public final class JvmFloorCompare {
    private JvmFloorCompare() {
    }

    /** With no arguments, prints {@code 1}: the JVM's start alone, against {@code python -c 'print(1)'}. */
    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.out.println(1);
            return;
        }
        JsonFactory json = new JsonFactory();
        Map<String, Double> base = scores(json, args[0]);
        Map<String, Double> cand = scores(json, args[1]);
        boolean percent = false;
        for (double v : base.values()) {
            percent |= v > 1;
        }
        for (double v : cand.values()) {
            percent |= v > 1;
        }
        double limit = percent ? 1.0 : 0.01;
        boolean passed = true;
        double worst = Double.NaN;
        OutputStreamWriter out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
        try (JsonGenerator g = json.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            g.writeStartObject();
            g.writeObjectFieldStart("per_task");
            for (Map.Entry<String, Double> task : base.entrySet()) {
                g.writeObjectFieldStart(task.getKey());
                Double c = cand.get(task.getKey());
                if (c == null) {
                    passed = false;
                    g.writeBooleanField("ok", false);
                    g.writeStringField("reason", "missing in candidate");
                } else {
                    double drop = task.getValue() - c;
                    boolean ok = drop <= limit;
                    passed &= ok;
                    worst = Double.isNaN(worst) ? drop : Math.max(worst, drop);
                    g.writeNumberField("baseline", task.getValue());
                    g.writeNumberField("candidate", c);
                    g.writeNumberField("drop", Math.round(drop * 1e4) / 1e4);
                    g.writeBooleanField("ok", ok);
                }
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeBooleanField("pass", passed);
            g.writeNumberField("max_drop", worst);
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
        System.exit(passed ? 0 : 1);
    }

    private static Map<String, Double> scores(JsonFactory json, String path) throws IOException {
        Map<String, Double> scores = new LinkedHashMap<>();
        try (JsonParser p = json.createParser(new File(path))) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String task = p.getCurrentName();
                p.nextToken();
                scores.put(task, p.getDoubleValue());
            }
        }
        return scores;
    }
}
