package dev.day0.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.redact.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class ReportWriterTest {
    private static final String COMPARE_REGRESSION = "{\"pass\": false, \"decision\": \"REGRESSION\", "
            + "\"failure_class\": null, \"detail\": \"regression on 1 of 2 tasks: mmlu drop 0.0220 > limit 0.0100\", "
            + "\"per_task\": {\"arc <challenge>\": {\"baseline\": 93.7, \"candidate\": 93.3, \"drop\": 0.4, "
            + "\"drop_fraction\": 0.004, \"scale\": 100, \"within_threshold\": true}, \"mmlu\": {\"baseline\": 83.3, "
            + "\"candidate\": 81.1, \"drop\": 2.2, \"drop_fraction\": 0.022, \"scale\": 100, "
            + "\"within_threshold\": false}}, \"threshold\": 0.01, \"relative\": false}";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private List<Path> write(DecisionRecord record, Redactor redactor) throws Exception {
        return new ReportWriter(redactor).write(record, temp.getRoot().toPath().resolve("report"));
    }

    @Test
    public void shouldWriteTheDecisionTheMarkdownAndTheJUnitFiles() throws Exception {
        DecisionRecord record = new DecisionRecord("1.2.3")
                .stage("ptq", "ptq", Json.parse(DecisionRecordTest.PTQ_PASS, "t"))
                .stage("compare", "compare", Json.parse(COMPARE_REGRESSION, "t"));

        List<Path> files = write(record, Redactor.patternsOnly());

        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("decision.json", "report.md", "junit.xml");
        JsonNode decision = Json.read(files.get(0));
        assertThat(decision.path("decision").asText()).isEqualTo("REGRESSION");
        assertThat(decision.path("publish_recommendation").asText()).isEqualTo("do-not-publish");
        String markdown = Files.readString(files.get(1));
        assertThat(markdown).startsWith("# day0 decision: REGRESSION")
                .contains("| mmlu | 83.3 | 81.1 | -2.2 | 0.022 | 0.01 | **no** |")
                .contains("| 1000 | 300 | 0.3 |");
    }

    @Test
    public void shouldWriteOneJUnitCasePerTaskAndPerCheckWithDropAndLimit() throws Exception {
        DecisionRecord record = new DecisionRecord("1")
                .stage("ptq", "ptq", Json.parse(DecisionRecordTest.PTQ_PASS, "t"))
                .stage("compare", "compare", Json.parse(COMPARE_REGRESSION, "t"));

        Path junit = write(record, Redactor.patternsOnly()).get(2);
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());

        NodeList cases = xml.getElementsByTagName("testcase");
        assertThat(cases.getLength()).isEqualTo(3);
        assertThat(xml.getDocumentElement().getAttribute("failures")).isEqualTo("1");
        Element arc = (Element) cases.item(1);
        assertThat(arc.getAttribute("name")).isEqualTo("arc <challenge>");
        assertThat(arc.getAttribute("classname")).isEqualTo("day0.compare");
        Element mmlu = (Element) cases.item(2);
        Element failure = (Element) mmlu.getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("drop 0.022 > limit 0.01 (baseline 83.3, candidate 81.1)");
    }

    @Test
    public void shouldRedactSecretsFromEveryFile() throws Exception {
        String leaky = "{\"pass\": false, \"failure_class\": \"UNKNOWN\", \"detail\": \"fetch "
                + "https://bucket.s3.amazonaws.com/x?X-Amz-Signature=abcdef0123456789 failed with tok-9f8e7d6c5b\"}";
        DecisionRecord record = new DecisionRecord("1").stage("eval", "run", Json.parse(leaky, "t"));

        List<Path> files = write(record, Redactor.withSecrets(Set.of("tok-9f8e7d6c5b")));

        for (Path file : files) {
            assertThat(Files.readString(file)).as(file.toString())
                    .doesNotContain("abcdef0123456789").doesNotContain("tok-9f8e7d6c5b").contains("[REDACTED]");
        }
    }
}
