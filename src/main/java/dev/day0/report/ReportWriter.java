package dev.day0.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.RedactingWriter;
import dev.day0.redact.Redactor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a decision record as {@code decision.json}, {@code report.md} (for people) and {@code junit.xml} (one
 * test case per task and per gate check, so CI shows each task in its test view). All three pass the redactor.
 */
public final class ReportWriter {
    public static final String DECISION_JSON = "decision.json";
    public static final String REPORT_MD = "report.md";
    public static final String JUNIT_XML = "junit.xml";

    private final Redactor redactor;

    public ReportWriter(Redactor redactor) {
        this.redactor = redactor;
    }

    /** Writes the three files and returns their paths in that order. */
    public List<Path> write(DecisionRecord record, Path dir) {
        ObjectNode json = record.toJson();
        Path decision = dir.resolve(DECISION_JSON);
        Path markdown = dir.resolve(REPORT_MD);
        Path junit = dir.resolve(JUNIT_XML);
        RedactingWriter writer = new RedactingWriter(redactor);
        writer.json(decision, json);
        writer.text(markdown, MarkdownReport.render(json));
        writer.text(junit, JUnitReport.render(json));
        return List.of(decision, markdown, junit);
    }

    static List<Map.Entry<String, JsonNode>> entries(JsonNode object) {
        List<Map.Entry<String, JsonNode>> list = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            list.add(it.next());
        }
        return list;
    }
}
