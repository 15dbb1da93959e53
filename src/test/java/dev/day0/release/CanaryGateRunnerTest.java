package dev.day0.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.day0.io.Json;
import java.nio.file.Path;
import org.junit.Test;

/** The canary gate's reading of a recorded verdict: only the canary's own schema saying servable passes. */
public class CanaryGateRunnerTest {
    private static final Path FILE = Path.of("evidence/canary_gate/canary.json");

    private static ObjectNode verdict(boolean servable) {
        ObjectNode doc = Json.object();
        doc.put("schema", "day0.serving-canary/1");
        doc.put("servable", servable);
        doc.put("detail", servable ? "/health answered 200" : "the server process exited with code 1");
        doc.put("result", servable ? "RESULT: PASS" : "RESULT: FAIL CHECKPOINT_NOT_SERVABLE");
        return doc;
    }

    @Test
    public void shouldPassAServableVerdict() {
        ObjectNode result = CanaryGateRunner.judge(verdict(true), FILE);

        assertThat(result.path("pass").asBoolean()).isTrue();
        assertThat(result.path("gate").asText()).isEqualTo("canary");
    }

    @Test
    public void shouldFailANotServableVerdictAsCheckpointNotServable() {
        ObjectNode result = CanaryGateRunner.judge(verdict(false), FILE);

        assertThat(result.path("pass").asBoolean()).isFalse();
        assertThat(result.path("failure_class").asText()).isEqualTo("CHECKPOINT_NOT_SERVABLE");
        assertThat(result.path("detail").asText()).contains("exited with code 1");
    }

    @Test
    public void shouldFailClosedOnAVerdictOfAnotherSchema() {
        ObjectNode doc = verdict(true);
        doc.put("schema", "day0.serving/1");

        ObjectNode result = CanaryGateRunner.judge(doc, FILE);

        assertThat(result.path("pass").asBoolean()).isFalse();
        assertThat(result.path("failure_class").asText()).isEqualTo("UNKNOWN");
        assertThat(result.path("detail").asText()).contains("schema must be \"day0.serving-canary/1\"");
    }

    @Test
    public void shouldFailClosedWhenServableIsNotTheBooleanTrue() {
        ObjectNode doc = verdict(true);
        doc.put("servable", "true");

        assertThat(CanaryGateRunner.judge(doc, FILE).path("pass").asBoolean()).isFalse();
    }
}
