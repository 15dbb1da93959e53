package dev.day0.cli.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.day0.evidence.serving.FakeVllmServer;
import dev.day0.io.Json;
import dev.day0.testing.Day0Process;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The packaged jar probes a loopback vLLM-like server and the run gate reads the evidence it wrote. */
public class ProbeCommandIT {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final FakeVllmServer server = FakeVllmServer.start();

    @After
    public void stop() {
        server.close();
    }

    @Test
    public void shouldWriteHealthyEvidenceAndExit0() throws IOException {
        server.health(503, 200);
        Path dir = temp.getRoot().toPath();

        Day0Process run = Day0Process.run(dir, Map.of(), "probe", "serving", "--url", server.url(), "--timeout", "5",
                "--interval", "0.05", "--out", "serving.json");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
        assertThat(Json.read(dir.resolve("serving.json")).get("healthy").booleanValue()).isTrue();
    }

    @Test
    public void shouldTurnAnUnhealthyServerIntoDeploymentHealthFailed() throws IOException {
        server.models(200, "{\"object\":\"list\",\"data\":[]}");
        Path dir = temp.getRoot().toPath();
        Files.writeString(dir.resolve("run-summary.json"), "{\"tasks\": {\"gsm8k\": {\"status\": \"SUCCESS\", "
                + "\"expected_samples\": 1319, \"scored_samples\": 1319, \"score\": 0.78}}}");

        Day0Process probe = Day0Process.run(dir, Map.of(), "probe", "serving", "--url", server.url(), "--timeout",
                "5", "--out", "serving.json");
        Day0Process gate = Day0Process.run(dir, Map.of(), "gate", "run", "--run", "run-summary.json", "--serving",
                "serving.json");

        assertThat(probe.exitCode()).as(probe.toString()).isEqualTo(1);
        assertThat(probe.err()).contains("UNHEALTHY: GET /v1/models: the server lists no models");
        assertThat(gate.exitCode()).as(gate.toString()).isEqualTo(1);
        assertThat(Json.parse(gate.out(), "stdout").get("failure_class").asText())
                .isEqualTo("DEPLOYMENT_HEALTH_FAILED");
    }
}
