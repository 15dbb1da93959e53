package dev.day0.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.day0.io.Json;
import dev.day0.core.Decision;
import dev.day0.core.FailureClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class DecisionRecordTest {
    static final String PTQ_PASS = "{\"pass\": true, \"failure_class\": null, \"detail\": \"ok\", \"checks\": "
            + "{\"size\": {\"source_bytes\": 1000, \"output_bytes\": 300, \"ratio\": 0.3, \"ok\": true}}, "
            + "\"notes\": []}";
    static final String RUN_PASS = "{\"pass\": true, \"failure_class\": null, \"detail\": \"ok\", \"per_task\": "
            + "{\"gsm8k\": {\"ok\": true, \"reasons\": []}}}";
    static final String COMPARE_ACCEPT = "{\"pass\": true, \"decision\": \"ACCEPT\", \"failure_class\": null, "
            + "\"detail\": \"all 1 tasks within threshold 0.01\", \"per_task\": {\"gsm8k\": {\"baseline\": 77.3, "
            + "\"candidate\": 76.9, \"drop\": 0.4, \"drop_fraction\": 0.004, \"scale\": 100, "
            + "\"within_threshold\": true}}, \"threshold\": 0.01, \"relative\": false}";

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static JsonNode json(String text) {
        return Json.parse(text, "test");
    }

    @Test
    public void shouldAcceptOnlyWhenEveryGatePassedAndTheCompareAccepted() {
        DecisionRecord record = new DecisionRecord("1.0").stage("ptq", "ptq", json(PTQ_PASS))
                .stage("baseline-eval", "run", json(RUN_PASS)).stage("compare", "compare", json(COMPARE_ACCEPT));

        JsonNode out = record.toJson();

        assertThat(out.path("decision").asText()).isEqualTo("ACCEPT");
        assertThat(out.path("publish_recommendation").asText()).isEqualTo("publish");
        assertThat(out.path("schema").asText()).isEqualTo(DecisionRecord.SCHEMA);
        assertThat(out.at("/tool/version").asText()).isEqualTo("1.0");
        assertThat(out.at("/size/ratio").asDouble()).isEqualTo(0.3);
        assertThat(out.at("/tasks/0/task").asText()).isEqualTo("gsm8k");
        assertThat(out.at("/tasks/0/delta").decimalValue()).isEqualByComparingTo("-0.4");
        assertThat(out.at("/tasks/0/limit").asDouble()).isEqualTo(0.01);
        assertThat(out.at("/tasks/0/within").asBoolean()).isTrue();
    }

    @Test
    public void shouldLetTheFirstFailedGateDecideThroughTheTriageTable() {
        String unsupported = "{\"pass\": false, \"failure_class\": \"MODEL_UNSUPPORTED\", \"detail\": \"no layer\"}";
        DecisionRecord record = new DecisionRecord("1.0").stage("ptq", "ptq", json(unsupported))
                .stage("compare", "compare", json(COMPARE_ACCEPT));

        DecisionRecord.Outcome outcome = record.outcome();

        assertThat(outcome.decision()).isEqualTo(Decision.INFEASIBLE);
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.MODEL_UNSUPPORTED);
        assertThat(outcome.detail()).isEqualTo("ptq: no layer");
    }

    @Test
    public void shouldCallRepeatedInfraFailuresSystemic() {
        String transientRun = "{\"pass\": false, \"failure_class\": \"INFRA_TRANSIENT\", \"detail\": \"timeout\"}";

        assertThat(new DecisionRecord("1").stage("eval", "run", json(transientRun)).outcome().decision())
                .isEqualTo(Decision.SYSTEMIC);
    }

    @Test
    public void shouldNeverAcceptAChainWithoutACompareResult() {
        DecisionRecord record = new DecisionRecord("1").stage("ptq", "ptq", json(PTQ_PASS));

        assertThat(record.outcome().decision()).isEqualTo(Decision.NEEDS_HUMAN);
    }

    @Test
    public void shouldNotTrustACompareThatSaysAcceptButDidNotPass() {
        String contradictory = COMPARE_ACCEPT.replace("\"pass\": true", "\"pass\": false");

        assertThat(new DecisionRecord("1").stage("compare", "compare", json(contradictory)).outcome().decision())
                .isEqualTo(Decision.ANOMALOUS);
    }

    @Test
    public void shouldRecordEveryInputWithItsSha256() throws Exception {
        Path file = temp.newFile("scores.json").toPath();
        Files.writeString(file, "{\"a\": 1}\n", StandardCharsets.UTF_8);

        JsonNode out = new DecisionRecord("1").input("baseline", file).toJson();

        assertThat(out.at("/inputs/0/role").asText()).isEqualTo("baseline");
        assertThat(out.at("/inputs/0/sha256").asText())
                .isEqualTo("e8c628edc9968ef0c668f54e0ba2636b35503357eb1aca0ddc828aeace432f67");
    }
}
